import { ErrorAlert } from '../components/ErrorAlert';
import { useSignInStore } from '../stores/sign-in-store-context';

export function LoadingScreen() {
  const error = useSignInStore((state) => state.error);
  const isBusy = useSignInStore((state) => state.isBusy);
  const initialize = useSignInStore((state) => state.initialize);

  return (
    <section className="card">
      <h1 id="loading-heading">ClinicGate</h1>
      {error === null && <p role="status">Starting ClinicGate…</p>}
      <ErrorAlert id="loading-error" error={error} />
      {error !== null && (
        <button type="button" className="button-primary" disabled={isBusy} onClick={() => void initialize()}>
          Try again
        </button>
      )}
    </section>
  );
}
