import { useEffect, useState, type FormEvent } from 'react';
import type { PracticeSettingName, PracticeSettingsResponse } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'settings-error';

/** Settings with a number field, in the order the pane shows them, with their label and unit. */
const numberSettings: ReadonlyArray<{ name: PracticeSettingName; label: string; unit: string }> = [
  { name: 'idle_timeout_minutes', label: 'Idle time-out', unit: 'minutes' },
  { name: 'absolute_timeout_minutes', label: 'Session lifetime', unit: 'minutes' },
  { name: 'device_trust_days', label: 'Remembered workstation trust', unit: 'days' },
  { name: 'min_password_length', label: 'Minimum password length', unit: 'characters' },
  { name: 'audit_retention_days', label: 'Audit log retention', unit: 'days' },
];

/** Practice Settings → Security: the enforcement switch, the session and password limits, and trusted networks. */
export function PracticeSettingsScreen() {
  const showView = useSignInStore((state) => state.showView);
  const { run, isBusy, error } = useBridgeAction();
  const [settings, setSettings] = useState<PracticeSettingsResponse | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pendingEnforcement, setPendingEnforcement] = useState<boolean | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  useEffect(() => {
    void run(() => getBridge().getPracticeSettings()).then((loaded) => loaded !== null && setSettings(loaded));
  }, [run]);

  async function changeSetting(setting: PracticeSettingName, value: number, describe: (sessionsEnded: number) => string) {
    setNotice(null);
    const changed = await run(() => getBridge().changePracticeSetting({ setting, value }));
    if (changed === null || settings === null) {
      return;
    }
    const current = settings.settings[setting];
    setSettings({ ...settings, settings: { ...settings.settings, [setting]: { min: current?.min ?? value, max: current?.max ?? value, value: changed.newValue } } });
    setNotice(describe(changed.sessionsEnded));
  }

  const enforcement = settings?.settings.require_mfa_always?.value === 1;

  async function changeEnforcement(isOn: boolean) {
    // The box shows the new state while the server applies it, and the stored value after.
    setPendingEnforcement(isOn);
    await changeSetting('require_mfa_always', isOn ? 1 : 0, (sessionsEnded) =>
      isOn
        ? `A code is now required at every sign-in. ${describeEndedSessions(sessionsEnded)}`
        : 'A code is now required only for new workstations and unusual locations.',
    );
    setPendingEnforcement(null);
  }

  return (
    <section className="card card-wide" aria-labelledby="settings-heading">
      <h1 id="settings-heading" ref={headingRef} tabIndex={-1}>
        Practice settings: security
      </h1>
      {settings !== null && <p className="lead">{settings.practice.name}</p>}
      <ErrorAlert id={errorId} error={error} />
      {notice !== null && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {settings !== null && (
        <>
          <h2>Sign-in codes</h2>
          <div className="checkbox-field">
            <input
              id="require-mfa-always"
              type="checkbox"
              checked={pendingEnforcement ?? enforcement}
              disabled={isBusy}
              onChange={(event) => void changeEnforcement(event.target.checked)}
            />
            <label htmlFor="require-mfa-always">Require MFA for every sign-in</label>
          </div>
          <p className="hint">
            When on, every sign-in needs a code, even on a remembered workstation, and everyone signed in without a code is signed
            out at once. When off, a remembered workstation inside the practice's usual access pattern signs in with the password.
          </p>
          <h2>Limits</h2>
          {numberSettings.map((setting) => {
            const current = settings.settings[setting.name];
            return current === undefined ? null : (
              <NumberSettingForm
                key={setting.name}
                name={setting.name}
                label={setting.label}
                unit={setting.unit}
                value={current.value}
                min={current.min}
                max={current.max}
                isBusy={isBusy}
                onSave={(value) => void changeSetting(setting.name, value, () => `${setting.label} is now ${value} ${setting.unit}.`)}
              />
            );
          })}
          <TrustedNetworksForm
            networks={settings.trustedNetworks}
            isBusy={isBusy}
            onSave={async (networks) => {
              setNotice(null);
              const saved = await run(() => getBridge().setTrustedNetworks({ networks }));
              if (saved !== null) {
                setSettings({ ...settings, trustedNetworks: saved });
                setNotice(saved.length === 0 ? 'The practice has no trusted networks now.' : `Trusted networks saved: ${saved.join(', ')}.`);
              }
            }}
          />
        </>
      )}
      <div className="actions">
        <button type="button" className="button-secondary" onClick={() => showView('home')}>
          Back
        </button>
      </div>
    </section>
  );
}

interface NumberSettingFormProps {
  name: string;
  label: string;
  unit: string;
  value: number;
  min: number;
  max: number;
  isBusy: boolean;
  onSave(value: number): void;
}

function NumberSettingForm({ name, label, unit, value, min, max, isBusy, onSave }: NumberSettingFormProps) {
  const [text, setText] = useState(String(value));
  const inputId = `setting-${name}`;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    // The server checks the range and names it when the value is outside; a non-number still goes, so its message shows.
    onSave(/^[0-9]+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);
  }

  return (
    <form className="field" onSubmit={handleSubmit}>
      <label htmlFor={inputId}>
        {label} ({unit})
      </label>
      <input id={inputId} inputMode="numeric" value={text} aria-describedby={errorId} onChange={(event) => setText(event.target.value)} />
      <p className="hint">
        From {min} to {max} {unit}.
      </p>
      <button type="submit" className="button-secondary" disabled={isBusy || text.trim() === String(value)}>
        Save {label.toLowerCase()}
      </button>
    </form>
  );
}

function TrustedNetworksForm({ networks, isBusy, onSave }: { networks: string[]; isBusy: boolean; onSave(networks: string[]): Promise<void> }) {
  const [text, setText] = useState(networks.join('\n'));

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const entries = text
      .split(/[\s,]+/)
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    void onSave(entries);
  }

  return (
    <form className="field" onSubmit={handleSubmit}>
      <label htmlFor="trusted-networks">Trusted networks</label>
      <textarea id="trusted-networks" rows={4} value={text} aria-describedby={errorId} onChange={(event) => setText(event.target.value)} />
      <p className="hint">One CIDR block per line, like 203.0.113.0/24. Sign-ins from these networks count as the practice's own.</p>
      <button type="submit" className="button-secondary" disabled={isBusy}>
        Save trusted networks
      </button>
    </form>
  );
}

function describeEndedSessions(sessionsEnded: number): string {
  if (sessionsEnded === 0) {
    return 'No one was signed in without a code.';
  }
  return sessionsEnded === 1 ? '1 session made without a code was ended.' : `${sessionsEnded} sessions made without a code were ended.`;
}
