import { useRef, type FormEvent } from 'react';
import type { PasswordPolicySummary } from '../../../electron/shared/api';
import type { BridgeError } from '../../../electron/shared/bridge';
import { ErrorAlert } from './ErrorAlert';
import { NewPasswordFields } from './NewPasswordFields';

interface NewPasswordFormProps {
  policy: PasswordPolicySummary | null;
  error: BridgeError | null;
  /** Id of the error alert, unique on the screen. */
  errorId: string;
  isBusy: boolean;
  submitLabel: string;
  onSubmit(newPassword: string, confirmation: string): void;
}

/**
 * Form that sets a password the person chooses, with the policy, the strength hint, the error
 * and the submit button. The passwords stay in the fields and are read only on submit.
 */
export function NewPasswordForm({ policy, error, errorId, isBusy, submitLabel, onSubmit }: NewPasswordFormProps) {
  const newPasswordRef = useRef<HTMLInputElement>(null);
  const confirmationRef = useRef<HTMLInputElement>(null);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onSubmit(newPasswordRef.current?.value ?? '', confirmationRef.current?.value ?? '');
  }

  return (
    <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
      <NewPasswordFields
        policy={policy}
        describedBy={error === null ? undefined : errorId}
        isInvalid={error !== null}
        newPasswordRef={newPasswordRef}
        confirmationRef={confirmationRef}
      />
      <ErrorAlert id={errorId} error={error} />
      <button type="submit" className="button-primary" disabled={isBusy}>
        {submitLabel}
      </button>
    </form>
  );
}
