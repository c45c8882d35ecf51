import { ipcMain } from 'electron';
import { bridgeChannels, bridgeMethods, type ClinicGateBridge } from '../shared/bridge';
import { bridgeFailure, invokeBridgeMethod } from '../agent/bridge-result';
import { isAppUrl } from './app-origin';

/**
 * Registers one `ipcMain.handle` per bridge channel and nothing else. Each call must come from
 * a frame that shows the app's own pages. Any other sender, such as a frame that navigated away
 * or no longer exists, gets BRIDGE_UNAUTHORIZED. Results cross as data because an error thrown
 * in a handler reaches the renderer only as a generic message.
 */
export function registerBridgeHandlers(agent: ClinicGateBridge, onRejected?: (channel: string) => void): void {
  for (const method of bridgeMethods) {
    const channel = bridgeChannels[method];
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isAppUrl(event.senderFrame?.url)) {
        onRejected?.(channel);
        return bridgeFailure('BRIDGE_UNAUTHORIZED');
      }
      return invokeBridgeMethod(agent, method, input);
    });
  }
}
