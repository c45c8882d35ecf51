import { describe, expect, it, vi } from 'vitest';
import type { PasswordResetCodeStep } from '../../electron/shared/bridge';
import { createPasswordResetStore, passwordResetSuccessMessage } from '../../renderer/src/stores/password-reset-store';
import { createSignInStore } from '../../renderer/src/stores/sign-in-store';
import { configuredSetup, createScriptedBridge, fail, sessionView, succeed, testNow } from './scripted-bridge';

const codeStep: PasswordResetCodeStep = {
  destination: 'd•••@cedar.example',
  codeExpiresAt: '2026-03-02T15:10:00.000Z',
  resendAvailableAt: '2026-03-02T15:00:30.000Z',
  expiresAt: '2026-03-02T15:30:00.000Z',
};
const policy = { minLength: 12, maxLength: 1024 };

function createTestStore() {
  const scripted = createScriptedBridge();
  const onFinished = vi.fn();
  const onCancelled = vi.fn();
  const store = createPasswordResetStore(scripted.bridge, { onFinished, onCancelled });
  return { scripted, store, onFinished, onCancelled };
}

describe('password reset store', () => {
  it('goes from email to code to new password', async () => {
    const { scripted, store, onFinished } = createTestStore();
    scripted.reply('startPasswordReset', succeed(codeStep));
    scripted.reply('verifyPasswordResetCode', succeed({ passwordPolicy: policy, expiresAt: '2026-03-02T15:10:00.000Z' }));
    scripted.reply('completePasswordReset', succeed(null));

    await store.getState().requestCode('  dana@cedar.example ');
    await store.getState().verifyCode('012 345');
    await store.getState().setNewPassword('violet harbor lantern 58', 'violet harbor lantern 58');

    expect(scripted.callsTo('startPasswordReset')).toEqual([{ email: 'dana@cedar.example' }]);
    expect(scripted.callsTo('verifyPasswordResetCode')).toEqual([{ code: '012345' }]);
    expect(store.getState().passwordPolicy).toEqual(policy);
    expect(onFinished).toHaveBeenCalledOnce();
  });

  it('rejects mismatched confirmation without calling the agent', async () => {
    const { scripted, store, onFinished } = createTestStore();

    await store.getState().setNewPassword('violet harbor lantern 58', 'violet harbor lantern 59');

    expect(scripted.callsTo('completePasswordReset')).toEqual([]);
    expect(store.getState().error?.message).toBe('The two new passwords do not match. Type the same password in both fields.');
    expect(onFinished).not.toHaveBeenCalled();
  });

  it('keeps the new-password step after a policy rejection', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('startPasswordReset', succeed(codeStep));
    scripted.reply('verifyPasswordResetCode', succeed({ passwordPolicy: policy, expiresAt: '2026-03-02T15:10:00.000Z' }));
    scripted.reply('completePasswordReset', fail('PASSWORD_BLOCKLISTED'));
    await store.getState().requestCode('dana@cedar.example');
    await store.getState().verifyCode('012345');

    await store.getState().setNewPassword('password1234', 'password1234');

    expect(store.getState().step).toBe('new_password');
    expect(store.getState().error?.code).toBe('PASSWORD_BLOCKLISTED');
  });

  it('starts over after an expired reset with reset wording', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('startPasswordReset', succeed(codeStep));
    scripted.reply('verifyPasswordResetCode', fail('OTP_CHALLENGE_EXPIRED'));
    await store.getState().requestCode('dana@cedar.example');

    await store.getState().verifyCode('012345');

    expect(store.getState().step).toBe('email');
    expect(store.getState().error?.message).toBe('This password reset expired. Enter your email address to get a new code.');
  });

  it('locks the code step after the last wrong code', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('startPasswordReset', succeed(codeStep));
    scripted.reply('verifyPasswordResetCode', fail('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 }));
    await store.getState().requestCode('dana@cedar.example');

    await store.getState().verifyCode('012345');

    expect(store.getState().isCodeLocked).toBe(true);
    expect(store.getState().step).toBe('code');
  });
});

describe('sign-in store around a reset', () => {
  it('shows the success message on the sign-in screen after a reset', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(null));
    const store = createSignInStore(scripted.bridge, { now: () => testNow });
    await store.getState().initialize();

    store.getState().showPasswordReset();
    const phaseDuringReset = store.getState().phase;
    store.getState().finishPasswordReset(passwordResetSuccessMessage);

    expect(phaseDuringReset).toBe('password_reset');
    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().notice).toBe(passwordResetSuccessMessage);
  });

  it('returns to sign-in when another app changed the password', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(sessionView));
    const store = createSignInStore(scripted.bridge, { now: () => testNow });
    await store.getState().initialize();

    scripted.emitAgentEvent({ type: 'session_ended', code: 'SESSION_PASSWORD_CHANGED' });

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error?.code).toBe('SESSION_PASSWORD_CHANGED');
  });
});
