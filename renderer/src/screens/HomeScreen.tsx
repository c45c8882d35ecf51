import { useEffect } from 'react';
import type { MfaReason } from '../../../electron/shared/api';
import type { SessionView } from '../../../electron/shared/bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { describeRole } from '../format/sign-in-text';
import { formatLocalTime } from '../format/time';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

/** Permission in the session that unlocks the audit log; only practice administrators have it. */
export const auditReadPermission = 'audit:read';
/** Permissions in the session that unlock Practice Settings and Users; only practice administrators have them. */
export const practiceSettingsPermission = 'practice:settings';
export const manageUsersPermission = 'users:manage';

export function HomeScreen() {
  const session = useSignInStore((state) => state.session);
  if (session === null) {
    return null;
  }
  return <SessionSummary session={session} />;
}

function SessionSummary({ session }: { session: SessionView }) {
  const error = useSignInStore((state) => state.error);
  const isBusy = useSignInStore((state) => state.isBusy);
  const signOut = useSignInStore((state) => state.signOut);
  const refreshSession = useSignInStore((state) => state.refreshSession);
  const showView = useSignInStore((state) => state.showView);
  const signInMfaReason = useSignInStore((state) => state.signInMfaReason);
  const canReadAuditLog = session.user.permissions.includes(auditReadPermission);
  const canChangeSettings = session.user.permissions.includes(practiceSettingsPermission);
  const canManageUsers = session.user.permissions.includes(manageUsersPermission);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  useSessionEndCheck(session.expiresAt, refreshSession);

  return (
    <section className="card">
      <h1 id="home-heading" ref={headingRef} tabIndex={-1}>
        Signed in
      </h1>
      <p className="lead">{session.user.displayName}</p>
      <dl className="details">
        <dt>Role</dt>
        <dd>{describeRole(session.user.role)}</dd>
        <dt>Practice</dt>
        <dd>{session.practice.name}</dd>
        <dt>Username</dt>
        <dd>{session.user.username}</dd>
      </dl>
      <p>Session expires at {formatLocalTime(session.expiresAt, Date.now())}.</p>
      <p>{describeNextSignIn(session.workstationRemembered, signInMfaReason)}</p>
      <ErrorAlert id="home-error" error={error} />
      <button type="button" className="button-secondary home-action" onClick={() => showView('profile')}>
        Profile
      </button>
      <button type="button" className="button-secondary home-action" onClick={() => showView('change_password')}>
        Change password
      </button>
      <button type="button" className="button-secondary home-action" onClick={() => showView('trusted_workstations')}>
        Trusted workstations
      </button>
      {canChangeSettings && (
        <button type="button" className="button-secondary home-action" onClick={() => showView('practice_settings')}>
          Practice settings
        </button>
      )}
      {canManageUsers && (
        <button type="button" className="button-secondary home-action" onClick={() => showView('users')}>
          Users
        </button>
      )}
      {canReadAuditLog && (
        <button type="button" className="button-secondary home-action" onClick={() => showView('audit_log')}>
          Audit log
        </button>
      )}
      <button type="button" className="button-primary" disabled={isBusy} onClick={() => void signOut()}>
        Sign out
      </button>
    </section>
  );
}

function describeNextSignIn(isWorkstationRemembered: boolean, signInMfaReason: MfaReason | null): string {
  if (!isWorkstationRemembered) {
    return 'This workstation is not remembered, so you will need a code at your next sign-in here.';
  }
  // NOTE: after an app restart the reason is unknown, because the session does not say whether the practice requires a code every time.
  if (signInMfaReason === 'required_by_practice') {
    return 'This workstation is remembered, but your practice currently requires a code at every sign-in, so you will need one here too.';
  }
  return 'This workstation is remembered, so you may not need a code at your next sign-in here.';
}

/**
 * Rechecks the session when the window comes back into view and when its absolute lifetime
 * ends, so an ended session does not stay on screen. It does not poll for the idle time-out,
 * because a poll could count as activity and keep the session alive.
 */
function useSessionEndCheck(expiresAt: string, refreshSession: () => Promise<void>) {
  useEffect(() => {
    function handleVisibilityChange() {
      if (document.visibilityState === 'visible') {
        void refreshSession();
      }
    }
    document.addEventListener('visibilitychange', handleVisibilityChange);

    const expiresInMs = Date.parse(expiresAt) - Date.now();
    // setTimeout fires at once for delays above 2^31-1 ms, so a lifetime that long is left to the visibility check.
    const expiryTimer =
      expiresInMs > 0 && expiresInMs < 2 ** 31 - 1
        ? window.setTimeout(() => void refreshSession(), expiresInMs + 1000)
        : undefined;

    return () => {
      document.removeEventListener('visibilitychange', handleVisibilityChange);
      window.clearTimeout(expiryTimer);
    };
  }, [expiresAt, refreshSession]);
}
