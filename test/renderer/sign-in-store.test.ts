import { describe, expect, it } from 'vitest';
import type { BridgeResult, CodeDelivery } from '../../electron/shared/bridge';
import { createSignInStore, selectAlternativeChannel, type SignInStore } from '../../renderer/src/stores/sign-in-store';
import {
  codeDelivery,
  codeRequired,
  configuredSetup,
  createScriptedBridge,
  fail,
  firstRunSetup,
  serverCertificate,
  sessionView,
  succeed,
  testNow,
  type ScriptedBridge,
} from './scripted-bridge';

function createTestStore(scripted: ScriptedBridge): SignInStore {
  return createSignInStore(scripted.bridge, { now: () => testNow });
}

/** Builds a store that is on the code screen after a password that needs a code, sent by SMS. */
async function createStoreAtCodeStep(): Promise<{ store: SignInStore; scripted: ScriptedBridge }> {
  const scripted = createScriptedBridge();
  scripted.reply('getSetupState', succeed(configuredSetup));
  scripted.reply('getSession', succeed(null));
  scripted.reply('submitPassword', succeed(codeRequired));
  scripted.reply('sendCode', succeed(codeDelivery('sms')));
  const store = createTestStore(scripted);
  await store.getState().initialize();
  await store.getState().submitPassword('frontdesk1', 'correct horse battery');
  return { store, scripted };
}

function serializeState(store: SignInStore): string {
  return JSON.stringify(store.getState());
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

describe('initialize', () => {
  it('shows server setup when no server is configured', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(firstRunSetup));
    const store = createTestStore(scripted);

    await store.getState().initialize();

    expect(store.getState().phase).toBe('server_setup');
    expect(store.getState().setup).toEqual(firstRunSetup);
    expect(scripted.callsTo('getSession')).toHaveLength(0);
  });

  it('shows sign-in when there is no session', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(null));
    const store = createTestStore(scripted);

    await store.getState().initialize();

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error).toBeNull();
    expect(store.getState().isBusy).toBe(false);
  });

  it('shows the home screen for a stored session', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(sessionView));
    const store = createTestStore(scripted);

    await store.getState().initialize();

    expect(store.getState().phase).toBe('signed_in');
    expect(store.getState().session).toEqual(sessionView);
  });

  it('stays on loading with the error when the bridge fails', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', fail('BRIDGE_UNAUTHORIZED'));
    const store = createTestStore(scripted);

    await store.getState().initialize();

    expect(store.getState().phase).toBe('loading');
    expect(store.getState().error?.code).toBe('BRIDGE_UNAUTHORIZED');
    expect(store.getState().isBusy).toBe(false);
  });

  it('shows sign-in with the error when the session check fails', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', fail('SERVER_UNREACHABLE'));
    const store = createTestStore(scripted);

    await store.getState().initialize();

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error?.code).toBe('SERVER_UNREACHABLE');
  });

  it('turns a rejected bridge call into INTERNAL_ERROR', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', () => Promise.reject(new Error('preload crashed')));
    const store = createTestStore(scripted);

    await store.getState().initialize();

    expect(store.getState().error?.code).toBe('INTERNAL_ERROR');
    expect(store.getState().error?.message).not.toContain('preload crashed');
    expect(store.getState().isBusy).toBe(false);
  });
});

describe('server setup', () => {
  async function createStoreAtServerSetup() {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(firstRunSetup));
    const store = createTestStore(scripted);
    await store.getState().initialize();
    return { store, scripted };
  }

  it('holds the probed certificate for confirmation', async () => {
    const { store, scripted } = await createStoreAtServerSetup();
    scripted.reply('probeServer', succeed(serverCertificate));

    await store.getState().probeServer('  https://clinicgate.test.example:8443 ');

    expect(scripted.callsTo('probeServer')).toEqual([{ serverUrl: 'https://clinicgate.test.example:8443' }]);
    expect(store.getState().pendingCertificate).toEqual(serverCertificate);
    expect(store.getState().phase).toBe('server_setup');
  });

  it('saves the confirmed fingerprint and moves to sign-in', async () => {
    const { store, scripted } = await createStoreAtServerSetup();
    scripted.reply('probeServer', succeed(serverCertificate));
    scripted.reply('saveServer', succeed(configuredSetup));
    await store.getState().probeServer(serverCertificate.serverUrl);

    await store.getState().confirmServer();

    expect(scripted.callsTo('saveServer')).toEqual([
      { serverUrl: serverCertificate.serverUrl, fingerprint: serverCertificate.fingerprint },
    ]);
    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().setup).toEqual(configuredSetup);
    expect(store.getState().pendingCertificate).toBeNull();
  });

  it('drops the certificate when the server now presents another', async () => {
    const { store, scripted } = await createStoreAtServerSetup();
    scripted.reply('probeServer', succeed(serverCertificate));
    scripted.reply('saveServer', fail('SERVER_CERTIFICATE_MISMATCH'));
    await store.getState().probeServer(serverCertificate.serverUrl);

    await store.getState().confirmServer();

    expect(store.getState().phase).toBe('server_setup');
    expect(store.getState().pendingCertificate).toBeNull();
    expect(store.getState().error?.code).toBe('SERVER_CERTIFICATE_MISMATCH');
  });

  it('rejects an empty address without calling the bridge', async () => {
    const { store, scripted } = await createStoreAtServerSetup();

    await store.getState().probeServer('   ');

    expect(store.getState().error?.code).toBe('SERVER_ADDRESS_INVALID');
    expect(scripted.callsTo('probeServer')).toHaveLength(0);
  });

  it('discards the certificate on cancel', async () => {
    const { store, scripted } = await createStoreAtServerSetup();
    scripted.reply('probeServer', succeed(serverCertificate));
    await store.getState().probeServer(serverCertificate.serverUrl);

    store.getState().discardCertificate();

    expect(store.getState().pendingCertificate).toBeNull();
    expect(scripted.callsTo('saveServer')).toHaveLength(0);
  });
});

describe('password step', () => {
  async function createStoreAtSignIn() {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(null));
    const store = createTestStore(scripted);
    await store.getState().initialize();
    return { store, scripted };
  }

  it('signs in directly on a remembered workstation', async () => {
    const { store, scripted } = await createStoreAtSignIn();
    scripted.reply('submitPassword', succeed({ status: 'signed_in', session: sessionView }));

    await store.getState().submitPassword(' frontdesk1 ', 'correct horse battery');

    expect(scripted.callsTo('submitPassword')).toEqual([{ username: 'frontdesk1', password: 'correct horse battery' }]);
    expect(store.getState().phase).toBe('signed_in');
    expect(store.getState().session).toEqual(sessionView);
  });

  it('keeps sign-in with the error after a wrong password', async () => {
    const { store, scripted } = await createStoreAtSignIn();
    scripted.reply('submitPassword', fail('AUTH_INVALID_CREDENTIALS'));

    await store.getState().submitPassword('frontdesk1', 'wrong password');

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error?.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(store.getState().isBusy).toBe(false);
  });

  it('rejects an empty password without calling the bridge', async () => {
    const { store, scripted } = await createStoreAtSignIn();

    await store.getState().submitPassword('frontdesk1', '');

    expect(store.getState().error?.code).toBe('VALIDATION_FAILED');
    expect(scripted.callsTo('submitPassword')).toHaveLength(0);
  });

  it('ignores a second submit while the first is running', async () => {
    const { store, scripted } = await createStoreAtSignIn();
    const pending = deferred<BridgeResult<typeof codeRequired>>();
    scripted.reply('submitPassword', () => pending.promise);

    const first = store.getState().submitPassword('frontdesk1', 'correct horse battery');
    await store.getState().submitPassword('frontdesk1', 'correct horse battery');
    pending.resolve(fail('AUTH_INVALID_CREDENTIALS'));
    await first;

    expect(scripted.callsTo('submitPassword')).toHaveLength(1);
  });

  it('returns to server setup when the agent has no server', async () => {
    const { store, scripted } = await createStoreAtSignIn();
    scripted.reply('submitPassword', fail('SERVER_NOT_CONFIGURED'));

    await store.getState().submitPassword('frontdesk1', 'correct horse battery');

    expect(store.getState().phase).toBe('server_setup');
    expect(store.getState().error?.code).toBe('SERVER_NOT_CONFIGURED');
  });
});

describe('entering the code step', () => {
  it('sends a code to the preferred channel', async () => {
    const { store, scripted } = await createStoreAtCodeStep();

    const codeStep = store.getState().codeStep;

    expect(store.getState().phase).toBe('code');
    expect(scripted.callsTo('sendCode')).toEqual([{ channel: 'sms' }]);
    expect(codeStep?.reason).toBe('new_workstation');
    expect(codeStep?.channel).toBe('sms');
    expect(codeStep?.sentCode).toEqual({
      channel: 'sms',
      destination: '***-***-1234',
      expiresAt: '2026-03-02T15:10:00.000Z',
    });
    expect(codeStep?.resendAvailableAt).toBe('2026-03-02T15:00:30.000Z');
    expect(codeStep?.sendsRemainingThisHour).toBe(4);
    expect(codeStep?.attemptsRemaining).toBe(5);
    expect(codeStep?.isLocked).toBe(false);
    expect(codeStep?.isSending).toBe(false);
    expect(store.getState().isBusy).toBe(false);
    expect(scripted.unscriptedCalls).toEqual([]);
  });

  it('falls back to an offered channel when the preferred one is missing', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('submitPassword', succeed({ ...codeRequired, channels: [codeRequired.channels[0]!] }));
    scripted.reply('sendCode', succeed(codeDelivery('email')));
    const store = createTestStore(scripted);

    await store.getState().submitPassword('frontdesk1', 'correct horse battery');

    expect(scripted.callsTo('sendCode')).toEqual([{ channel: 'email' }]);
    expect(store.getState().codeStep?.sentCode?.channel).toBe('email');
  });

  it('keeps the code screen when the first send fails', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('submitPassword', succeed(codeRequired));
    scripted.reply('sendCode', fail('DELIVERY_FAILED', { channels: ['email'] }));
    const store = createTestStore(scripted);

    await store.getState().submitPassword('frontdesk1', 'correct horse battery');

    expect(store.getState().phase).toBe('code');
    expect(store.getState().codeStep?.sentCode).toBeNull();
    expect(store.getState().error?.code).toBe('DELIVERY_FAILED');
    expect(selectAlternativeChannel(store.getState())?.channel).toBe('email');
  });
});

describe('code step', () => {
  it('records attempts left after a wrong code', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('verifyCode', fail('OTP_CODE_INVALID', { attemptsRemaining: 3 }));

    await store.getState().verifyCode('111111', true);

    expect(store.getState().phase).toBe('code');
    expect(store.getState().codeStep?.attemptsRemaining).toBe(3);
    expect(store.getState().codeStep?.hasRejectedCode).toBe(true);
    expect(store.getState().error?.code).toBe('OTP_CODE_INVALID');
  });

  it('treats a wrong code with no attempts left as locked', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('verifyCode', fail('OTP_CODE_INVALID', { attemptsRemaining: 0 }));

    await store.getState().verifyCode('111111', true);

    expect(store.getState().codeStep?.isLocked).toBe(true);
    expect(store.getState().error?.code).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('locks on OTP_CHALLENGE_LOCKED and unlocks after a new code', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('verifyCode', fail('OTP_CHALLENGE_LOCKED'));
    scripted.reply('sendCode', succeed(codeDelivery('sms', { resendAvailableAt: '2026-03-02T15:01:30.000Z' })));

    await store.getState().verifyCode('123456', true);
    const lockedStep = store.getState().codeStep;
    await store.getState().sendCode('sms');

    expect(lockedStep?.isLocked).toBe(true);
    expect(lockedStep?.attemptsRemaining).toBe(0);
    expect(store.getState().codeStep?.isLocked).toBe(false);
    expect(store.getState().codeStep?.attemptsRemaining).toBe(5);
    expect(store.getState().codeStep?.resendAvailableAt).toBe('2026-03-02T15:01:30.000Z');
    expect(store.getState().error).toBeNull();
  });

  it('does not send a code while the challenge is locked', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('verifyCode', fail('OTP_CHALLENGE_LOCKED'));
    await store.getState().verifyCode('123456', true);

    await store.getState().verifyCode('654321', true);

    expect(scripted.callsTo('verifyCode')).toHaveLength(1);
    expect(store.getState().error?.code).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('marks an expired code and clears it after a resend', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('verifyCode', fail('OTP_CODE_EXPIRED'));
    scripted.reply('sendCode', succeed(codeDelivery('sms')));

    await store.getState().verifyCode('123456', true);
    const expiredStep = store.getState().codeStep;
    await store.getState().sendCode('sms');

    expect(expiredStep?.isCodeExpired).toBe(true);
    expect(store.getState().codeStep?.isCodeExpired).toBe(false);
  });

  it.each(['OTP_CHALLENGE_EXPIRED', 'OTP_CHALLENGE_INVALID'] as const)(
    'returns to sign-in on %s from verify',
    async (code) => {
      const { store, scripted } = await createStoreAtCodeStep();
      scripted.reply('verifyCode', fail(code));

      await store.getState().verifyCode('123456', true);

      expect(store.getState().phase).toBe('sign_in');
      expect(store.getState().codeStep).toBeNull();
      expect(store.getState().error?.code).toBe(code);
      expect(store.getState().isBusy).toBe(false);
    },
  );

  it('returns to sign-in when the challenge expired before a resend', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('sendCode', fail('OTP_CHALLENGE_EXPIRED'));

    await store.getState().sendCode('sms');

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error?.code).toBe('OTP_CHALLENGE_EXPIRED');
  });

  it('offers the other channel after a delivery failure', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('sendCode', fail('DELIVERY_FAILED'));

    await store.getState().sendCode('sms');
    const alternative = selectAlternativeChannel(store.getState());

    expect(store.getState().error?.code).toBe('DELIVERY_FAILED');
    expect(alternative).toEqual({ channel: 'email', destination: 'd•••@cedar.example' });
    expect(store.getState().codeStep?.sentCode?.channel).toBe('sms');
  });

  it('switches channel and keeps the new destination', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('sendCode', succeed(codeDelivery('email')));

    await store.getState().sendCode('email');

    expect(scripted.callsTo('sendCode')).toEqual([{ channel: 'sms' }, { channel: 'email' }]);
    expect(store.getState().codeStep?.channel).toBe('email');
    expect(store.getState().codeStep?.sentCode?.destination).toBe('d•••@cedar.example');
    expect(selectAlternativeChannel(store.getState())?.channel).toBe('sms');
  });

  it('sets the resend time from the cooldown reply', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('sendCode', fail('OTP_RESEND_COOLDOWN', { retryAfterSeconds: 20 }));

    await store.getState().sendCode('sms');

    expect(store.getState().codeStep?.resendAvailableAt).toBe('2026-03-02T15:00:20.000Z');
    expect(store.getState().error?.code).toBe('OTP_RESEND_COOLDOWN');
  });

  it('keeps the sent channel when a switch hits the cooldown', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    const sentChannel = store.getState().codeStep?.sentCode?.channel;
    const otherChannel = sentChannel === 'sms' ? 'email' : 'sms';
    scripted.reply('sendCode', fail('OTP_RESEND_COOLDOWN', { retryAfterSeconds: 20 }));

    await store.getState().sendCode(otherChannel);

    expect(sentChannel).toBeDefined();
    expect(store.getState().codeStep?.channel).toBe(sentChannel);
    expect(store.getState().codeStep?.sentCode?.channel).toBe(sentChannel);
  });

  it('marks a resent code as replacing the earlier one', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    expect(store.getState().codeStep?.isReplacementCode).toBe(false);
    scripted.reply('sendCode', succeed(codeDelivery('sms', { destination: '***-***-9999' })));

    await store.getState().sendCode('sms');

    expect(store.getState().codeStep?.isReplacementCode).toBe(true);
    expect(store.getState().codeStep?.sentCode?.destination).toBe('***-***-9999');
  });

  it('stops resends when the hourly cap is reached', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('sendCode', fail('OTP_SEND_LIMIT_REACHED'));

    await store.getState().sendCode('sms');

    expect(store.getState().codeStep?.sendsRemainingThisHour).toBe(0);
    expect(store.getState().error?.code).toBe('OTP_SEND_LIMIT_REACHED');
  });

  it('signs in with a normalized code and the remember choice', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('verifyCode', succeed({ ...sessionView, workstationRemembered: false }));

    await store.getState().verifyCode(' 012-345 ', false);

    expect(scripted.callsTo('verifyCode')).toEqual([{ code: '012345', rememberWorkstation: false }]);
    expect(store.getState().phase).toBe('signed_in');
    expect(store.getState().codeStep).toBeNull();
    expect(store.getState().session?.workstationRemembered).toBe(false);
  });

  it.each(['12345', '12a456', '1234567'])('rejects the code %j without calling the bridge', async (code) => {
    const { store, scripted } = await createStoreAtCodeStep();

    await store.getState().verifyCode(code, true);

    expect(scripted.callsTo('verifyCode')).toHaveLength(0);
    expect(store.getState().error?.code).toBe('VALIDATION_FAILED');
    expect(store.getState().error?.field).toBe('/code');
  });

  it('returns to sign-in on cancel and tells the agent', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    scripted.reply('cancelSignIn', succeed(null));

    await store.getState().cancel();

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().codeStep).toBeNull();
    expect(store.getState().error).toBeNull();
    expect(scripted.callsTo('cancelSignIn')).toHaveLength(1);
  });

  it('drops a reply that arrives after cancel', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    const pending = deferred<BridgeResult<CodeDelivery>>();
    scripted.reply('sendCode', () => pending.promise);
    scripted.reply('cancelSignIn', succeed(null));

    const resend = store.getState().sendCode('email');
    await store.getState().cancel();
    pending.resolve(succeed(codeDelivery('email')));
    await resend;

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().codeStep).toBeNull();
    expect(store.getState().isBusy).toBe(false);
  });
  it('drops a stale reply after a new sign-in', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    const pending = deferred<BridgeResult<CodeDelivery>>();
    scripted.reply('sendCode', () => pending.promise, succeed(codeDelivery('sms', { destination: '***-***-9999' })));
    scripted.reply('cancelSignIn', succeed(null));
    scripted.reply('submitPassword', succeed(codeRequired));

    const staleResend = store.getState().sendCode('email');
    await store.getState().cancel();
    await store.getState().submitPassword('frontdesk1', 'correct horse battery');
    pending.resolve(succeed(codeDelivery('email')));
    await staleResend;

    expect(store.getState().phase).toBe('code');
    expect(store.getState().codeStep?.channel).toBe('sms');
    expect(store.getState().codeStep?.sentCode?.destination).toBe('***-***-9999');
    expect(store.getState().isBusy).toBe(false);
  });
});

describe('secrets in state', () => {
  it('never holds the password, during or after the call', async () => {
    const scripted = createScriptedBridge();
    const password = 'Pw-that-must-not-stay 7x!';
    let stateDuringCall = '';
    const store = createTestStore(scripted);
    scripted.reply('submitPassword', () => {
      stateDuringCall = serializeState(store);
      return fail('AUTH_INVALID_CREDENTIALS');
    });

    await store.getState().submitPassword('frontdesk1', password);

    expect(stateDuringCall).not.toBe('');
    expect(stateDuringCall).not.toContain(password);
    expect(serializeState(store)).not.toContain(password);
  });

  it('never holds the code, after a wrong or a right one', async () => {
    const { store, scripted } = await createStoreAtCodeStep();
    let stateDuringCall = '';
    scripted.reply(
      'verifyCode',
      () => {
        stateDuringCall = serializeState(store);
        return fail('OTP_CODE_INVALID', { attemptsRemaining: 4 });
      },
      succeed(sessionView),
    );

    await store.getState().verifyCode('482913', true);
    const stateAfterWrongCode = serializeState(store);
    await store.getState().verifyCode('730164', true);

    expect(stateDuringCall).not.toContain('482913');
    expect(stateAfterWrongCode).not.toContain('482913');
    expect(serializeState(store)).not.toContain('730164');
  });
});

describe('signed in', () => {
  async function createSignedInStore() {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(sessionView));
    const store = createTestStore(scripted);
    await store.getState().initialize();
    return { store, scripted };
  }

  it('returns to sign-in after sign out', async () => {
    const { store, scripted } = await createSignedInStore();
    scripted.reply('signOut', succeed(null));

    await store.getState().signOut();

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().session).toBeNull();
  });

  it('stays signed in with the error when sign out fails', async () => {
    const { store, scripted } = await createSignedInStore();
    scripted.reply('signOut', fail('INTERNAL_ERROR'));

    await store.getState().signOut();

    expect(store.getState().phase).toBe('signed_in');
    expect(store.getState().error?.code).toBe('INTERNAL_ERROR');
  });

  it('returns to sign-in when the session has ended', async () => {
    const { store, scripted } = await createSignedInStore();
    scripted.reply('getSession', fail('SESSION_EXPIRED'));

    await store.getState().refreshSession();

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().session).toBeNull();
    expect(store.getState().error?.code).toBe('SESSION_EXPIRED');
  });

  it('keeps the session when the server is unreachable', async () => {
    const { store, scripted } = await createSignedInStore();
    scripted.reply('getSession', fail('SERVER_UNREACHABLE'));

    await store.getState().refreshSession();

    expect(store.getState().phase).toBe('signed_in');
    expect(store.getState().session).toEqual(sessionView);
  });
});

describe('signed-in views', () => {
  async function createSignedInStore(): Promise<SignInStore> {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(sessionView));
    const store = createTestStore(scripted);
    await store.getState().initialize();
    return store;
  }

  it('returns to Profile from workstations opened there', async () => {
    const store = await createSignedInStore();
    store.getState().showView('profile');
    store.getState().showView('trusted_workstations');

    store.getState().showPreviousView();

    expect(store.getState().view).toBe('profile');
  });

  it('returns home from workstations opened there', async () => {
    const store = await createSignedInStore();
    store.getState().showView('trusted_workstations');

    store.getState().showPreviousView();

    expect(store.getState().view).toBe('home');
  });

  it('returns home from Profile after a round trip', async () => {
    const store = await createSignedInStore();
    store.getState().showView('profile');
    store.getState().showView('trusted_workstations');
    store.getState().showPreviousView();

    store.getState().showPreviousView();

    expect(store.getState().view).toBe('home');
  });

  it('starts from home after signing in again', async () => {
    const store = await createSignedInStore();
    store.getState().showView('profile');
    store.getState().showView('trusted_workstations');
    store.getState().signOutAfterWorkstationRevoked();

    expect(store.getState().view).toBe('home');
    expect(store.getState().previousView).toBe('home');
  });
});

describe('reason for the code', () => {
  async function signInWithCode(reason: typeof codeRequired.reason): Promise<SignInStore> {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(null));
    scripted.reply('submitPassword', succeed({ ...codeRequired, reason }));
    scripted.reply('sendCode', succeed(codeDelivery('sms')));
    scripted.reply('verifyCode', succeed(sessionView));
    const store = createTestStore(scripted);
    await store.getState().initialize();
    await store.getState().submitPassword('frontdesk1', 'correct horse battery');

    await store.getState().verifyCode('012345', true);

    return store;
  }

  it('keeps practice enforcement after sign-in', async () => {
    const store = await signInWithCode('required_by_practice');

    expect(store.getState().phase).toBe('signed_in');
    expect(store.getState().signInMfaReason).toBe('required_by_practice');
  });

  it('keeps a new workstation after sign-in', async () => {
    const store = await signInWithCode('new_workstation');

    expect(store.getState().signInMfaReason).toBe('new_workstation');
  });

  it('clears the reason on sign-out', async () => {
    const store = await signInWithCode('required_by_practice');

    store.getState().signOutAfterWorkstationRevoked();

    expect(store.getState().signInMfaReason).toBeNull();
  });

  it('has no reason for a password-only sign-in', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(null));
    scripted.reply('submitPassword', succeed({ status: 'signed_in', session: sessionView }));
    const store = createTestStore(scripted);
    await store.getState().initialize();

    await store.getState().submitPassword('frontdesk1', 'correct horse battery');

    expect(store.getState().phase).toBe('signed_in');
    expect(store.getState().signInMfaReason).toBeNull();
  });
});
