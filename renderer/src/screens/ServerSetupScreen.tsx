import { useState, type FormEvent } from 'react';
import type { ServerCertificate } from '../../../electron/shared/bridge';
import { CertificateFingerprint } from '../components/CertificateFingerprint';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatLocalDate } from '../format/time';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'server-setup-error';

/** First run: the person enters the server address, then checks and trusts its certificate. */
export function ServerSetupScreen() {
  const certificate = useSignInStore((state) => state.pendingCertificate);
  const suggestedServerUrl = useSignInStore((state) => state.setup?.suggestedServerUrl ?? '');
  const [serverUrl, setServerUrl] = useState(suggestedServerUrl);

  if (certificate === null) {
    return <ServerAddressForm serverUrl={serverUrl} onServerUrlChange={setServerUrl} />;
  }
  return <CertificateCheck certificate={certificate} />;
}

function ServerAddressForm({ serverUrl, onServerUrlChange }: { serverUrl: string; onServerUrlChange: (value: string) => void }) {
  const error = useSignInStore((state) => state.error);
  const isBusy = useSignInStore((state) => state.isBusy);
  const probeServer = useSignInStore((state) => state.probeServer);
  const addressRef = useFocusOnMount<HTMLInputElement>();

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void probeServer(serverUrl);
  }

  return (
    <section className="card">
      <h1 id="server-setup-heading">Connect to your ClinicGate server</h1>
      <p>
        Enter the address your IT contact gave you. Before connecting, ClinicGate shows the server's certificate so
        you can check it.
      </p>
      <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
        <div className="field">
          <label htmlFor="server-address">Server address</label>
          <input
            ref={addressRef}
            id="server-address"
            name="serverUrl"
            type="url"
            inputMode="url"
            autoComplete="url"
            autoCapitalize="none"
            spellCheck={false}
            required
            placeholder="https://clinicgate.your-clinic.example:8443"
            value={serverUrl}
            onChange={(event) => onServerUrlChange(event.target.value)}
            aria-invalid={error !== null}
            aria-describedby={error === null ? undefined : errorId}
          />
        </div>
        <ErrorAlert id={errorId} error={error} />
        {isBusy && <p role="status">Connecting to the server…</p>}
        <button type="submit" className="button-primary" disabled={isBusy}>
          Connect
        </button>
      </form>
    </section>
  );
}

function CertificateCheck({ certificate }: { certificate: ServerCertificate }) {
  const error = useSignInStore((state) => state.error);
  const isBusy = useSignInStore((state) => state.isBusy);
  const confirmServer = useSignInStore((state) => state.confirmServer);
  const discardCertificate = useSignInStore((state) => state.discardCertificate);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const isOutsideValidity = !isWithinValidity(certificate, Date.now());

  return (
    <section className="card" aria-busy={isBusy}>
      <h1 id="certificate-heading" ref={headingRef} tabIndex={-1}>
        Check the server's certificate
      </h1>
      <p>
        The server at <strong className="break-anywhere">{certificate.serverUrl}</strong> presented this certificate.
      </p>
      <h2 className="label-heading">SHA-256 fingerprint</h2>
      <CertificateFingerprint fingerprint={certificate.fingerprint} />
      <p>
        Compare this fingerprint with the one your IT contact gave you or the one the server printed when it started.
        Trust this server only if every character matches.
      </p>
      <dl className="details">
        <dt>Issued to</dt>
        <dd>{certificate.subject}</dd>
        <dt>Issued by</dt>
        <dd>{certificate.issuer}</dd>
        <dt>Valid</dt>
        <dd>
          {formatLocalDate(certificate.validFrom)} to {formatLocalDate(certificate.validTo)}
        </dd>
      </dl>
      {isOutsideValidity && (
        <p className="warning">
          This certificate is not valid today, so ClinicGate cannot use it. Tell your IT contact.
        </p>
      )}
      <ErrorAlert id={errorId} error={error} />
      <div className="actions">
        <button type="button" className="button-primary" disabled={isBusy} onClick={() => void confirmServer()}>
          Trust this server
        </button>
        <button type="button" className="button-secondary" disabled={isBusy} onClick={discardCertificate}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function isWithinValidity(certificate: ServerCertificate, nowMs: number): boolean {
  const validFromMs = Date.parse(certificate.validFrom);
  const validToMs = Date.parse(certificate.validTo);
  return !(nowMs < validFromMs) && !(nowMs > validToMs);
}
