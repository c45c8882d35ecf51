import { readFile } from 'node:fs/promises';
import { BrowserWindow, protocol, session, type BrowserWindowConstructorOptions } from 'electron';
import { rendererSecurityHeaders, resolveRendererFile } from '../browser-shell/renderer-files';
import { appEntryUrl, appHost, appScheme, isAppUrl } from './app-origin';

/** Window settings from Electron's security checklist; the renderer gets no Node access at all. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 520,
    title: 'ClinicGate',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  };
}

/** Registers `app://` as a secure standard scheme; Electron requires this before `ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer on `app://clinicgate/` with the same headers as the browser shell. */
export function serveRendererProtocol(rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const file = url.host === appHost ? await resolveRendererFile(rendererDir, url.pathname) : null;
    if (file === null) {
      return new Response('Not found.', { status: 404, headers: { ...rendererSecurityHeaders } });
    }
    const body = await readFile(file.filePath);
    return new Response(body, { status: 200, headers: { ...rendererSecurityHeaders, 'Content-Type': file.contentType } });
  });
}

/**
 * Creates the main window: no pop-ups, no navigation or redirects away from the app, no
 * permission prompts (camera, notifications, ...), and the renderer loaded from `app://`.
 */
export function createMainWindow(options: {
  preloadPath: string;
  onBlockedNavigation?: (url: string) => void;
}): BrowserWindow {
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const window = new BrowserWindow(mainWindowOptions(options.preloadPath));
  const { webContents } = window;
  webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const blockForeignNavigation = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      options.onBlockedNavigation?.(url);
    }
  };
  webContents.on('will-navigate', blockForeignNavigation);
  webContents.on('will-redirect', blockForeignNavigation);
  webContents.on('will-attach-webview', (event) => event.preventDefault());

  window.once('ready-to-show', () => window.show());
  void window.loadURL(appEntryUrl);
  return window;
}
