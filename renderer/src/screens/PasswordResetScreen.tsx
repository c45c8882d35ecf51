import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { NewPasswordForm } from '../components/NewPasswordForm';
import { ResendControl } from '../components/ResendControl';
import { codeLength, normalizeCodeInput } from '../format/code-input';
import { formatLocalTime } from '../format/time';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { createPasswordResetStore, passwordResetSuccessMessage, type PasswordResetStore } from '../stores/password-reset-store';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'reset-error';

/** "Forgot password?": the email, then the emailed code, then the new password. */
export function PasswordResetScreen() {
  const finishPasswordReset = useSignInStore((state) => state.finishPasswordReset);
  const [store] = useState<PasswordResetStore>(() =>
    createPasswordResetStore(getBridge(), {
      onFinished: () => finishPasswordReset(passwordResetSuccessMessage),
      onCancelled: () => finishPasswordReset(null),
    }),
  );
  const step = useStore(store, (state) => state.step);

  return (
    <section className="card" aria-labelledby="reset-heading">
      {step === 'email' && <EmailStep store={store} />}
      {step === 'code' && <CodeStep store={store} />}
      {step === 'new_password' && <NewPasswordStep store={store} />}
      <button type="button" className="button-link" onClick={() => void store.getState().cancel()}>
        Back to sign in
      </button>
    </section>
  );
}

function EmailStep({ store }: { store: PasswordResetStore }) {
  const error = useStore(store, (state) => state.error);
  const isBusy = useStore(store, (state) => state.isBusy);
  const [email, setEmail] = useState('');
  const emailRef = useFocusOnMount<HTMLInputElement>();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void store.getState().requestCode(email);
  }

  return (
    <>
      <h1 id="reset-heading">Reset your password</h1>
      <p className="hint">Enter the email address registered for your ClinicGate account. If it matches an account, we email it a 6-digit code.</p>
      <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
        <div className="field">
          <label htmlFor="reset-email">Email address</label>
          <input
            ref={emailRef}
            id="reset-email"
            name="email"
            type="email"
            autoComplete="email"
            spellCheck={false}
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={error !== null}
            aria-describedby={error === null ? undefined : errorId}
          />
        </div>
        <ErrorAlert id={errorId} error={error} />
        <button type="submit" className="button-primary" disabled={isBusy}>
          Email me a code
        </button>
      </form>
    </>
  );
}

function CodeStep({ store }: { store: PasswordResetStore }) {
  const codeStep = useStore(store, (state) => state.codeStep);
  const error = useStore(store, (state) => state.error);
  const isBusy = useStore(store, (state) => state.isBusy);
  const isCodeLocked = useStore(store, (state) => state.isCodeLocked);
  const [code, setCode] = useState('');
  const codeRef = useFocusOnMount<HTMLInputElement>();
  if (codeStep === null) {
    return null;
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void store.getState().verifyCode(code).then(() => {
      if (store.getState().step === 'code') {
        setCode('');
        codeRef.current?.focus();
      }
    });
  }

  const digits = normalizeCodeInput(code);
  return (
    <>
      <h1 id="reset-heading">Enter your password reset code</h1>
      <p>
        If <span className="break-anywhere">{codeStep.destination}</span> belongs to an account, a code is on its way. It works until{' '}
        {formatLocalTime(codeStep.codeExpiresAt, Date.now())}. Check your spam folder if it does not arrive within a few minutes.
      </p>
      <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
        <div className="field">
          <label htmlFor="reset-code">Password reset code</label>
          <input
            ref={codeRef}
            id="reset-code"
            name="one-time-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={codeLength * 2}
            value={code}
            onChange={(event) => setCode(event.target.value)}
            aria-invalid={error !== null}
            aria-describedby={error === null ? undefined : errorId}
          />
        </div>
        <ErrorAlert id={errorId} error={error} />
        <button type="submit" className="button-primary" disabled={isBusy || isCodeLocked || digits === null || digits.length !== codeLength}>
          Verify
        </button>
      </form>
      <ResendControl
        label={isCodeLocked ? 'Send a new code' : 'Resend code'}
        resendAvailableAt={codeStep.resendAvailableAt}
        isSendLimitReached={false}
        isBusy={isBusy}
        onSend={() => {
          setCode('');
          void store.getState().resendCode();
        }}
      />
    </>
  );
}

function NewPasswordStep({ store }: { store: PasswordResetStore }) {
  const policy = useStore(store, (state) => state.passwordPolicy);
  const error = useStore(store, (state) => state.error);
  const isBusy = useStore(store, (state) => state.isBusy);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  return (
    <>
      <h1 id="reset-heading" ref={headingRef} tabIndex={-1}>
        Choose a new password
      </h1>
      <p className="hint">Setting it signs you out everywhere and forgets remembered workstations. Then sign in with the new password.</p>
      <NewPasswordForm
        policy={policy}
        error={error}
        errorId={errorId}
        isBusy={isBusy}
        submitLabel="Set new password"
        onSubmit={(newPassword, confirmation) => void store.getState().setNewPassword(newPassword, confirmation)}
      />
    </>
  );
}
