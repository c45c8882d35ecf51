// Electron main process: app lifecycle, the local auth agent and the window. The agent's logic
// lives in electron/agent and does not depend on Electron; this file only wires it up.
import path from 'node:path';
import { app, BrowserWindow, dialog, powerMonitor } from 'electron';
import { createAgentLogger, createModuleLogger } from '../agent/agent-logger';
import { openAgentSettings } from '../agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../agent/auth-agent';
import { openTokenVault } from '../agent/token-vault';
import { agentEventChannel } from '../shared/bridge';
import { registerBridgeHandlers } from './ipc';
import { createMainWindow, registerAppScheme, serveRendererProtocol } from './window';

const logger = createAgentLogger();
const mainLogger = createModuleLogger(logger, 'electron-main');
let mainWindow: BrowserWindow | null = null;
let agent: AuthAgent | null = null;

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow === null) {
      return;
    }
    if (mainWindow.isMinimized()) {
      mainWindow.restore();
    }
    mainWindow.focus();
  });

  // Pop-ups and <webview> are refused for every web contents, including ones created later.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => agent?.close());

  app.whenReady().then(startApp, (error: unknown) => failStart(error));
}

async function startApp(): Promise<void> {
  try {
    const appRoot = app.getAppPath();
    serveRendererProtocol(path.join(appRoot, 'build', 'renderer'));

    const settings = openAgentSettings({ directory: app.getPath('userData'), logger });
    const vault = await openTokenVault({ logger });
    // The idle lock counts input anywhere on the computer, as the operating system reports it.
    agent = createAuthAgent({ settings, vault, shell: 'electron', logger, readSystemIdleSeconds: () => powerMonitor.getSystemIdleTime() });
    registerBridgeHandlers(agent, (channel) => mainLogger.warn({ channel }, 'ipc call from a foreign frame rejected'));
    agent.onAgentEvent((event) => mainWindow?.webContents.send(agentEventChannel, event));

    mainWindow = createMainWindow({
      preloadPath: path.join(appRoot, 'build', 'app', 'preload.cjs'),
      onBlockedNavigation: (url) => mainLogger.warn({ url }, 'navigation blocked'),
    });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  } catch (error) {
    failStart(error);
  }
}

function failStart(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  mainLogger.error({ err: message }, 'app failed to start');
  dialog.showErrorBox('ClinicGate could not start', message);
  app.exit(1);
}
