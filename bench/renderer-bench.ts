import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';

export interface RendererResult {
  /** Gzipped bytes of every script that index.html loads (entry and module preloads). */
  initialJsGzipBytes: number;
  initialJsFiles: { file: string; bytes: number; gzipBytes: number }[];
  /** Milliseconds from navigation start until the username field is enabled and focusable, one per run. */
  interactiveMs: number[];
}

/** Chromium flags of the end-to-end tests; `--no-sandbox` because the build machines run as root. */
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Builds the renderer into `outDir` with the project's Vite configuration. */
export function buildRenderer(repositoryRoot: string, outDir: string): void {
  const vite = path.join(repositoryRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const built = spawnSync(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
  });
  if (built.status !== 0) {
    throw new Error(`vite build failed (exit ${built.status}):\n${built.stderr}${built.stdout}`);
  }
}

/** Sums the gzipped size of the scripts that index.html loads before anything else. */
export function measureInitialJavaScript(rendererDir: string): Pick<RendererResult, 'initialJsGzipBytes' | 'initialJsFiles'> {
  const html = readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
  const scriptSources = [...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)].map((match) => match[1] as string);
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)].map((match) => match[1] as string);
  const files = [...new Set([...scriptSources, ...preloads])].map((source) => {
    const content = readFileSync(path.join(rendererDir, source));
    return { file: source, bytes: content.length, gzipBytes: gzipSync(content).length };
  });
  if (files.length === 0) {
    throw new Error(`no script found in ${path.join(rendererDir, 'index.html')}`);
  }
  return { initialJsGzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0), initialJsFiles: files };
}

/**
 * Starts the browser shell with the server preset (URL and CA file, so the sign-in screen is the
 * first screen) and loads it `runs` times in Chromium, each time in a fresh browser context.
 */
export async function measureTimeToInteractive(options: {
  repositoryRoot: string;
  rendererDir: string;
  agentDir: string;
  serverUrl: string;
  serverCaFile: string;
  chromiumPath: string;
  runs: number;
}): Promise<number[]> {
  const shell = await startBrowserShell(options);
  const browser = await chromium.launch({ executablePath: options.chromiumPath, args: chromiumArgs, headless: true });
  try {
    const results: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript({ content: watchForUsernameField });
      await page.goto(shell.url);
      results.push(await waitForInteractiveTime(page));
      await context.close();
    }
    return results;
  } finally {
    await browser.close();
    await stopProcess(shell.child);
  }
}

/**
 * Runs in the page before its scripts: records `performance.now()` (milliseconds since navigation
 * start) the first time the username field is in the DOM, enabled and focusable. It is a string
 * because tsx rewrites functions with helpers that do not exist inside the page.
 */
const watchForUsernameField = `
  (() => {
    const check = () => {
      const field = document.getElementById('username');
      if (!(field instanceof HTMLInputElement) || field.disabled || field.getClientRects().length === 0) {
        return false;
      }
      field.focus();
      if (document.activeElement !== field) {
        return false;
      }
      window.__benchInteractiveAt = performance.now();
      return true;
    };
    const observer = new MutationObserver(() => {
      if (check()) {
        observer.disconnect();
      }
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true });
  })();
`;

/**
 * Polls the time the init script recorded. `page.waitForFunction` cannot be used, because it
 * evaluates its predicate with eval inside the page, which the renderer's CSP blocks.
 */
async function waitForInteractiveTime(page: Page): Promise<number> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const recorded = (await page.evaluate('window.__benchInteractiveAt')) as number | undefined;
    if (typeof recorded === 'number') {
      return recorded;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the username field of the sign-in screen did not become interactive within 30 s at ${page.url().split('#')[0]}`);
}

async function startBrowserShell(options: {
  repositoryRoot: string;
  rendererDir: string;
  agentDir: string;
  serverUrl: string;
  serverCaFile: string;
}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/browser-shell/main.ts'], {
    cwd: options.repositoryRoot,
    env: {
      ...process.env,
      CLINICGATE_AGENT_DIR: options.agentDir,
      CLINICGATE_RENDERER_DIR: options.rendererDir,
      CLINICGATE_SHELL_PORT: '0',
      CLINICGATE_SERVER_URL: options.serverUrl,
      CLINICGATE_SERVER_CA_FILE: options.serverCaFile,
      CLINICGATE_KEYCHAIN_SERVICE: `ClinicGate-bench-${randomBytes(6).toString('hex')}`,
      CLINICGATE_MACHINE_ID: `bench-machine-${randomBytes(6).toString('hex')}`,
      CLINICGATE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the browser shell did not print its address within 60 s. Output:\n${output.join('\n')}`));
    }, 60_000);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const match = /browser shell: (http:\/\/\S+)/.exec(line);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve({ child, url: match[1] });
        }
      });
    }
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the browser shell exited with code ${code}. Output:\n${output.join('\n')}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
