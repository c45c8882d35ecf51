import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClinicGateBridge } from '../../electron/shared/bridge';
import { bridgeChannels, bridgeMethods } from '../../electron/shared/bridge';

type Handler = (event: { senderFrame: { url: string } | null }, input: unknown) => Promise<unknown>;

const handlers = vi.hoisted(() => new Map<string, Handler>());

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: Handler) => {
      handlers.set(channel, handler);
    },
  },
}));

const calls: Array<{ method: string; input: unknown }> = [];
const agent = Object.fromEntries(
  bridgeMethods.map((method) => [
    method,
    async (input: unknown) => {
      calls.push({ method, input });
      return { ok: true, value: method };
    },
  ]),
) as unknown as ClinicGateBridge;

beforeAll(async () => {
  const { registerBridgeHandlers } = await import('../../electron/main/ipc');
  registerBridgeHandlers(agent);
});

describe('bridge IPC handlers', () => {
  it('registers exactly the contract channels', () => {
    expect([...handlers.keys()].sort()).toEqual(Object.values(bridgeChannels).sort());
  });

  it('calls the agent for the app frame', async () => {
    const handler = handlers.get(bridgeChannels.submitPassword);

    const result = await handler?.({ senderFrame: { url: 'app://clinicgate/index.html' } }, { username: 'dana' });

    expect(result).toEqual({ ok: true, value: 'submitPassword' });
    expect(calls.at(-1)).toEqual({ method: 'submitPassword', input: { username: 'dana' } });
  });

  it.each<[{ url: string } | null, string]>([
    [{ url: 'https://evil.example/' }, 'a foreign page'],
    [{ url: 'file:///tmp/index.html' }, 'a local file'],
    [null, 'a destroyed frame'],
  ])('rejects %o (%s)', async (senderFrame) => {
    const handler = handlers.get(bridgeChannels.getSession);
    const callsBefore = calls.length;

    const result = await handler?.({ senderFrame }, undefined);

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'BRIDGE_UNAUTHORIZED' }) });
    expect(calls.length).toBe(callsBefore);
  });
});
