import { beforeAll, describe, expect, it, vi } from 'vitest';
import { agentEventChannel, bridgeChannels, bridgeGlobalName, bridgeMethods, bridgeSubscriptions } from '../../electron/shared/bridge';

const electron = vi.hoisted(() => ({
  exposeInMainWorld: vi.fn(),
  invoke: vi.fn(async (channel: string) => ({ ok: true, value: channel })),
  on: vi.fn(),
  removeListener: vi.fn(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: electron.exposeInMainWorld },
  ipcRenderer: { invoke: electron.invoke, send: vi.fn(), on: electron.on, removeListener: electron.removeListener },
}));

let exposed: Record<string, unknown>;

beforeAll(async () => {
  await import('../../electron/preload/preload');
  exposed = electron.exposeInMainWorld.mock.calls[0]?.[1] as Record<string, unknown>;
});

describe('preload bridge', () => {
  it('exposes one object under the bridge name', () => {
    expect(electron.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(electron.exposeInMainWorld.mock.calls[0]?.[0]).toBe(bridgeGlobalName);
  });

  it('has exactly the contract methods', () => {
    expect(Object.keys(exposed).sort()).toEqual([...bridgeMethods, ...bridgeSubscriptions].sort());
    for (const method of bridgeMethods) {
      expect(typeof exposed[method]).toBe('function');
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(exposed)).toBe(true);
  });

  it.each(bridgeMethods)('sends %s on its own channel', async (method) => {
    electron.invoke.mockClear();
    const input = { marker: method };

    const result = await (exposed[method] as (input: unknown) => Promise<unknown>)(input);

    expect(electron.invoke).toHaveBeenCalledTimes(1);
    expect(electron.invoke).toHaveBeenCalledWith(bridgeChannels[method], input);
    expect(result).toEqual({ ok: true, value: bridgeChannels[method] });
  });

  it('delivers agent events from the fixed channel and unsubscribes', () => {
    const received: unknown[] = [];
    const subscribe = exposed.onAgentEvent as (listener: (event: unknown) => void) => () => void;

    const unsubscribe = subscribe((event) => received.push(event));
    const [channel, handler] = electron.on.mock.calls.at(-1) as [string, (event: unknown, payload: unknown) => void];
    handler({ sender: 'ipc event' }, { type: 'idle_warning_dismissed' });
    unsubscribe();

    expect(channel).toBe(agentEventChannel);
    expect(received).toEqual([{ type: 'idle_warning_dismissed' }]);
    expect(electron.removeListener).toHaveBeenCalledWith(agentEventChannel, handler);
  });

  it('exposes no ipcRenderer function', () => {
    const values = Object.values(exposed);

    expect(values).not.toContain(electron.invoke);
    expect(values.every((value) => typeof value === 'function')).toBe(true);
  });
});
