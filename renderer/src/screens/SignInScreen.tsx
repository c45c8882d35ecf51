import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorAlert } from '../components/ErrorAlert';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'sign-in-error';

export function SignInScreen() {
  const error = useSignInStore((state) => state.error);
  const isBusy = useSignInStore((state) => state.isBusy);
  const serverUrl = useSignInStore((state) => state.setup?.serverUrl ?? null);
  const submitPassword = useSignInStore((state) => state.submitPassword);
  const notice = useSignInStore((state) => state.notice);
  const showPasswordReset = useSignInStore((state) => state.showPasswordReset);
  const showAccountSetup = useSignInStore((state) => state.showAccountSetup);
  const [username, setUsername] = useState('');
  const usernameRef = useFocusOnMount<HTMLInputElement>();
  // The password stays only in the field. It is read on submit and never kept in React or store state.
  const passwordRef = useRef<HTMLInputElement>(null);
  // Which fields were blank at the last submit. Null until a submit on this screen, so an error that
  // arrived with it, such as the reason a session ended, flags no field.
  const [blankAtSubmit, setBlankAtSubmit] = useState<{ username: boolean; password: boolean } | null>(null);

  useEffect(() => {
    if (error?.code !== 'AUTH_INVALID_CREDENTIALS' || passwordRef.current === null) {
      return;
    }
    passwordRef.current.value = '';
    passwordRef.current.focus();
  }, [error]);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = passwordRef.current?.value ?? '';
    setBlankAtSubmit({ username: username.trim() === '', password: password === '' });
    void submitPassword(username, password);
  }

  const describedBy = error === null ? undefined : errorId;
  const isCredentialsError = blankAtSubmit !== null && error?.code === 'AUTH_INVALID_CREDENTIALS';
  const isBlankFieldError = blankAtSubmit !== null && error?.code === 'VALIDATION_FAILED';
  const isUsernameInvalid = isCredentialsError || (isBlankFieldError && blankAtSubmit.username);
  const isPasswordInvalid = isCredentialsError || (isBlankFieldError && blankAtSubmit.password);

  return (
    <section className="card">
      <h1 id="sign-in-heading">Sign in to ClinicGate</h1>
      {serverUrl !== null && <p className="hint break-anywhere">Server: {serverUrl}</p>}
      {notice !== null && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
        <div className="field">
          <label htmlFor="username">Username</label>
          <input
            ref={usernameRef}
            id="username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            aria-invalid={isUsernameInvalid}
            aria-describedby={describedBy}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            ref={passwordRef}
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={isPasswordInvalid}
            aria-describedby={describedBy}
          />
        </div>
        <ErrorAlert id={errorId} error={error} />
        {isBusy && <p role="status">Checking your password…</p>}
        <button type="submit" className="button-primary" disabled={isBusy}>
          Sign in
        </button>
      </form>
      <button type="button" className="button-link" disabled={isBusy} onClick={showPasswordReset}>
        Forgot password?
      </button>
      <button type="button" className="button-link" disabled={isBusy} onClick={showAccountSetup}>
        New here? Set up your account
      </button>
    </section>
  );
}
