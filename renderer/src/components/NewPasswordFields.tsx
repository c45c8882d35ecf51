import { useEffect, useRef, useState } from 'react';
import type { PasswordPolicySummary } from '../../../electron/shared/api';
import type { PasswordStrength } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';

interface NewPasswordFieldsProps {
  policy: PasswordPolicySummary | null;
  /** Id of the form's error alert, read with the fields. */
  describedBy: string | undefined;
  isInvalid: boolean;
  newPasswordRef: React.RefObject<HTMLInputElement | null>;
  confirmationRef: React.RefObject<HTMLInputElement | null>;
}

const rulesId = 'password-rules';
const strengthId = 'password-strength';
const estimateDelayMs = 250;
const strengthLabels = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

/**
 * The "New password" and "Confirm new password" fields with the policy's rules and a strength
 * hint that updates while typing. The hint comes from the agent, which loads the dictionaries,
 * and is announced politely. The server's check decides whether the password is accepted.
 */
export function NewPasswordFields({ policy, describedBy, isInvalid, newPasswordRef, confirmationRef }: NewPasswordFieldsProps) {
  const strength = usePasswordStrength(newPasswordRef);
  const minLength = policy?.minLength ?? 8;
  const maxLength = policy?.maxLength ?? 1024;
  const fieldDescription = [rulesId, strengthId, describedBy].filter((id) => id !== undefined).join(' ');

  return (
    <>
      <div className="field">
        <label htmlFor="new-password">New password</label>
        <input
          ref={newPasswordRef}
          id="new-password"
          name="new-password"
          type="password"
          autoComplete="new-password"
          required
          onInput={strength.update}
          aria-invalid={isInvalid}
          aria-describedby={fieldDescription}
        />
      </div>
      <ul id={rulesId} className="hint password-rules">
        <li>At least {minLength} characters; up to {maxLength} are accepted. Spaces and any letters or symbols are fine.</li>
        <li>Not a common or breached password, and not your username, email name or the practice name.</li>
        <li>No required mix of digits or symbols: a few unrelated words make a strong password.</li>
      </ul>
      <p id={strengthId} className="hint" aria-live="polite">
        {strength.text}
      </p>
      <div className="field">
        <label htmlFor="confirm-new-password">Confirm new password</label>
        <input
          ref={confirmationRef}
          id="confirm-new-password"
          name="confirm-new-password"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={isInvalid}
          aria-describedby={describedBy}
        />
      </div>
    </>
  );
}

/** Asks the agent for a strength estimate a moment after typing stops; the password stays in the field. */
function usePasswordStrength(inputRef: React.RefObject<HTMLInputElement | null>) {
  const [text, setText] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const requestNumber = useRef(0);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  function update() {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      const password = inputRef.current?.value ?? '';
      requestNumber.current += 1;
      const thisRequest = requestNumber.current;
      if (password === '') {
        setText('');
        return;
      }
      void getBridge()
        .estimatePasswordStrength({ password })
        .then((result) => {
          if (thisRequest === requestNumber.current && result.ok) {
            setText(describeStrength(result.value));
          }
        })
        .catch(() => undefined);
    }, estimateDelayMs);
  }

  return { text, update };
}

export function describeStrength(strength: PasswordStrength): string {
  const parts = [`Strength: ${strengthLabels[strength.score]}.`];
  if (strength.warning !== null) {
    parts.push(strength.warning);
  }
  const [suggestion] = strength.suggestions;
  if (suggestion !== undefined) {
    parts.push(suggestion);
  }
  return parts.join(' ');
}
