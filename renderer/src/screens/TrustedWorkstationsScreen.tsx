import { useEffect, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { TrustedWorkstation } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatLocalDate, formatLocalTime } from '../format/time';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';
import { createTrustedWorkstationsStore, type TrustedWorkstationsStore } from '../stores/trusted-workstations-store';

const errorId = 'workstations-error';
const maxLabelLength = 100;

/** Shows the signed-in user's remembered workstations, each with a confirmed "Revoke" and a label editor. */
export function TrustedWorkstationsScreen() {
  const showPreviousView = useSignInStore((state) => state.showPreviousView);
  const refreshSession = useSignInStore((state) => state.refreshSession);
  const signOutAfterWorkstationRevoked = useSignInStore((state) => state.signOutAfterWorkstationRevoked);
  const [store] = useState<TrustedWorkstationsStore>(() =>
    createTrustedWorkstationsStore(getBridge(), {
      onSessionError: (error) => {
        if (error.code === 'SESSION_EXPIRED' || error.code === 'SESSION_INVALID' || error.code === 'SESSION_DEVICE_MISMATCH') {
          void refreshSession();
        }
      },
      onThisWorkstationRevoked: signOutAfterWorkstationRevoked,
    }),
  );
  const workstations = useStore(store, (state) => state.workstations);
  const hasLoaded = useStore(store, (state) => state.hasLoaded);
  const error = useStore(store, (state) => state.error);
  const notice = useStore(store, (state) => state.notice);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  useEffect(() => {
    void store.getState().load();
  }, [store]);

  return (
    <section className="card card-wide" aria-labelledby="workstations-heading">
      <h1 id="workstations-heading" ref={headingRef} tabIndex={-1}>
        Trusted workstations
      </h1>
      <p className="hint">
        These workstations can sign in to your account with your password alone until their trust expires. A sign-in from an
        unusual location still asks for a code. Revoke any workstation you do not recognize or no longer use.
      </p>
      <ErrorAlert id={errorId} error={error} />
      {notice !== null && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {hasLoaded && workstations.length === 0 && <p>No workstation is remembered for your account.</p>}
      {workstations.length > 0 && (
        <ul className="workstation-list" aria-label="Remembered workstations">
          {workstations.map((workstation) => (
            <WorkstationRow key={workstation.id} store={store} workstation={workstation} />
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="button-secondary" onClick={showPreviousView}>
          Back
        </button>
      </div>
    </section>
  );
}

function WorkstationRow({ store, workstation }: { store: TrustedWorkstationsStore; workstation: TrustedWorkstation }) {
  const isConfirming = useStore(store, (state) => state.confirmingId === workstation.id);
  const isBusy = useStore(store, (state) => state.isBusy);
  const [isRenaming, setIsRenaming] = useState(false);
  const nowMs = Date.now();
  const headingId = `workstation-${workstation.id}`;

  return (
    <li className="workstation" aria-labelledby={headingId}>
      <h2 id={headingId} className="workstation-name">
        {workstation.name}
        {workstation.isCurrentDevice && <span className="badge">This workstation</span>}
      </h2>
      <dl className="details">
        {workstation.label !== null && workstation.hostname !== null && (
          <>
            <dt>Computer name</dt>
            <dd>{workstation.hostname}</dd>
          </>
        )}
        <dt>First used</dt>
        <dd>{formatLocalTime(workstation.firstUsedAt, nowMs)}</dd>
        <dt>Last used</dt>
        <dd>{workstation.lastUsedAt === null ? 'Not yet' : formatLocalTime(workstation.lastUsedAt, nowMs)}</dd>
        <dt>Last location</dt>
        <dd>{workstation.lastLocation ?? 'Unknown'}</dd>
        <dt>Trust expires</dt>
        <dd>{formatLocalDate(workstation.expiresAt)}</dd>
      </dl>
      {isRenaming ? (
        <RenameForm store={store} workstation={workstation} onDone={() => setIsRenaming(false)} />
      ) : isConfirming ? (
        <RevokeConfirmation store={store} workstation={workstation} />
      ) : (
        <div className="actions">
          <button type="button" className="button-secondary" disabled={isBusy} onClick={() => store.getState().askToRevoke(workstation.id)}>
            Revoke
          </button>
          <button type="button" className="button-link" disabled={isBusy} onClick={() => setIsRenaming(true)}>
            Rename
          </button>
        </div>
      )}
    </li>
  );
}

function RevokeConfirmation({ store, workstation }: { store: TrustedWorkstationsStore; workstation: TrustedWorkstation }) {
  const isBusy = useStore(store, (state) => state.isBusy);
  const consequence = workstation.isCurrentDevice
    ? 'This is the workstation you are using: you will be signed out here, and your next sign-in here needs a code.'
    : 'Its sessions end now, and its next sign-in needs a code.';
  return (
    <div role="alertdialog" aria-label={`Revoke ${workstation.name}?`} className="warning">
      <p>
        Revoke {workstation.name}? {consequence}
      </p>
      <div className="actions">
        <button type="button" className="button-primary" disabled={isBusy} onClick={() => void store.getState().confirmRevoke()}>
          Revoke workstation
        </button>
        <button type="button" className="button-secondary" disabled={isBusy} onClick={() => store.getState().cancelRevoke()}>
          Keep it
        </button>
      </div>
    </div>
  );
}

function RenameForm({ store, workstation, onDone }: { store: TrustedWorkstationsStore; workstation: TrustedWorkstation; onDone: () => void }) {
  const isBusy = useStore(store, (state) => state.isBusy);
  const [label, setLabel] = useState(workstation.label ?? '');
  const inputId = `label-${workstation.id}`;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = label.trim();
    if (await store.getState().rename(workstation.id, trimmed === '' ? null : trimmed)) {
      onDone();
    }
  }

  return (
    <form onSubmit={(event) => void handleSubmit(event)}>
      <div className="field">
        <label htmlFor={inputId}>Workstation label</label>
        <input id={inputId} value={label} maxLength={maxLabelLength} onChange={(event) => setLabel(event.target.value)} />
        <p className="hint">Leave it empty to show the computer name{workstation.hostname === null ? '' : ` (${workstation.hostname})`}.</p>
      </div>
      <div className="actions">
        <button type="submit" className="button-primary" disabled={isBusy}>
          Save label
        </button>
        <button type="button" className="button-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
