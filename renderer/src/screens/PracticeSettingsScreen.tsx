import { useEffect, useState, type FormEvent } from 'react';
import type { PracticeSettingName, PracticeSettingsResponse } from '../../../electron/shared/api';
import type { BridgeError } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';
import { ConfirmPanel } from '../components/ConfirmPanel';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormResult } from '../components/FormResult';
import { describeBridgeError } from '../format/error-message';
import {
  codeLimitSettingNames,
  describeNumberSettingProblem,
  describeNumberSettingRange,
  describeSettingProblem,
  enforcementLabel,
  limitSettingNames,
  numberSettingTexts,
  trustedNetworksLabel,
  type NumberSettingName,
} from '../format/practice-setting-text';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusAfterRender } from '../hooks/use-focus-after-render';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

interface SettingRange {
  value: number;
  min: number;
  max: number;
}

/**
 * Practice Settings → Security: the enforcement switch, the session and password limits, and trusted
 * networks. Each form saves on its own and shows its result beside it, because the page is long.
 */
export function PracticeSettingsScreen() {
  const showView = useSignInStore((state) => state.showView);
  const { run, error } = useBridgeAction();
  const [settings, setSettings] = useState<PracticeSettingsResponse | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  useEffect(() => {
    void run(() => getBridge().getPracticeSettings()).then((loaded) => loaded !== null && setSettings(loaded));
  }, [run]);

  function storeSavedValue(setting: PracticeSettingName, newValue: number) {
    setSettings((current) => {
      const range = current?.settings[setting];
      if (current === null || range === undefined) {
        return current;
      }
      return { ...current, settings: { ...current.settings, [setting]: { ...range, value: newValue } } };
    });
  }

  function renderNumberSetting(name: NumberSettingName) {
    const range = settings?.settings[name];
    return range === undefined ? null : (
      <NumberSettingForm key={name} name={name} range={range} onSaved={(newValue) => storeSavedValue(name, newValue)} />
    );
  }

  return (
    <section className="card card-wide" aria-labelledby="settings-heading">
      <h1 id="settings-heading" ref={headingRef} tabIndex={-1}>
        Practice settings: security
      </h1>
      {settings !== null && <p className="lead">{settings.practice.name}</p>}
      <ErrorAlert id="settings-error" error={error} />
      {settings !== null && (
        <>
          <h2>Sign-in codes</h2>
          <EnforcementForm
            isOn={settings.settings.require_mfa_always?.value === 1}
            practiceName={settings.practice.name}
            onSaved={(newValue) => storeSavedValue('require_mfa_always', newValue)}
          />
          <h2>Limits</h2>
          {limitSettingNames.map(renderNumberSetting)}
          <h2>Codes and lockouts</h2>
          {codeLimitSettingNames.map(renderNumberSetting)}
          <TrustedNetworksForm
            networks={settings.trustedNetworks}
            onSaved={(saved) => setSettings((current) => (current === null ? current : { ...current, trustedNetworks: saved }))}
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

interface EnforcementFormProps {
  isOn: boolean;
  practiceName: string;
  onSaved(newValue: number): void;
}

/** Renders the "Require MFA for every sign-in" switch, which asks for confirmation before turning on because that signs people out. */
function EnforcementForm({ isOn, practiceName, onSaved }: EnforcementFormProps) {
  const { run, isBusy, error } = useBridgeAction();
  const [isConfirming, setIsConfirming] = useState(false);
  const [pendingValue, setPendingValue] = useState<boolean | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const focusAfterRender = useFocusAfterRender();
  const checkboxId = 'require-mfa-always';
  const hintId = `${checkboxId}-hint`;
  const resultId = `${checkboxId}-result`;

  function handleChange(isChecked: boolean) {
    setNotice(null);
    if (isChecked) {
      setIsConfirming(true);
      return;
    }
    void saveEnforcement(false);
  }

  async function saveEnforcement(isTurningOn: boolean) {
    setIsConfirming(false);
    setNotice(null);
    // The box shows the new state while the server applies it, and the stored value after.
    setPendingValue(isTurningOn);
    const changed = await run(() => getBridge().changePracticeSetting({ setting: 'require_mfa_always', value: isTurningOn ? 1 : 0 }));
    setPendingValue(null);
    if (changed !== null) {
      onSaved(changed.newValue);
      setNotice(
        isTurningOn
          ? `A code is now required at every sign-in. ${describeEndedSessions(changed.sessionsEnded)}`
          : 'A code is now required only for new workstations and unusual locations.',
      );
    }
    focusAfterRender(resultId);
  }

  const problem = error === null ? null : describeSaveError(error, (serverProblem) => describeSettingProblem('require_mfa_always', serverProblem));
  return (
    <div className="field">
      <div className="checkbox-field">
        <input
          id={checkboxId}
          type="checkbox"
          checked={pendingValue ?? isOn}
          disabled={isBusy}
          aria-invalid={problem !== null}
          aria-describedby={problem === null ? hintId : `${hintId} ${resultId}`}
          onChange={(event) => handleChange(event.target.checked)}
        />
        <label htmlFor={checkboxId}>{enforcementLabel}</label>
      </div>
      <p id={hintId} className="hint">
        When on, every sign-in needs a code, even on a remembered workstation, and everyone signed in without a code is signed
        out at once. When off, a remembered workstation inside the practice's usual access pattern signs in with the password.
      </p>
      {isConfirming && (
        <ConfirmPanel
          title="Require a code at every sign-in?"
          confirmLabel="Require a code and sign them out"
          cancelLabel="Keep it off"
          isBusy={isBusy}
          openerId={checkboxId}
          onConfirm={() => void saveEnforcement(true)}
          onCancel={() => setIsConfirming(false)}
        >
          <p>
            Everyone at {practiceName} who signed in without a code is signed out at once and has to sign in again with a code. From then
            on, every sign-in needs a code, even on a remembered workstation.
          </p>
        </ConfirmPanel>
      )}
      <FormResult id={resultId} problem={problem} notice={notice} />
    </div>
  );
}

interface NumberSettingFormProps {
  name: NumberSettingName;
  range: SettingRange;
  onSaved(newValue: number): void;
}

function NumberSettingForm({ name, range, onSaved }: NumberSettingFormProps) {
  const { label, unit, hint } = numberSettingTexts[name];
  const { run, isBusy, error, setError } = useBridgeAction();
  const [text, setText] = useState(String(range.value));
  // The text of the last save attempt, so the message about a refused value describes that value.
  const [submittedText, setSubmittedText] = useState(text);
  const [inputProblem, setInputProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const focusAfterRender = useFocusAfterRender();
  const inputId = `setting-${name}`;
  const hintId = `${inputId}-hint`;
  const resultId = `${inputId}-result`;

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    setInputProblem(null);
    setSubmittedText(text);
    const trimmed = text.trim();
    // A value outside the range still goes to the server, whose message gives the reason for the limit.
    if (!/^[0-9]{1,6}$/.test(trimmed)) {
      setError(null);
      setInputProblem(describeNumberSettingRange({ name, text, min: range.min, max: range.max }));
      focusAfterRender(inputId);
      return;
    }

    const changed = await run(() => getBridge().changePracticeSetting({ setting: name, value: Number(trimmed) }));
    if (changed === null) {
      focusAfterRender(inputId);
      return;
    }
    onSaved(changed.newValue);
    setText(String(changed.newValue));
    setNotice(`${label} is now ${changed.newValue} ${unit}.`);
    focusAfterRender(resultId);
  }

  const input = { name, text: submittedText, min: range.min, max: range.max };
  const problem = inputProblem ?? (error === null ? null : describeSaveError(error, (serverProblem) => describeNumberSettingProblem(input, serverProblem)));
  return (
    <form className="field" noValidate onSubmit={(event) => void handleSubmit(event)}>
      <label htmlFor={inputId}>
        {label} ({unit})
      </label>
      <input
        id={inputId}
        inputMode="numeric"
        value={text}
        aria-invalid={problem !== null}
        aria-describedby={problem === null ? hintId : `${resultId} ${hintId}`}
        onChange={(event) => setText(event.target.value)}
      />
      <FormResult id={resultId} problem={problem} notice={notice} />
      <p id={hintId} className="hint">
        From {range.min} to {range.max} {unit}.{hint === undefined ? '' : ` ${hint}`}
      </p>
      <button type="submit" className="button-secondary" disabled={isBusy || text.trim() === String(range.value)}>
        Save {label.toLowerCase()}
      </button>
    </form>
  );
}

interface TrustedNetworksFormProps {
  networks: string[];
  onSaved(networks: string[]): void;
}

function TrustedNetworksForm({ networks, onSaved }: TrustedNetworksFormProps) {
  const { run, isBusy, error } = useBridgeAction();
  const [text, setText] = useState(networks.join('\n'));
  const [notice, setNotice] = useState<string | null>(null);
  const focusAfterRender = useFocusAfterRender();
  const fieldId = 'trusted-networks';
  const hintId = `${fieldId}-hint`;
  const resultId = `${fieldId}-result`;

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    const entries = text
      .split(/[\s,]+/)
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');

    const saved = await run(() => getBridge().setTrustedNetworks({ networks: entries }));
    if (saved === null) {
      focusAfterRender(fieldId);
      return;
    }
    onSaved(saved);
    // The server stores each block in its standard form, such as 203.0.113.0/24 for 203.0.113.5/24, so the field shows that.
    setText(saved.join('\n'));
    setNotice(describeSavedNetworks(entries, saved));
    focusAfterRender(resultId);
  }

  const problem = error === null ? null : describeSaveError(error, (serverProblem) => describeSettingProblem('trusted_networks', serverProblem));
  return (
    <form className="field" noValidate onSubmit={(event) => void handleSubmit(event)}>
      <label htmlFor={fieldId}>{trustedNetworksLabel}</label>
      <textarea
        id={fieldId}
        rows={4}
        value={text}
        aria-invalid={problem !== null}
        aria-describedby={problem === null ? hintId : `${resultId} ${hintId}`}
        onChange={(event) => setText(event.target.value)}
      />
      <FormResult id={resultId} problem={problem} notice={notice} />
      <p id={hintId} className="hint">
        One CIDR block per line, like 203.0.113.0/24. Sign-ins from these networks count as the practice's own.
      </p>
      <button type="submit" className="button-secondary" disabled={isBusy}>
        Save trusted networks
      </button>
    </form>
  );
}

/** Builds the text for a failed save, rewording the server's problem with `describeProblem` when it sent one. */
function describeSaveError(error: BridgeError, describeProblem: (serverProblem: string) => string): string {
  if (error.code === 'VALIDATION_FAILED' && error.problem !== undefined && error.problem.trim() !== '') {
    return describeProblem(error.problem);
  }
  return describeBridgeError(error);
}

function describeSavedNetworks(entries: string[], saved: string[]): string {
  if (saved.length === 0) {
    return 'The practice has no trusted networks now.';
  }
  const isAsTyped = entries.length === saved.length && entries.every((entry) => saved.includes(entry));
  const savedText = `Trusted networks saved: ${saved.join(', ')}.`;
  return isAsTyped ? savedText : `${savedText} The field now shows them as stored, in standard form and without duplicates.`;
}

function describeEndedSessions(sessionsEnded: number): string {
  if (sessionsEnded === 0) {
    return 'No one was signed in without a code.';
  }
  return sessionsEnded === 1 ? '1 session made without a code was ended.' : `${sessionsEnded} sessions made without a code were ended.`;
}
