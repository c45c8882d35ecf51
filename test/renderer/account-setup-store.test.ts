import { describe, expect, it, vi } from 'vitest';
import { accountSetupSuccessMessage, createAccountSetupStore } from '../../renderer/src/stores/account-setup-store';
import { createSignInStore } from '../../renderer/src/stores/sign-in-store';
import { configuredSetup, createScriptedBridge, fail, succeed, testNow } from './scripted-bridge';

const verified = { username: 'Frankie.Desk', passwordPolicy: { minLength: 12, maxLength: 1024 }, codeExpiresAt: '2026-03-05T15:00:00.000Z' };

function createTestStore() {
  const scripted = createScriptedBridge();
  const onFinished = vi.fn();
  const onCancelled = vi.fn();
  const store = createAccountSetupStore(scripted.bridge, { onFinished, onCancelled });
  return { scripted, store, onFinished, onCancelled };
}

describe('account setup store', () => {
  it('goes from setup code to new password', async () => {
    const { scripted, store, onFinished } = createTestStore();
    scripted.reply('verifyAccountSetupCode', succeed(verified));
    scripted.reply('completeAccountSetup', succeed(null));

    await store.getState().verifyCode('  frankie.desk ', '0123 4567');
    await store.getState().setNewPassword('quiet meadow copper kettle', 'quiet meadow copper kettle');

    expect(scripted.callsTo('verifyAccountSetupCode')).toEqual([{ usernameOrEmail: 'frankie.desk', code: '01234567' }]);
    expect(scripted.callsTo('completeAccountSetup')).toEqual([{ newPassword: 'quiet meadow copper kettle' }]);
    expect(store.getState().verified).toEqual(verified);
    expect(onFinished).toHaveBeenCalledWith('Frankie.Desk');
  });

  it('rejects a code of the wrong length without calling the agent', async () => {
    const { scripted, store } = createTestStore();

    await store.getState().verifyCode('frankie.desk', '012345');

    expect(scripted.callsTo('verifyAccountSetupCode')).toEqual([]);
    expect(store.getState().error).toMatchObject({ code: 'VALIDATION_FAILED', field: '/code', message: 'Enter the 8-digit setup code from your welcome email.' });
  });

  it('shows the tries left after a wrong code', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('verifyAccountSetupCode', fail('ACCOUNT_SETUP_CODE_INVALID', { attemptsRemaining: 3 }));

    await store.getState().verifyCode('frankie.desk', '01234567');

    expect(store.getState().step).toBe('code');
    expect(store.getState().error?.message).toBe(
      'The username or setup code is not correct. Check both against your welcome email and try again. You have 3 more tries before this setup code stops working.',
    );
  });

  it('shows the locked message with the administrator step', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('verifyAccountSetupCode', fail('ACCOUNT_SETUP_CODE_LOCKED', { attemptsRemaining: 0 }));

    await store.getState().verifyCode('frankie.desk', '01234567');

    expect(store.getState().error?.code).toBe('ACCOUNT_SETUP_CODE_LOCKED');
    expect(store.getState().error?.message).toContain('Ask your practice administrator to send you a new one.');
  });

  it('keeps the password step after a policy rejection', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('verifyAccountSetupCode', succeed(verified));
    scripted.reply('completeAccountSetup', fail('PASSWORD_BLOCKLISTED'));
    await store.getState().verifyCode('frankie.desk', '01234567');

    await store.getState().setNewPassword('password1234', 'password1234');

    expect(store.getState().step).toBe('new_password');
    expect(store.getState().error?.code).toBe('PASSWORD_BLOCKLISTED');
  });

  it('returns to the code step when the code expired meanwhile', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('verifyAccountSetupCode', succeed(verified));
    scripted.reply('completeAccountSetup', fail('ACCOUNT_SETUP_CODE_EXPIRED'));
    await store.getState().verifyCode('frankie.desk', '01234567');

    await store.getState().setNewPassword('quiet meadow copper kettle', 'quiet meadow copper kettle');

    expect(store.getState().step).toBe('code');
    expect(store.getState().verified).toBeNull();
    expect(store.getState().error?.code).toBe('ACCOUNT_SETUP_CODE_EXPIRED');
  });

  it('tells the agent to forget the code on cancel', async () => {
    const { scripted, store, onCancelled } = createTestStore();
    scripted.reply('cancelAccountSetup', succeed(null));

    await store.getState().cancel();

    expect(scripted.callsTo('cancelAccountSetup')).toEqual([undefined]);
    expect(onCancelled).toHaveBeenCalledOnce();
  });
});

describe('sign-in store account setup phase', () => {
  it('opens from sign-in and returns with the success message', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(null));
    const store = createSignInStore(scripted.bridge, { now: () => testNow });
    await store.getState().initialize();

    store.getState().showAccountSetup();
    const during = store.getState().phase;
    store.getState().finishAccountSetup(accountSetupSuccessMessage('Frankie.Desk'));

    expect(during).toBe('account_setup');
    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().notice).toBe('Your password is set. Sign in with the username Frankie.Desk and your new password.');
  });
});
