import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { SignInState, SignInStore } from './sign-in-store';

const SignInStoreContext = createContext<SignInStore | null>(null);

export function SignInStoreProvider({ store, children }: { store: SignInStore; children: ReactNode }) {
  return <SignInStoreContext.Provider value={store}>{children}</SignInStoreContext.Provider>;
}

/** Selects a value from the sign-in store. The selector must return one field or another stable reference. */
export function useSignInStore<T>(selector: (state: SignInState) => T): T {
  const store = useContext(SignInStoreContext);
  if (store === null) {
    throw new Error('useSignInStore must be called inside SignInStoreProvider.');
  }
  return useStore(store, selector);
}
