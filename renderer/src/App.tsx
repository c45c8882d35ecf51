import { StorageNotice } from './components/StorageNotice';
import { CodeScreen } from './screens/CodeScreen';
import { HomeScreen } from './screens/HomeScreen';
import { LoadingScreen } from './screens/LoadingScreen';
import { ServerSetupScreen } from './screens/ServerSetupScreen';
import { SignInScreen } from './screens/SignInScreen';
import type { SignInPhase } from './stores/sign-in-store';
import { useSignInStore } from './stores/sign-in-store-context';

export function App() {
  const phase = useSignInStore((state) => state.phase);
  const isMemoryStorage = useSignInStore((state) => state.setup?.tokenStorage === 'memory');

  return (
    <main className="page">
      {isMemoryStorage && <StorageNotice />}
      <PhaseScreen phase={phase} />
    </main>
  );
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
      return <HomeScreen />;
  }
}
