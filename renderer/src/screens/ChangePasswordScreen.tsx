import { useRef, useState, type FormEvent } from 'react';
import type { BridgeError } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'change-password-error';

/** Changes the signed-in user's password; their sessions on other workstations end. */
export function ChangePasswordScreen() {
  const policy = useSignInStore((state) => state.session?.passwordPolicy ?? null);
  const showView = useSignInStore((state) => state.showView);
  const refreshSession = useSignInStore((state) => state.refreshSession);
  const [error, setError] = useState<BridgeError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  // The passwords stay in the fields; they are read on submit and never kept in state.
  const currentPasswordRef = useRef<HTMLInputElement>(null);
  const newPasswordRef = useRef<HTMLInputElement>(null);
  const confirmationRef = useRef<HTMLInputElement>(null);

  async function changePassword(currentPassword: string, newPassword: string, confirmation: string) {
    if (currentPassword === '' || newPassword === '') {
      setError({ code: 'VALIDATION_FAILED', message: 'Enter your current password and a new password.' });
      return;
    }
    if (newPassword !== confirmation) {
      setError({ code: 'VALIDATION_FAILED', message: 'The two new passwords do not match. Type the same password in both fields.' });
      return;
    }
    setIsBusy(true);
    setError(null);
    setNotice(null);
    const result = await getBridge()
      .changePassword({ currentPassword, newPassword })
      .catch((): { ok: false; error: BridgeError } => ({ ok: false, error: { code: 'INTERNAL_ERROR', message: 'The password could not be changed. Try again.' } }));
    setIsBusy(false);
    if (!result.ok) {
      setError(result.error);
      if (result.error.code.startsWith('SESSION_')) {
        void refreshSession();
      }
      return;
    }
    for (const field of [currentPasswordRef, newPasswordRef, confirmationRef]) {
      if (field.current !== null) {
        field.current.value = '';
      }
    }
    const ended = result.value.otherSessionsEnded;
    setNotice(`Your password was changed. ${ended === 1 ? '1 session on another workstation was' : `${ended} sessions on other workstations were`} signed out.`);
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void changePassword(currentPasswordRef.current?.value ?? '', newPasswordRef.current?.value ?? '', confirmationRef.current?.value ?? '');
  }

  return (
    <section className="card" aria-labelledby="change-password-heading">
      <h1 id="change-password-heading" ref={headingRef} tabIndex={-1}>
        Change password
      </h1>
      <p className="hint">Changing it signs you out on your other workstations. This workstation stays signed in.</p>
      <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
        <div className="field">
          <label htmlFor="current-password">Current password</label>
          <input
            ref={currentPasswordRef}
            id="current-password"
            name="current-password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={error !== null}
            aria-describedby={error === null ? undefined : errorId}
          />
        </div>
        <NewPasswordFields
          policy={policy}
          describedBy={error === null ? undefined : errorId}
          isInvalid={error !== null}
          newPasswordRef={newPasswordRef}
          confirmationRef={confirmationRef}
        />
        <ErrorAlert id={errorId} error={error} />
        {notice !== null && (
          <p role="status" className="notice">
            {notice}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={isBusy}>
          Change password
        </button>
      </form>
      <button type="button" className="button-link" onClick={() => showView('home')}>
        Back
      </button>
    </section>
  );
}
