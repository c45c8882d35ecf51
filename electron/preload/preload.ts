// Sandboxed preload: exposes the typed bridge and nothing else. No ipcRenderer, no generic
// invoke, no subscription the renderer could point at another channel.
import { contextBridge, ipcRenderer } from 'electron';
import { bridgeChannels, bridgeGlobalName, bridgeMethods, type ClinicGateBridge } from '../shared/bridge';

const bridge = Object.freeze(
  Object.fromEntries(
    bridgeMethods.map((method) => {
      const channel = bridgeChannels[method];
      return [method, (input?: unknown) => ipcRenderer.invoke(channel, input)];
    }),
  ),
) as unknown as Readonly<ClinicGateBridge>;

contextBridge.exposeInMainWorld(bridgeGlobalName, bridge);
