import { beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (...args: any[]) => unknown;

const electron = vi.hoisted(() => {
  const windows: Array<{ options: any; listeners: Map<string, Listener>; openHandler?: Listener; loadedUrl?: string }> = [];
  class FakeBrowserWindow {
    readonly record: (typeof windows)[number];
    readonly webContents: any;
    constructor(options: any) {
      this.record = { options, listeners: new Map() };
      windows.push(this.record);
      const record = this.record;
      this.webContents = {
        setWindowOpenHandler: (handler: Listener) => {
          record.openHandler = handler;
        },
        on: (event: string, listener: Listener) => {
          record.listeners.set(event, listener);
        },
      };
    }
    once() {}
    show() {}
    async loadURL(url: string) {
      this.record.loadedUrl = url;
    }
  }
  return {
    windows,
    FakeBrowserWindow,
    permissionRequestHandler: null as Listener | null,
    permissionCheckHandler: null as Listener | null,
    protocolHandler: null as Listener | null,
  };
});

vi.mock('electron', () => ({
  BrowserWindow: electron.FakeBrowserWindow,
  protocol: {
    registerSchemesAsPrivileged: vi.fn(),
    handle: (_scheme: string, handler: Listener) => {
      electron.protocolHandler = handler;
    },
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler: Listener) => {
        electron.permissionRequestHandler = handler;
      },
      setPermissionCheckHandler: (handler: Listener) => {
        electron.permissionCheckHandler = handler;
      },
    },
  },
}));

const { createMainWindow, mainWindowOptions } = await import('../../electron/main/window');
const { isAppUrl } = await import('../../electron/main/app-origin');

describe('main window options', () => {
  it('turns on the sandbox and context isolation', () => {
    const options = mainWindowOptions('/app/build/app/preload.cjs');

    expect(options.webPreferences).toMatchObject({
      preload: '/app/build/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
  });
});

describe('createMainWindow', () => {
  beforeEach(() => {
    electron.windows.length = 0;
  });

  it('loads the renderer from app://', () => {
    createMainWindow({ preloadPath: '/app/preload.cjs' });

    expect(electron.windows[0]?.loadedUrl).toBe('app://clinicgate/index.html');
  });

  it('denies new windows', () => {
    createMainWindow({ preloadPath: '/app/preload.cjs' });

    expect(electron.windows[0]?.openHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
  });

  it.each(['will-navigate', 'will-redirect'])('blocks %s to a foreign origin', (eventName) => {
    const blocked: string[] = [];
    createMainWindow({ preloadPath: '/app/preload.cjs', onBlockedNavigation: (url) => blocked.push(url) });
    const listener = electron.windows[0]?.listeners.get(eventName);
    const foreign = { preventDefault: vi.fn() };
    const own = { preventDefault: vi.fn() };

    listener?.(foreign, 'https://evil.example/phish');
    listener?.(own, 'app://clinicgate/index.html');

    expect(foreign.preventDefault).toHaveBeenCalledTimes(1);
    expect(own.preventDefault).not.toHaveBeenCalled();
    expect(blocked).toEqual(['https://evil.example/phish']);
  });

  it('denies every permission request', () => {
    createMainWindow({ preloadPath: '/app/preload.cjs' });
    const callback = vi.fn();

    electron.permissionRequestHandler?.({}, 'media', callback);

    expect(callback).toHaveBeenCalledWith(false);
    expect(electron.permissionCheckHandler?.({}, 'notifications')).toBe(false);
  });
});

describe('isAppUrl', () => {
  it.each([
    ['app://clinicgate/index.html', true],
    ['app://clinicgate/', true],
    ['app://other/index.html', false],
    ['app://user:pw@clinicgate/', false],
    ['file:///app/index.html', false],
    ['http://127.0.0.1:5173/', false],
    ['', false],
    [null, false],
  ])('classifies %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });
});
