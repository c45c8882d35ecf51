import { useEffect, useState, type FormEvent } from 'react';
import type { PracticeSettingName, PracticeSettingsResponse } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'settings-error';

interface NumberSetting {
  name: PracticeSettingName;
  label: string;
  unit: string;
  /** Explanation of the setting, shown under its range. */
  hint?: string;
}

/** Settings with a number field, in the order the pane shows them, with their label and unit. */
const numberSettings: readonly NumberSetting[] = [
  { name: 'idle_timeout_minutes', label: 'Idle time-out', unit: 'minutes' },
  { name: 'absolute_timeout_minutes', label: 'Session lifetime', unit: 'minutes' },
  { name: 'device_trust_days', label: 'Remembered workstation trust', unit: 'days' },
  { name: 'min_password_length', label: 'Minimum password length', unit: 'characters' },
  { name: 'audit_retention_days', label: 'Audit log retention', unit: 'days' },
];

/**
 * Code and password limits. The server allows only values as strict as the product default or
 * stricter, and its message names the range and the reason when a value is looser.
 */
const codeLimitSettings: readonly NumberSetting[] = [
  {
    name: 'resend_cooldown_seconds',
    label: 'Wait between code sends',
    unit: 'seconds',
    hint: 'How long someone waits on the code screen before another code can be sent. The default, 30 seconds, is the shortest allowed.',
  },
  {
    name: 'code_sends_per_hour',
    label: 'Codes per person per hour',
    unit: 'codes',
    hint: 'Sign-in and password reset codes count together. The default, 5, is the most allowed.',
  },
  {
    name: 'wrong_codes_per_challenge',
    label: 'Wrong codes before a new code is needed',
    unit: 'codes',
    hint: 'After this many wrong codes, even the right code is refused until a new one is sent. The default, 5, is the most allowed.',
  },
  {
    name: 'wrong_codes_per_account_lockout',
    label: 'Wrong codes in a row before the account locks',
    unit: 'codes',
    hint:
      'Each lockout lasts longer: 15 minutes, 1 hour, 4 hours, then 24 hours. The fifth, after 5 times this many wrong codes in a row, ' +
      'lasts until an administrator unlocks the account. The default, 10, is the most allowed.',
  },
  {
    name: 'failed_passwords_per_account',
    label: 'Wrong passwords per username in 15 minutes',
    unit: 'passwords',
    hint: 'After this many, sign-in with that username waits until the 15 minutes are over. The default, 10, is the most allowed.',
  },
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

  function renderNumberSetting(setting: NumberSetting) {
    const current = settings?.settings[setting.name];
    return current === undefined ? null : (
      <NumberSettingForm
        key={setting.name}
        name={setting.name}
        label={setting.label}
        unit={setting.unit}
        hint={setting.hint}
        value={current.value}
        min={current.min}
        max={current.max}
        isBusy={isBusy}
        onSave={(value) => void changeSetting(setting.name, value, () => `${setting.label} is now ${value} ${setting.unit}.`)}
      />
    );
  }

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
          {numberSettings.map(renderNumberSetting)}
          <h2>Codes and lockouts</h2>
          {codeLimitSettings.map(renderNumberSetting)}
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
  hint?: string;
  value: number;
  min: number;
  max: number;
  isBusy: boolean;
  onSave(value: number): void;
}

function NumberSettingForm({ name, label, unit, hint, value, min, max, isBusy, onSave }: NumberSettingFormProps) {
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
        From {min} to {max} {unit}.{hint === undefined ? '' : ` ${hint}`}
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
