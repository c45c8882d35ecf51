import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../electron/shared/error-codes';
import { describeBridgeError } from '../../renderer/src/format/error-message';
import { createSignInStore, type SignInStore } from '../../renderer/src/stores/sign-in-store';
import { configuredSetup, createScriptedBridge, sessionView, succeed, type ScriptedBridge } from './scripted-bridge';

async function createSignedInStore(): Promise<{ store: SignInStore; scripted: ScriptedBridge }> {
  const scripted = createScriptedBridge();
  scripted.reply('getSetupState', succeed(configuredSetup));
  scripted.reply('getSession', succeed(sessionView));
  const store = createSignInStore(scripted.bridge);
  await store.getState().initialize();
  return { store, scripted };
}

describe('practice administration in the sign-in store', () => {
  it('explains a session ended by enforcement', async () => {
    const { store, scripted } = await createSignedInStore();
    store.getState().showView('practice_settings');

    scripted.emitAgentEvent({ type: 'session_ended', code: 'SESSION_MFA_REQUIRED' });

    const state = store.getState();
    expect(state.phase).toBe('sign_in');
    expect(state.view).toBe('home');
    expect(state.error?.message).toBe(errorCatalogue.SESSION_MFA_REQUIRED.message);
  });

  it('explains a session ended by an administrator', async () => {
    const { store, scripted } = await createSignedInStore();

    scripted.emitAgentEvent({ type: 'session_ended', code: 'SESSION_REVOKED_BY_ADMIN' });

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error?.code).toBe('SESSION_REVOKED_BY_ADMIN');
  });

  it('counts the sessions after signing out everywhere', async () => {
    const { store } = await createSignedInStore();
    store.getState().showView('profile');

    store.getState().signOutAfterSigningOutEverywhere(3);

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().session).toBeNull();
    expect(store.getState().notice).toBe('You signed out everywhere: 3 sessions ended, including this one. Sign in again to continue.');
  });
});

describe('setting problem text', () => {
  it('shows the problem of a rejected setting', () => {
    const message = describeBridgeError({
      code: 'VALIDATION_FAILED',
      message: errorCatalogue.VALIDATION_FAILED.message,
      field: '/value',
      problem: 'idle_timeout_minutes: expected a whole number from 1 to 1440, got "0".',
    });

    expect(message).toBe('idle_timeout_minutes: expected a whole number from 1 to 1440, got "0".');
  });

  it('adds the problem to other messages', () => {
    const message = describeBridgeError({ code: 'USER_LAST_ADMIN', message: errorCatalogue.USER_LAST_ADMIN.message, problem: 'Robin is the only one.' });

    expect(message).toBe(`${errorCatalogue.USER_LAST_ADMIN.message} Robin is the only one.`);
  });
});
