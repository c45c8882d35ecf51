import { useState } from 'react';
import type { PracticeUserAction, PracticeUserSummary, Role } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { describeBridgeError } from '../format/error-message';
import { describeRole } from '../format/sign-in-text';
import { describeUserActionResult } from '../format/user-administration-text';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusAfterRender } from '../hooks/use-focus-after-render';
import { ConfirmPanel } from './ConfirmPanel';
import { FormResult } from './FormResult';
import { UserDetailsForm } from './UserDetailsForm';
import { UserWorkstationsPanel } from './UserWorkstationsPanel';

const roles: readonly Role[] = ['clinician', 'front_desk', 'billing', 'practice_admin'];

/** An action that affects the user at once, waiting for the administrator to confirm it. */
type PendingChange = { kind: 'deactivate' } | { kind: 'revoke-sessions' } | { kind: 'role'; role: Role };

interface PracticeUserCardProps {
  user: PracticeUserSummary;
  onUserChanged(user: PracticeUserSummary): void;
}

/**
 * Shows one user on the Users screen with the administrator's actions on them. Actions that affect
 * the person at once (deactivate, sign out, a new role) need a confirmation, and each result shows in the card.
 */
export function PracticeUserCard({ user, onUserChanged }: PracticeUserCardProps) {
  const { run, isBusy, error } = useBridgeAction();
  const [pendingChange, setPendingChange] = useState<PendingChange | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [openPanel, setOpenPanel] = useState<'edit' | 'workstations' | null>(null);
  const focusAfterRender = useFocusAfterRender();
  const idPrefix = `user-${user.id}`;
  const resultId = `${idPrefix}-result`;

  async function administer(action: PracticeUserAction) {
    setPendingChange(null);
    setNotice(null);
    const result = await run(() => getBridge().administerPracticeUser({ userId: user.id, action }));
    if (result !== null) {
      onUserChanged(result.user);
      setNotice(describeUserActionResult(action, user.displayName, result.sessionsEnded));
    }
    focusAfterRender(resultId);
  }

  async function sendSetupCode() {
    setNotice(null);
    const result = await run(() => getBridge().sendAccountSetupCode({ userId: user.id }));
    if (result !== null) {
      onUserChanged(result.user);
      setNotice(`A new setup code was emailed to ${user.displayName}. The previous code no longer works.`);
    }
    focusAfterRender(resultId);
  }

  async function changeRole(role: Role) {
    setPendingChange(null);
    setNotice(null);
    const updated = await run(() => getBridge().updatePracticeUser({ userId: user.id, role }));
    if (updated !== null) {
      onUserChanged(updated);
      setNotice(`${user.displayName}'s role is now ${describeRole(role)}.`);
    }
    focusAfterRender(resultId);
  }

  function openUserPanel(panel: 'edit' | 'workstations') {
    setNotice(null);
    setPendingChange(null);
    setOpenPanel(panel);
  }

  const shownRole = pendingChange?.kind === 'role' ? pendingChange.role : user.role;
  return (
    <li className="workstation" aria-labelledby={idPrefix}>
      <h2 id={idPrefix} className="workstation-name">
        {user.displayName}
        {user.status === 'deactivated' && <span className="badge">Deactivated</span>}
        {user.isLocked && <span className="badge">Locked</span>}
        {user.isSetupPending === true && <span className="badge">Setup pending</span>}
      </h2>
      <dl className="details">
        <dt>Username</dt>
        <dd>{user.username}</dd>
        <dt>Email</dt>
        <dd>{user.email ?? 'None'}</dd>
        <dt>Mobile</dt>
        <dd>{user.mobile ?? 'None'}</dd>
      </dl>
      <div className="field">
        <label htmlFor={`role-${user.id}`}>Role</label>
        <select
          id={`role-${user.id}`}
          value={shownRole}
          disabled={isBusy}
          onChange={(event) => {
            const role = event.target.value as Role;
            setNotice(null);
            setPendingChange(role === user.role ? null : { kind: 'role', role });
          }}
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {describeRole(role)}
            </option>
          ))}
        </select>
      </div>
      {pendingChange?.kind === 'role' && (
        <ConfirmPanel
          title={`Change ${user.displayName}'s role to ${describeRole(pendingChange.role)}?`}
          confirmLabel="Change role"
          cancelLabel={`Keep ${describeRole(user.role)}`}
          isBusy={isBusy}
          openerId={`role-${user.id}`}
          onConfirm={() => void changeRole(pendingChange.role)}
          onCancel={() => setPendingChange(null)}
        >
          <p>
            The new role applies at once, also on workstations where {user.displayName} is signed in now, so what they can open changes
            right away.
          </p>
        </ConfirmPanel>
      )}
      <div className="actions">
        {user.status === 'active' ? (
          <button
            type="button"
            className="button-secondary"
            disabled={isBusy}
            aria-expanded={pendingChange?.kind === 'deactivate'}
            onClick={() => setPendingChange({ kind: 'deactivate' })}
          >
            Deactivate
          </button>
        ) : (
          <button type="button" className="button-secondary" disabled={isBusy} onClick={() => void administer('reactivate')}>
            Reactivate
          </button>
        )}
        {user.isLocked && (
          <button type="button" className="button-secondary" disabled={isBusy} onClick={() => void administer('unlock')}>
            Unlock
          </button>
        )}
        {user.isSetupPending === true && user.status === 'active' && (
          <button
            type="button"
            className="button-secondary"
            aria-label={`Send ${user.displayName} a new setup code`}
            disabled={isBusy}
            onClick={() => void sendSetupCode()}
          >
            Send a new setup code
          </button>
        )}
        <button
          type="button"
          className="button-link"
          disabled={isBusy}
          aria-expanded={pendingChange?.kind === 'revoke-sessions'}
          onClick={() => setPendingChange({ kind: 'revoke-sessions' })}
        >
          Sign out and forget workstations
        </button>
        <button
          type="button"
          className="button-secondary"
          aria-label={`Edit ${user.displayName}`}
          aria-expanded={openPanel === 'edit'}
          onClick={() => openUserPanel('edit')}
        >
          Edit
        </button>
        <button
          type="button"
          className="button-secondary"
          aria-label={`Workstations of ${user.displayName}`}
          aria-expanded={openPanel === 'workstations'}
          onClick={() => openUserPanel('workstations')}
        >
          Workstations
        </button>
      </div>
      {pendingChange?.kind === 'deactivate' && (
        <ConfirmPanel
          title={`Deactivate ${user.displayName}?`}
          confirmLabel="Deactivate and sign out"
          cancelLabel="Keep active"
          isBusy={isBusy}
          onConfirm={() => void administer('deactivate')}
          onCancel={() => setPendingChange(null)}
        >
          <p>
            {user.displayName} is signed out on every workstation at once and cannot sign in until an administrator reactivates the
            account.
          </p>
        </ConfirmPanel>
      )}
      {pendingChange?.kind === 'revoke-sessions' && (
        <ConfirmPanel
          title={`Sign out ${user.displayName} and forget their workstations?`}
          confirmLabel="Sign out and forget"
          cancelLabel="Keep signed in"
          isBusy={isBusy}
          onConfirm={() => void administer('revoke-sessions')}
          onCancel={() => setPendingChange(null)}
        >
          <p>
            Every session of {user.displayName} ends at once, on every workstation, and their next sign-in on any workstation needs a
            code.
          </p>
        </ConfirmPanel>
      )}
      <FormResult id={resultId} problem={error === null ? null : describeBridgeError(error)} notice={notice} />
      {openPanel === 'edit' && (
        <UserDetailsForm
          user={user}
          onSaved={(updated, savedNotice) => {
            onUserChanged(updated);
            setOpenPanel(null);
            setNotice(savedNotice);
            focusAfterRender(resultId);
          }}
          onCancel={() => setOpenPanel(null)}
        />
      )}
      {openPanel === 'workstations' && <UserWorkstationsPanel user={user} onClose={() => setOpenPanel(null)} />}
    </li>
  );
}
