import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../electron/shared/error-codes';
import { describeBridgeError } from '../../renderer/src/format/error-message';
import { createSignInStore } from '../../renderer/src/stores/sign-in-store';
import { configuredSetup, createScriptedBridge, sessionView, succeed } from './scripted-bridge';

describe('session end messages', () => {
  it.each([
    ['SESSION_ACCOUNT_DEACTIVATED', 'Your account was deactivated by your practice administrator'],
    ['SESSION_SIGNED_OUT_EVERYWHERE', 'You signed out everywhere from another workstation'],
  ] as const)('explains %s', (code, sentence) => {
    const text = describeBridgeError({ code, message: errorCatalogue[code].message });

    expect(text).toContain(sentence);
    expect(text).not.toContain('Your practice administrator signed you out');
  });

  it('shows the reason after the agent reports the end', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(sessionView));
    const store = createSignInStore(scripted.bridge);
    await store.getState().initialize();

    scripted.emitAgentEvent({ type: 'session_ended', code: 'SESSION_ACCOUNT_DEACTIVATED' });

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error?.message).toBe(errorCatalogue.SESSION_ACCOUNT_DEACTIVATED.message);
  });
});
