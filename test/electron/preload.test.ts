import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bridgeChannels, bridgeGlobalName, bridgeMethods } from '../../electron/shared/bridge';

const electron = vi.hoisted(() => ({
  exposeInMainWorld: vi.fn(),
  invoke: vi.fn(async (channel: string) => ({ ok: true, value: channel })),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: electron.exposeInMainWorld },
  ipcRenderer: { invoke: electron.invoke, send: vi.fn(), on: vi.fn() },
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
    expect(Object.keys(exposed).sort()).toEqual([...bridgeMethods].sort());
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

  it('exposes no ipcRenderer function', () => {
    const values = Object.values(exposed);

    expect(values).not.toContain(electron.invoke);
    expect(values.every((value) => typeof value === 'function')).toBe(true);
  });
});
