import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getBridge } from './bridge/get-bridge';
import { createSignInStore } from './stores/sign-in-store';
import { SignInStoreProvider } from './stores/sign-in-store-context';
import './styles.css';

const store = createSignInStore(getBridge());

const container = document.getElementById('root');
if (container === null) {
  throw new Error('index.html has no element with id "root".');
}

createRoot(container).render(
  <StrictMode>
    <SignInStoreProvider store={store}>
      <App />
    </SignInStoreProvider>
  </StrictMode>,
);

void store.getState().initialize();
