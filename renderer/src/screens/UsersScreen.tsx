import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { OtpChannel, PracticeUserAction, PracticeUserSummary, Role } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { UserDetailsForm } from '../components/UserDetailsForm';
import { UserWorkstationsPanel } from '../components/UserWorkstationsPanel';
import { describeRole } from '../format/sign-in-text';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'users-error';
const roles: readonly Role[] = ['clinician', 'front_desk', 'billing', 'practice_admin'];

const actionLabels: Record<PracticeUserAction, string> = {
  deactivate: 'Deactivate',
  reactivate: 'Reactivate',
  unlock: 'Unlock',
  'revoke-sessions': 'Sign out and forget workstations',
};

/**
 * Users: list and search the practice's people, create accounts, edit their name and contacts, change
 * roles, deactivate, unlock or sign out a user, and forget their remembered workstations.
 */
export function UsersScreen() {
  const showView = useSignInStore((state) => state.showView);
  const { run, isBusy, error } = useBridgeAction();
  const [users, setUsers] = useState<PracticeUserSummary[]>([]);
  const [search, setSearch] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [openPanel, setOpenPanel] = useState<{ userId: string; panel: 'edit' | 'workstations' } | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  const load = useCallback(
    async (text: string) => {
      const listed = await run(() => getBridge().listPracticeUsers({ search: text }));
      if (listed !== null) {
        setUsers(listed);
      }
    },
    [run],
  );

  useEffect(() => {
    void load('');
  }, [load]);

  function replaceUser(user: PracticeUserSummary) {
    setUsers((current) => current.map((item) => (item.id === user.id ? user : item)));
  }

  async function administer(user: PracticeUserSummary, action: PracticeUserAction) {
    setNotice(null);
    const result = await run(() => getBridge().administerPracticeUser({ userId: user.id, action }));
    if (result !== null) {
      replaceUser(result.user);
      setNotice(`${actionLabels[action]}: done for ${user.displayName}.${result.sessionsEnded > 0 ? ` ${result.sessionsEnded} session(s) ended.` : ''}`);
    }
  }

  async function sendSetupCode(user: PracticeUserSummary) {
    setNotice(null);
    const result = await run(() => getBridge().sendAccountSetupCode({ userId: user.id }));
    if (result !== null) {
      replaceUser(result.user);
      setNotice(`A new setup code was emailed to ${user.displayName}. The previous code no longer works.`);
    }
  }

  async function changeRole(user: PracticeUserSummary, role: Role) {
    setNotice(null);
    const updated = await run(() => getBridge().updatePracticeUser({ userId: user.id, role }));
    if (updated !== null) {
      replaceUser(updated);
      setNotice(`${user.displayName} is now ${describeRole(role)}.`);
    }
  }

  return (
    <section className="card card-wide" aria-labelledby="users-heading">
      <h1 id="users-heading" ref={headingRef} tabIndex={-1}>
        Users
      </h1>
      <ErrorAlert id={errorId} error={error} />
      {notice !== null && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <form
        className="field"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void load(search);
        }}
      >
        <label htmlFor="user-search">Search by name or username</label>
        <input id="user-search" value={search} maxLength={64} onChange={(event) => setSearch(event.target.value)} />
        <button type="submit" className="button-secondary" disabled={isBusy}>
          Search
        </button>
      </form>
      <ul className="workstation-list" aria-label="Practice users">
        {users.map((user) => (
          <li key={user.id} className="workstation" aria-labelledby={`user-${user.id}`}>
            <h2 id={`user-${user.id}`} className="workstation-name">
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
                value={user.role}
                disabled={isBusy}
                onChange={(event) => void changeRole(user, event.target.value as Role)}
              >
                {roles.map((role) => (
                  <option key={role} value={role}>
                    {describeRole(role)}
                  </option>
                ))}
              </select>
            </div>
            <div className="actions">
              {user.status === 'active' ? (
                <button type="button" className="button-secondary" disabled={isBusy} onClick={() => void administer(user, 'deactivate')}>
                  Deactivate
                </button>
              ) : (
                <button type="button" className="button-secondary" disabled={isBusy} onClick={() => void administer(user, 'reactivate')}>
                  Reactivate
                </button>
              )}
              {user.isLocked && (
                <button type="button" className="button-secondary" disabled={isBusy} onClick={() => void administer(user, 'unlock')}>
                  Unlock
                </button>
              )}
              {user.isSetupPending === true && user.status === 'active' && (
                <button
                  type="button"
                  className="button-secondary"
                  aria-label={`Send ${user.displayName} a new setup code`}
                  disabled={isBusy}
                  onClick={() => void sendSetupCode(user)}
                >
                  Send a new setup code
                </button>
              )}
              <button type="button" className="button-link" disabled={isBusy} onClick={() => void administer(user, 'revoke-sessions')}>
                Sign out and forget workstations
              </button>
              <button
                type="button"
                className="button-secondary"
                aria-label={`Edit ${user.displayName}`}
                aria-expanded={openPanel?.userId === user.id && openPanel.panel === 'edit'}
                onClick={() => {
                  setNotice(null);
                  setOpenPanel({ userId: user.id, panel: 'edit' });
                }}
              >
                Edit
              </button>
              <button
                type="button"
                className="button-secondary"
                aria-label={`Workstations of ${user.displayName}`}
                aria-expanded={openPanel?.userId === user.id && openPanel.panel === 'workstations'}
                onClick={() => {
                  setNotice(null);
                  setOpenPanel({ userId: user.id, panel: 'workstations' });
                }}
              >
                Workstations
              </button>
            </div>
            {openPanel?.userId === user.id && openPanel.panel === 'edit' && (
              <UserDetailsForm
                key={user.id}
                user={user}
                onSaved={(updated, savedNotice) => {
                  replaceUser(updated);
                  setOpenPanel(null);
                  setNotice(savedNotice);
                }}
                onCancel={() => setOpenPanel(null)}
              />
            )}
            {openPanel?.userId === user.id && openPanel.panel === 'workstations' && (
              <UserWorkstationsPanel key={user.id} user={user} onClose={() => setOpenPanel(null)} />
            )}
          </li>
        ))}
      </ul>
      <NewUserForm
        isBusy={isBusy}
        onCreate={async (input) => {
          setNotice(null);
          const created = await run(() => getBridge().createPracticeUser(input));
          if (created !== null) {
            setUsers((current) => [...current, created]);
            setNotice(
              created.setupEmailSent
                ? `${created.displayName} was created. A welcome email with a setup code for choosing their password is on its way; the code works for 72 hours.`
                : `${created.displayName} was created, but the welcome email could not be sent. Check the server's email settings, then choose "Send a new setup code".`,
            );
            return true;
          }
          return false;
        }}
      />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={() => showView('home')}>
          Back
        </button>
      </div>
    </section>
  );
}

interface NewUserInput {
  username: string;
  displayName: string;
  email: string;
  mobile: string | null;
  role: Role;
  preferredChannel: OtpChannel;
}

function NewUserForm({ isBusy, onCreate }: { isBusy: boolean; onCreate(input: NewUserInput): Promise<boolean> }) {
  const empty = { username: '', displayName: '', email: '', mobile: '', role: 'front_desk' as Role, preferredChannel: 'email' as OtpChannel };
  const [form, setForm] = useState(empty);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const mobile = form.mobile.trim() === '' ? null : form.mobile.trim();
    if (await onCreate({ ...form, mobile })) {
      setForm(empty);
    }
  }

  const textField = (field: 'username' | 'displayName' | 'email' | 'mobile', label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={`new-user-${field}`}>{label}</label>
      <input
        id={`new-user-${field}`}
        value={form[field]}
        aria-describedby={errorId}
        onChange={(event) => setForm({ ...form, [field]: event.target.value })}
      />
      {hint !== undefined && <p className="hint">{hint}</p>}
    </div>
  );

  return (
    <form onSubmit={(event) => void handleSubmit(event)} aria-labelledby="new-user-heading">
      <h2 id="new-user-heading">Add a user</h2>
      {textField('username', 'Username')}
      {textField('displayName', 'Name')}
      {textField('email', 'Email', 'The person chooses their own password through this address.')}
      {textField('mobile', 'Mobile (optional)', 'In international form, like +15035550142.')}
      <div className="field">
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" value={form.role} onChange={(event) => setForm({ ...form, role: event.target.value as Role })}>
          {roles.map((role) => (
            <option key={role} value={role}>
              {describeRole(role)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="new-user-channel">Codes go by</label>
        <select
          id="new-user-channel"
          value={form.preferredChannel}
          onChange={(event) => setForm({ ...form, preferredChannel: event.target.value as OtpChannel })}
        >
          <option value="email">Email</option>
          <option value="sms">Text message</option>
        </select>
      </div>
      <button type="submit" className="button-primary" disabled={isBusy}>
        Add user
      </button>
    </form>
  );
}
