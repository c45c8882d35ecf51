// Sandboxed preload: exposes the typed bridge and nothing else. No ipcRenderer, no generic
// invoke, no subscription the renderer could point at another channel: the one subscription
// listens on the fixed agent event channel.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  agentEventChannel,
  bridgeChannels,
  bridgeGlobalName,
  bridgeMethods,
  type AgentEvent,
  type AgentEventListener,
  type ClinicGateBridge,
} from '../shared/bridge';

const bridge = Object.freeze({
  ...Object.fromEntries(
    bridgeMethods.map((method) => {
      const channel = bridgeChannels[method];
      return [method, (input?: unknown) => ipcRenderer.invoke(channel, input)];
    }),
  ),
  onAgentEvent(listener: AgentEventListener): () => void {
    // The IPC event object is not passed on, so the renderer never holds a reference to ipcRenderer.
    const handleEvent = (_event: IpcRendererEvent, agentEvent: AgentEvent) => listener(agentEvent);
    ipcRenderer.on(agentEventChannel, handleEvent);
    return () => {
      ipcRenderer.removeListener(agentEventChannel, handleEvent);
    };
  },
}) as unknown as Readonly<ClinicGateBridge>;

contextBridge.exposeInMainWorld(bridgeGlobalName, bridge);
