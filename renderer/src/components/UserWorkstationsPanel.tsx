import { useEffect, useState } from 'react';
import type { PracticeUserSummary } from '../../../electron/shared/api';
import type { TrustedWorkstation } from '../../../electron/shared/bridge';
import { getBridge } from '../bridge/get-bridge';
import { formatLocalDate, formatLocalTime } from '../format/time';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusAfterRender } from '../hooks/use-focus-after-render';
import { ConfirmPanel } from './ConfirmPanel';
import { ErrorAlert } from './ErrorAlert';

interface UserWorkstationsPanelProps {
  user: PracticeUserSummary;
  onClose(): void;
}

/** Lists a practice user's remembered workstations for an administrator, each with a confirmed "Forget". */
export function UserWorkstationsPanel({ user, onClose }: UserWorkstationsPanelProps) {
  const { run, isBusy, error } = useBridgeAction();
  const [workstations, setWorkstations] = useState<TrustedWorkstation[] | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const focusAfterRender = useFocusAfterRender();
  const idPrefix = `workstations-${user.id}`;
  const resultId = `${idPrefix}-result`;

  useEffect(() => {
    void (async () => {
      const listed = await run(() => getBridge().listPracticeUserWorkstations({ userId: user.id }));
      if (listed !== null) {
        setWorkstations(listed);
      }
    })();
  }, [run, user.id]);

  async function forget(workstation: TrustedWorkstation) {
    setNotice(null);
    const result = await run(() => getBridge().revokePracticeUserWorkstation({ userId: user.id, id: workstation.id }));
    setConfirmingId(null);
    if (result !== null) {
      setWorkstations((current) => (current ?? []).filter((item) => item.id !== workstation.id));
      let sessionsEnded = '';
      if (result.sessionsEnded === 1) {
        sessionsEnded = ' 1 session on it ended.';
      } else if (result.sessionsEnded > 1) {
        sessionsEnded = ` ${result.sessionsEnded} sessions on it ended.`;
      }
      setNotice(`${workstation.name} is forgotten, so ${user.displayName}'s next sign-in there needs a code.${sessionsEnded}`);
    }
    // The confirmation that had focus is gone, so focus moves to the result.
    focusAfterRender(result === null ? `${idPrefix}-error` : resultId);
  }

  const nowMs = Date.now();
  return (
    <section aria-labelledby={`${idPrefix}-heading`}>
      <h3 id={`${idPrefix}-heading`}>Remembered workstations of {user.displayName}</h3>
      <ErrorAlert id={`${idPrefix}-error`} error={error} />
      {notice !== null && (
        <p id={resultId} role="status" className="notice" tabIndex={-1}>
          {notice}
        </p>
      )}
      {workstations !== null && workstations.length === 0 && <p>No workstation is remembered for {user.displayName}.</p>}
      {workstations !== null && workstations.length > 0 && (
        <ul className="workstation-list" aria-label={`Remembered workstations of ${user.displayName}`}>
          {workstations.map((workstation) => (
            <li key={workstation.id} className="workstation" aria-labelledby={`${idPrefix}-${workstation.id}`}>
              <h4 id={`${idPrefix}-${workstation.id}`} className="workstation-name">
                {workstation.name}
              </h4>
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
              <div className="actions">
                <button
                  type="button"
                  className="button-secondary"
                  disabled={isBusy}
                  aria-expanded={confirmingId === workstation.id}
                  onClick={() => setConfirmingId(workstation.id)}
                >
                  Forget
                </button>
              </div>
              {confirmingId === workstation.id && (
                <ConfirmPanel
                  title={`Forget ${workstation.name}?`}
                  confirmLabel="Forget workstation"
                  cancelLabel="Keep it"
                  isBusy={isBusy}
                  onConfirm={() => void forget(workstation)}
                  onCancel={() => setConfirmingId(null)}
                >
                  <p>{user.displayName}'s sessions on it end now, and their next sign-in there needs a code.</p>
                </ConfirmPanel>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onClose}>
          Close workstations
        </button>
      </div>
    </section>
  );
}
