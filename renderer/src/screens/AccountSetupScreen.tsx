import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { accountSetupCodeLength } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { NewPasswordForm } from '../components/NewPasswordForm';
import { describeDigitCount, isCompleteCode, normalizeCodeInput } from '../format/code-input';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { accountSetupSuccessMessage, createAccountSetupStore, type AccountSetupStore } from '../stores/account-setup-store';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'setup-error';

/** "New here? Set up your account": the username and the emailed setup code, then the first password. */
export function AccountSetupScreen() {
  const finishAccountSetup = useSignInStore((state) => state.finishAccountSetup);
  const [store] = useState<AccountSetupStore>(() =>
    createAccountSetupStore(getBridge(), {
      onFinished: (username) => finishAccountSetup(accountSetupSuccessMessage(username)),
      onCancelled: () => finishAccountSetup(null),
    }),
  );
  const step = useStore(store, (state) => state.step);

  return (
    <section className="card" aria-labelledby="setup-heading">
      {step === 'code' && <CodeStep store={store} />}
      {step === 'new_password' && <NewPasswordStep store={store} />}
      <button type="button" className="button-link" onClick={() => void store.getState().cancel()}>
        Back to sign in
      </button>
    </section>
  );
}

function CodeStep({ store }: { store: AccountSetupStore }) {
  const error = useStore(store, (state) => state.error);
  const isBusy = useStore(store, (state) => state.isBusy);
  const [usernameOrEmail, setUsernameOrEmail] = useState('');
  const [code, setCode] = useState('');
  const nameRef = useFocusOnMount<HTMLInputElement>();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void store.getState().verifyCode(usernameOrEmail, code);
  }

  const digits = normalizeCodeInput(code, accountSetupCodeLength);
  const describedBy = error === null ? 'setup-code-hint' : `setup-code-hint ${errorId}`;
  return (
    <>
      <h1 id="setup-heading">Set up your account</h1>
      <p className="hint">
        Your practice administrator created a ClinicGate account for you, and a welcome email with {describeDigitCount(accountSetupCodeLength)} setup code went to
        your email address. Enter it here to choose your own password.
      </p>
      <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
        <div className="field">
          <label htmlFor="setup-username">Username or email</label>
          <input
            ref={nameRef}
            id="setup-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={usernameOrEmail}
            onChange={(event) => setUsernameOrEmail(event.target.value)}
            aria-invalid={error !== null}
            aria-describedby={error === null ? undefined : errorId}
          />
        </div>
        <div className="field">
          <label htmlFor="setup-code">Setup code</label>
          <input
            id="setup-code"
            name="setup-code"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            maxLength={accountSetupCodeLength * 2}
            value={code}
            onChange={(event) => setCode(event.target.value)}
            aria-invalid={error !== null}
            aria-describedby={describedBy}
          />
          <p id="setup-code-hint" className="hint">
            The {accountSetupCodeLength} digits from the welcome email; spaces do not matter. The code works for 72 hours. If it expired, ask your practice
            administrator to send a new one.
          </p>
        </div>
        <ErrorAlert id={errorId} error={error} />
        <button
          type="submit"
          className="button-primary"
          disabled={isBusy || usernameOrEmail.trim() === '' || digits === null || !isCompleteCode(digits, accountSetupCodeLength)}
        >
          Continue
        </button>
      </form>
    </>
  );
}

function NewPasswordStep({ store }: { store: AccountSetupStore }) {
  const verified = useStore(store, (state) => state.verified);
  const error = useStore(store, (state) => state.error);
  const isBusy = useStore(store, (state) => state.isBusy);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  return (
    <>
      <h1 id="setup-heading" ref={headingRef} tabIndex={-1}>
        Choose your password
      </h1>
      <p className="hint">
        For the username <strong className="break-anywhere">{verified?.username}</strong>. Nobody else sees this password. After you set it, sign in
        with your username and the new password.
      </p>
      <NewPasswordForm
        policy={verified?.passwordPolicy ?? null}
        error={error}
        errorId={errorId}
        isBusy={isBusy}
        submitLabel="Set password"
        onSubmit={(newPassword, confirmation) => void store.getState().setNewPassword(newPassword, confirmation)}
      />
    </>
  );
}
