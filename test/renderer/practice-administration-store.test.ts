import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../electron/shared/error-codes';
import type { UpdatedPracticeUser } from '../../electron/shared/bridge';
import { describeBridgeError } from '../../renderer/src/format/error-message';
import { describeSavedUserChange } from '../../renderer/src/format/user-administration-text';
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

describe('setup code text on the Users screen', () => {
  const pendingUser: UpdatedPracticeUser = {
    id: 'user-1',
    username: 'kim.clinician',
    displayName: 'Kim Clinician',
    role: 'clinician',
    status: 'active',
    isLocked: false,
    email: 'k•••@demo-clinic.example',
    mobile: null,
    isSetupPending: true,
  };
  const emailChange = { userId: 'user-1', email: 'kim@demo-clinic.example' };

  it('names the address of the new code', () => {
    const text = describeSavedUserChange({ ...pendingUser, setupEmailSent: true }, emailChange);

    expect(text).toContain('A new setup code was emailed to k•••@demo-clinic.example, and the setup code sent to the old address no longer works.');
  });

  it('asks for a resend after a failure', () => {
    const text = describeSavedUserChange({ ...pendingUser, setupEmailSent: false }, emailChange);

    expect(text).toContain(
      'The new address did not receive a setup code, and the setup code sent to the old address no longer works. Use "Send a new setup code" to try again.',
    );
  });

  it('asks to reactivate first', () => {
    const text = describeSavedUserChange({ ...pendingUser, status: 'deactivated', setupEmailSent: false }, emailChange);

    expect(text).toContain('To send one to the new address, reactivate Kim Clinician and use "Send a new setup code".');
  });

  it('omits setup codes otherwise', () => {
    const text = describeSavedUserChange({ ...pendingUser, isSetupPending: false }, emailChange);

    expect(text).toBe(
      'Saved the changes for Kim Clinician. Codes by email go to k•••@demo-clinic.example. The previous contact details get a notice about the change.',
    );
  });

  it('adds the wait to the cooldown', () => {
    const message = describeBridgeError({ code: 'OTP_RESEND_COOLDOWN', message: errorCatalogue.OTP_RESEND_COOLDOWN.message, retryAfterSeconds: 25 });

    expect(message).toBe('A code was just sent. Wait before asking for another. You can try again in about 25 seconds.');
  });
});
