import { describe, expect, it } from 'vitest';
import type { BridgeError, TrustedWorkstation } from '../../electron/shared/bridge';
import { createTrustedWorkstationsStore } from '../../renderer/src/stores/trusted-workstations-store';
import { createScriptedBridge, fail, succeed } from './scripted-bridge';

function workstation(id: string, name: string, isCurrentDevice: boolean): TrustedWorkstation {
  return {
    id,
    name,
    label: null,
    hostname: name,
    firstUsedAt: '2026-01-05T09:00:00.000Z',
    lastUsedAt: '2026-01-06T09:00:00.000Z',
    lastLocation: 'Local network',
    expiresAt: '2026-02-04T09:00:00.000Z',
    isCurrentDevice,
  };
}

const thisDesk = workstation('w1', 'front-desk-1', true);
const homeLaptop = workstation('w2', 'home-laptop', false);

function createTestStore() {
  const scripted = createScriptedBridge();
  const events = { sessionErrors: [] as BridgeError[], revokedHere: 0 };
  const store = createTrustedWorkstationsStore(scripted.bridge, {
    onSessionError: (error) => events.sessionErrors.push(error),
    onThisWorkstationRevoked: () => {
      events.revokedHere += 1;
    },
  });
  return { scripted, store, events };
}

describe('trusted workstations store', () => {
  it('loads the list', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('listTrustedWorkstations', succeed([thisDesk, homeLaptop]));

    await store.getState().load();

    expect(store.getState().workstations).toEqual([thisDesk, homeLaptop]);
    expect(store.getState().hasLoaded).toBe(true);
  });

  it('revokes only after confirmation', async () => {
    const { scripted, store, events } = createTestStore();
    scripted.reply('listTrustedWorkstations', succeed([thisDesk, homeLaptop]));
    scripted.reply('revokeTrustedWorkstation', succeed({ wasThisWorkstation: false }));
    await store.getState().load();

    store.getState().askToRevoke('w2');
    const callsBeforeConfirm = scripted.calls.filter((call) => call.method === 'revokeTrustedWorkstation').length;
    await store.getState().confirmRevoke();

    expect(callsBeforeConfirm).toBe(0);
    expect(scripted.calls.at(-1)).toEqual({ method: 'revokeTrustedWorkstation', input: { id: 'w2' } });
    expect(store.getState().workstations).toEqual([thisDesk]);
    expect(store.getState().notice).toContain('home-laptop is revoked');
    expect(events.revokedHere).toBe(0);
  });

  it('signs out after revoking this workstation', async () => {
    const { scripted, store, events } = createTestStore();
    scripted.reply('listTrustedWorkstations', succeed([thisDesk]));
    scripted.reply('revokeTrustedWorkstation', succeed({ wasThisWorkstation: true }));
    await store.getState().load();

    store.getState().askToRevoke('w1');
    await store.getState().confirmRevoke();

    expect(events.revokedHere).toBe(1);
  });

  it('keeps the row when cancelled', async () => {
    const { scripted, store } = createTestStore();
    scripted.reply('listTrustedWorkstations', succeed([thisDesk, homeLaptop]));
    await store.getState().load();

    store.getState().askToRevoke('w2');
    store.getState().cancelRevoke();
    await store.getState().confirmRevoke();

    expect(store.getState().workstations).toHaveLength(2);
    expect(scripted.unscriptedCalls).toEqual([]);
  });

  it('passes a failure on for the session check', async () => {
    const { scripted, store, events } = createTestStore();
    scripted.reply('listTrustedWorkstations', fail('SESSION_EXPIRED'));

    await store.getState().load();

    expect(store.getState().error?.code).toBe('SESSION_EXPIRED');
    expect(events.sessionErrors.map((error) => error.code)).toEqual(['SESSION_EXPIRED']);
  });
});
