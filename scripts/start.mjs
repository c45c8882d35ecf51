// `npm start`: builds the app, starts the server in demo mode on its embedded defaults,
// and opens the desktop app. Where Electron cannot start (no binary, no display), it prints
// why and serves the same screens through the browser shell instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import readline from 'node:readline';
import { serverBundle, serverEnvironment, serverNodeOptions } from './build-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The server uses `.data`, its default, so `npm run server -- COMMAND` in this folder finds the
// same database. The demo workstation keeps its settings in a folder of its own inside it.
const dataDir = path.resolve(process.env.CLINICGATE_DATA_DIR ?? path.join(root, '.data'));
const agentDir = path.resolve(process.env.CLINICGATE_AGENT_DIR ?? path.join(root, '.data', 'workstation'));
const children = [];

main().catch(async (error) => {
  console.error(`ClinicGate did not start: ${error.message}`);
  await stopChildren();
  process.exit(1);
});

async function main() {
  runStep('Building the app', 'npm', ['run', '--silent', 'build']);

  // The server prints its address, then its certificate fingerprint; both are needed.
  // `npm run build` bundled the server; it runs on plain node, as `npm run server` runs it.
  const server = await startChild('server', [...serverNodeOptions, serverBundle, 'start', '--demo'], {
    ...serverEnvironment(),
    CLINICGATE_DATA_DIR: dataDir,
  }, /fingerprint: ([0-9A-F:]+)/);
  const fingerprint = server.match;
  const serverUrl = server.lines.map((line) => /listening on (https:\/\/\S+)/.exec(line)?.[1]).find(Boolean);

  const electron = findElectron();
  let desktopLine;
  let shellUrl = null;
  if (electron.ok) {
    startDetached('desktop app', electron.path, ['.'], { CLINICGATE_SERVER_URL: serverUrl });
    desktopLine = 'opened in a new window';
  } else {
    desktopLine = `not started: ${electron.reason}`;
    const shell = await startChild('browser shell', ['--import', 'tsx', 'electron/browser-shell/main.ts'], {
      CLINICGATE_AGENT_DIR: agentDir,
    }, /browser shell: (http:\/\/\S+)/);
    shellUrl = shell.match;
  }

  printBanner({ serverUrl, fingerprint, desktopLine, shellUrl });
  process.on('SIGINT', shutDown);
  process.on('SIGTERM', shutDown);
}

function printBanner({ serverUrl, fingerprint, desktopLine, shellUrl }) {
  const lines = [
    '',
    'ClinicGate demo is running. Press Ctrl+C to stop it.',
    `  Server:        ${serverUrl}`,
    `  Certificate:   SHA-256 ${fingerprint}`,
    `  Desktop app:   ${desktopLine}`,
  ];
  if (shellUrl) {
    lines.push(`  Browser shell: ${shellUrl}`);
    lines.push('                 Open that address in Chrome or Chromium on this computer.');
  }
  lines.push(
    '',
    '  On first run, enter the server address above and check that the certificate',
    '  fingerprint the app shows matches the one printed here.',
    '',
    '  Demo accounts (demo only: never use them for real patient data):',
    '    demo.frontdesk / demo-frontdesk-pass   (codes by text message)',
    '    demo.clinician / demo-clinician-pass   (codes by email)',
    '    demo.admin     / demo-admin-pass       (codes by email)',
    '',
    '  No SMTP relay or SMS provider is configured, so codes are written to',
    `    ${path.join(dataDir, 'outbox', 'email')}  (.eml files)`,
    `    ${path.join(dataDir, 'outbox', 'sms')}    (.txt files)`,
    '  docs/server.md explains how to connect a real SMTP relay and SMS provider.',
    '',
  );
  console.log(lines.join('\n'));
}

/** Returns the Electron binary's path, or why the desktop app cannot start here. */
function findElectron() {
  if (process.env.CLINICGATE_NO_ELECTRON === '1') {
    return { ok: false, reason: 'CLINICGATE_NO_ELECTRON=1 is set' };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no display is available (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  try {
    createRequire(import.meta.url).resolve('electron');
  } catch {
    return { ok: false, reason: 'the electron package is not installed (run npm ci)' };
  }
  // The electron package downloads its binary on first use; a failed download exits non-zero.
  const lookup = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 5 * 60_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (lookup.status !== 0 || !lookup.stdout || !existsSync(lookup.stdout)) {
    return { ok: false, reason: 'the Electron binary is not installed here and could not be downloaded' };
  }
  return { ok: true, path: lookup.stdout };
}

function runStep(title, command, args) {
  console.log(`${title}...`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    throw new Error(`${title} failed (exit code ${result.status})`);
  }
}

/** Starts a Node child, echoes its output, and resolves once a line matches `ready`. */
function startChild(name, args, env, ready) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines = [];
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        console.log(`[${name}] ${formatLogLine(line)}`);
        const match = ready.exec(line);
        if (match) {
          resolve({ child, lines, match: match[1] });
        }
      });
    }
    child.on('exit', (code) => {
      reject(new Error(`the ${name} exited with code ${code} before it was ready`));
      if (code !== 0) {
        void shutDown();
      }
    });
  });
}

function startDetached(name, command, args, env) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
  children.push(child);
  child.on('exit', () => {
    console.log(`The ${name} closed.`);
    void shutDown();
  });
}

/**
 * Stops every child and waits for it to exit, so each can still write its last log lines to our
 * pipes. A child that has not exited after 5 s is killed.
 */
function stopChildren() {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  return Promise.all(
    running.map(
      (child) =>
        new Promise((resolve) => {
          const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(killTimer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

let isShuttingDown = false;

async function shutDown() {
  if (isShuttingDown) {
    return;
  }
  isShuttingDown = true;
  await stopChildren();
  process.exit(0);
}

const logLevelNames = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Turns a pino JSON line into `level message (field=value ...)` for people watching the terminal. */
function formatLogLine(line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.msg !== 'string') {
    return line;
  }
  const { level, time, service, pid, hostname, msg, ...fields } = entry;
  const details = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${(logLevelNames[level] ?? 'info').padEnd(5)} ${msg}${details ? ` (${details})` : ''}`;
}
