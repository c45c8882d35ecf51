import { describe, expect, it } from 'vitest';
import { createSignInStore, type SignInStore } from '../../renderer/src/stores/sign-in-store';
import { configuredSetup, createScriptedBridge, sessionView, succeed, testNow, type ScriptedBridge } from './scripted-bridge';

async function createSignedInStore(now: () => number = () => testNow): Promise<{ store: SignInStore; scripted: ScriptedBridge }> {
  const scripted = createScriptedBridge();
  scripted.reply('getSetupState', succeed(configuredSetup));
  scripted.reply('getSession', succeed(sessionView));
  const store = createSignInStore(scripted.bridge, { now });
  await store.getState().initialize();
  return { store, scripted };
}

describe('sign-in store idle lock', () => {
  it('shows the idle warning while signed in', async () => {
    const { store, scripted } = await createSignedInStore();

    scripted.emitAgentEvent({ type: 'idle_warning', locksAt: '2026-03-02T15:01:00.000Z' });

    expect(store.getState().idleWarning).toEqual({ locksAt: '2026-03-02T15:01:00.000Z' });
  });

  it('clears the session and names the period after a time-out', async () => {
    const { store, scripted } = await createSignedInStore();
    store.getState().showView('audit_log');
    scripted.emitAgentEvent({ type: 'idle_warning', locksAt: '2026-03-02T15:01:00.000Z' });

    scripted.emitAgentEvent({ type: 'session_timed_out', idleTimeoutMinutes: 15 });

    const state = store.getState();
    expect(state.phase).toBe('sign_in');
    expect(state.session).toBeNull();
    expect(state.idleWarning).toBeNull();
    expect(state.view).toBe('home');
    expect(state.error).toBeNull();
    expect(state.notice).toBe('You were signed out after 15 minutes without activity.');
  });

  it('says 1 minute for a one-minute time-out', async () => {
    const { store, scripted } = await createSignedInStore();

    scripted.emitAgentEvent({ type: 'session_timed_out', idleTimeoutMinutes: 1 });

    expect(store.getState().notice).toBe('You were signed out after 1 minute without activity.');
  });

  it('returns to sign-in when the agent reports a session the server ended', async () => {
    const { store, scripted } = await createSignedInStore();

    scripted.emitAgentEvent({ type: 'session_ended', code: 'SESSION_DEVICE_MISMATCH' });

    expect(store.getState().phase).toBe('sign_in');
    expect(store.getState().error?.code).toBe('SESSION_DEVICE_MISMATCH');
  });

  it('throttles activity reports to one per five seconds', async () => {
    let now = testNow;
    const { store, scripted } = await createSignedInStore(() => now);
    scripted.reply('reportActivity', succeed(null), succeed(null));

    store.getState().reportActivity();
    now += 4_000;
    store.getState().reportActivity();
    now += 1_000;
    store.getState().reportActivity();

    expect(scripted.callsTo('reportActivity')).toHaveLength(2);
  });

  it('reports input during the warning at once and hides the warning', async () => {
    const { store, scripted } = await createSignedInStore();
    scripted.reply('reportActivity', succeed(null), succeed(null));
    store.getState().reportActivity();
    scripted.emitAgentEvent({ type: 'idle_warning', locksAt: '2026-03-02T15:01:00.000Z' });

    store.getState().reportActivity();

    expect(scripted.callsTo('reportActivity')).toHaveLength(2);
    expect(store.getState().idleWarning).toBeNull();
  });

  it('ignores agent warnings and activity while signed out', async () => {
    const scripted = createScriptedBridge();
    scripted.reply('getSetupState', succeed(configuredSetup));
    scripted.reply('getSession', succeed(null));
    const store = createSignInStore(scripted.bridge, { now: () => testNow });
    await store.getState().initialize();

    scripted.emitAgentEvent({ type: 'idle_warning', locksAt: '2026-03-02T15:01:00.000Z' });
    store.getState().reportActivity();

    expect(store.getState().idleWarning).toBeNull();
    expect(scripted.callsTo('reportActivity')).toHaveLength(0);
  });
});
