import { useEffect } from 'react';
import { IdleWarningDialog } from './components/IdleWarningDialog';
import { StorageNotice } from './components/StorageNotice';
import { AuditLogScreen } from './screens/AuditLogScreen';
import { CodeScreen } from './screens/CodeScreen';
import { auditReadPermission, HomeScreen, manageUsersPermission, practiceSettingsPermission } from './screens/HomeScreen';
import { LoadingScreen } from './screens/LoadingScreen';
import { ServerSetupScreen } from './screens/ServerSetupScreen';
import { SignInScreen } from './screens/SignInScreen';
import { TrustedWorkstationsScreen } from './screens/TrustedWorkstationsScreen';
import { ChangePasswordScreen } from './screens/ChangePasswordScreen';
import { PasswordResetScreen } from './screens/PasswordResetScreen';
import { AccountSetupScreen } from './screens/AccountSetupScreen';
import { PracticeSettingsScreen } from './screens/PracticeSettingsScreen';
import { ProfileScreen } from './screens/ProfileScreen';
import { UsersScreen } from './screens/UsersScreen';
import type { SignInPhase } from './stores/sign-in-store';
import { useSignInStore } from './stores/sign-in-store-context';

export function App() {
  const phase = useSignInStore((state) => state.phase);
  const isMemoryStorage = useSignInStore((state) => state.setup?.tokenStorage === 'memory');
  const idleWarning = useSignInStore((state) => (state.phase === 'signed_in' ? state.idleWarning : null));
  const reportActivity = useSignInStore((state) => state.reportActivity);
  useActivityReports(phase === 'signed_in', reportActivity);

  return (
    <main className="page">
      {isMemoryStorage && <StorageNotice />}
      <PhaseScreen phase={phase} />
      {idleWarning !== null && <IdleWarningDialog locksAt={idleWarning.locksAt} onStaySignedIn={reportActivity} />}
    </main>
  );
}

const activityEvents = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/** Reports the person's input to the agent while signed in; the store throttles the reports. */
function useActivityReports(isSignedIn: boolean, reportActivity: () => void) {
  useEffect(() => {
    if (!isSignedIn) {
      return undefined;
    }
    const options = { capture: true, passive: true };
    for (const type of activityEvents) {
      window.addEventListener(type, reportActivity, options);
    }
    return () => {
      for (const type of activityEvents) {
        window.removeEventListener(type, reportActivity, options);
      }
    };
  }, [isSignedIn, reportActivity]);
}

function PhaseScreen({ phase }: { phase: SignInPhase }) {
  switch (phase) {
    case 'loading':
      return <LoadingScreen />;
    case 'server_setup':
      return <ServerSetupScreen />;
    case 'sign_in':
      return <SignInScreen />;
    case 'code':
      return <CodeScreen />;
    case 'signed_in':
      return <SignedInScreen />;
    case 'password_reset':
      return <PasswordResetScreen />;
    case 'account_setup':
      return <AccountSetupScreen />;
  }
}

function SignedInScreen() {
  const view = useSignInStore((state) => state.view);
  const canReadAuditLog = useSignInStore((state) => state.session?.user.permissions.includes(auditReadPermission) ?? false);
  const permissions = useSignInStore((state) => state.session?.user.permissions) ?? [];
  if (view === 'change_password') {
    return <ChangePasswordScreen />;
  }
  if (view === 'trusted_workstations') {
    return <TrustedWorkstationsScreen />;
  }
  if (view === 'profile') {
    return <ProfileScreen />;
  }
  if (view === 'practice_settings' && permissions.includes(practiceSettingsPermission)) {
    return <PracticeSettingsScreen />;
  }
  if (view === 'users' && permissions.includes(manageUsersPermission)) {
    return <UsersScreen />;
  }
  return view === 'audit_log' && canReadAuditLog ? <AuditLogScreen /> : <HomeScreen />;
}
