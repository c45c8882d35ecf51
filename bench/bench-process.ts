import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode, serverEnvironment, serverNodeOptions } from '../scripts/build-server.mjs';
import type { BenchServerMessage, DriverMessage, MeasurementWindow } from './ipc-messages';
import { CodeBook } from './sign-in-flows';

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchServer {
  url: string;
  codes: CodeBook;
  measure<T>(work: () => Promise<T>): Promise<{ result: T; window: MeasurementWindow }>;
  startWindow(): void;
  stopWindow(): Promise<MeasurementWindow>;
  stop(): Promise<void>;
}

/**
 * Bundles `bench/bench-server.ts`, forks it and waits for it to listen. It runs as the server runs
 * in a clinic (`npm run server`): bundled, on plain node, with the same process environment.
 */
export async function startBenchServer(dataDir: string, cpuProfileDir: string | undefined): Promise<BenchServer> {
  const profiling = cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  const bundle = path.join(repositoryRoot, 'build', 'bench', 'bench-server.mjs');
  await bundleForNode(path.join(repositoryRoot, 'bench', 'bench-server.ts'), bundle);
  const child = fork(bundle, [], {
    cwd: repositoryRoot,
    execArgv: [...serverNodeOptions, ...profiling],
    env: {
      ...serverEnvironment(),
      CLINICGATE_DATA_DIR: dataDir,
      CLINICGATE_HOST: '127.0.0.1',
      CLINICGATE_PORT: '0',
      CLINICGATE_LOG_LEVEL: process.env.CLINICGATE_LOG_LEVEL ?? 'warn',
      // Every request comes from 127.0.0.1, so the default 60 a minute would stop the benchmark at once.
      CLINICGATE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const codes = new CodeBook();
  let windowWaiter: ((window: MeasurementWindow) => void) | undefined;
  const send = (message: DriverMessage): void => {
    // After Ctrl+C the server may already be gone; its exit is what stopChild waits for.
    if (child.connected) {
      child.send(message);
    }
  };

  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: BenchServerMessage) => {
      if (message.type === 'ready') {
        resolve(message.url);
      } else if (message.type === 'code') {
        codes.receive(message);
      } else if (message.type === 'window') {
        windowWaiter?.(message.window);
        windowWaiter = undefined;
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited with code ${code} before it was ready`)));
  });
  log(`bench server (pid ${child.pid}) listening on ${url}`);

  const startWindow = (): void => send({ type: 'window-start' });
  const stopWindow = (): Promise<MeasurementWindow> =>
    new Promise<MeasurementWindow>((resolve) => {
      windowWaiter = resolve;
      send({ type: 'window-stop' });
    });
  return {
    url,
    codes,
    async measure(work) {
      startWindow();
      const result = await work();
      return { result, window: await stopWindow() };
    },
    startWindow,
    stopWindow,
    stop: () => stopChild(child, () => send({ type: 'stop' })),
  };
}

function stopChild(child: ChildProcess, requestStop: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    requestStop();
  });
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
