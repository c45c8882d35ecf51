// The server under benchmark, run as a child process of `bench/run.ts` (forked with an IPC channel).
// It starts the real HTTPS server on 127.0.0.1 with the configured Argon2 parameters (the defaults
// unless CLINICGATE_ARGON2_* are set). It adds only two things: a deliverer that hands each code
// to the driver over IPC (never over HTTP), and measurement windows that report the event loop's
// delay, CPU time and peak RSS.
//
// Settings come from the same CLINICGATE_* environment variables as the real server; the driver
// sets CLINICGATE_DATA_DIR, CLINICGATE_PORT=0 and CLINICGATE_RATE_LIMIT_PER_IP_PER_MINUTE.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { formatConfigProblems, loadConfig } from '../server/src/config';
import { maskDestination } from '../server/src/delivery/mask-destination';
import type { CodeDeliverer, CodeMessage, DeliveryReceipt } from '../server/src/delivery/types';
import { startServer } from '../server/src/index';
import type { BenchServerMessage, DriverMessage, MeasurementWindow } from './ipc-messages';

const rssSampleIntervalMs = 50;

async function main(): Promise<void> {
  const send = requireIpc();
  const loaded = loadConfig({ argv: [], env: process.env });
  if (!loaded.ok) {
    throw new Error(formatConfigProblems(loaded.problems));
  }
  const deliverer = new IpcDeliverer(send);
  const server = await startServer(loaded.config, {
    deliverers: { email: deliverer, sms: deliverer },
    print: () => undefined,
  });

  const windows = new MeasurementWindows();
  process.on('message', (message: DriverMessage) => {
    if (message.type === 'window-start') {
      windows.start();
    } else if (message.type === 'window-stop') {
      windows.stop().then((window) => send({ type: 'window', window }));
    } else if (message.type === 'stop') {
      windows.close();
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: server.url, pid: process.pid });
}

/** Delivers a code by handing it to the benchmark driver, which plays the person reading the message. */
class IpcDeliverer implements CodeDeliverer {
  private count = 0;

  constructor(private readonly send: (message: BenchServerMessage) => void) {}

  async deliver(message: CodeMessage): Promise<DeliveryReceipt> {
    this.count += 1;
    this.send({ type: 'code', to: message.to, code: message.code });
    return {
      channel: message.channel,
      maskedDestination: maskDestination(message.channel, message.to),
      transport: 'outbox',
      reference: `bench-${this.count}`,
    };
  }
}

/**
 * Measures between `start` and `stop`: the event loop's delay (perf_hooks histogram, 10 ms
 * resolution, so a stall shorter than that shows as up to 10 ms) and RSS sampled every 50 ms.
 */
class MeasurementWindows {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });
  private readonly idleProbe = new IdleThreadProbe();
  private readonly sampler: NodeJS.Timeout;
  private rssSamples: { atMs: number; rssBytes: number }[] = [];
  private startedAt = performance.now();
  private cpuAtStart = process.cpuUsage();
  private mainThreadCpuAtStart: number | null = null;
  private isOpen = false;

  constructor() {
    this.sampler = setInterval(() => this.sampleRss(), rssSampleIntervalMs);
  }

  start(): void {
    this.delay.reset();
    this.delay.enable();
    this.idleProbe.reset();
    this.rssSamples = [];
    this.startedAt = performance.now();
    this.cpuAtStart = process.cpuUsage();
    this.mainThreadCpuAtStart = readMainThreadCpuMs();
    this.isOpen = true;
    this.sampleRss();
  }

  async stop(): Promise<MeasurementWindow> {
    this.sampleRss();
    this.delay.disable();
    const memory = process.memoryUsage();
    const idleThreadDelayMaxMs = await this.idleProbe.readMaxMs();
    this.isOpen = false;
    const samples = this.rssSamples;
    const cpu = process.cpuUsage(this.cpuAtStart);
    const mainThreadCpuMs = readMainThreadCpuMs();
    const durationMs = performance.now() - this.startedAt;
    return {
      durationMs,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / durationMs) * 100,
      cpuMs: (cpu.user + cpu.system) / 1000,
      mainThreadCpuMs: mainThreadCpuMs === null || this.mainThreadCpuAtStart === null ? null : mainThreadCpuMs - this.mainThreadCpuAtStart,
      eventLoopDelayMaxMs: this.delay.max / 1e6,
      eventLoopDelayP99Ms: this.delay.percentile(99) / 1e6,
      eventLoopDelayMeanMs: this.delay.mean / 1e6,
      idleThreadDelayMaxMs,
      rssPeakBytes: Math.max(...samples.map((sample) => sample.rssBytes)),
      memoryAtEnd: { rss: memory.rss, heapTotal: memory.heapTotal, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers },
      rssSamples: samples,
    };
  }

  close(): void {
    clearInterval(this.sampler);
    this.delay.disable();
    void this.idleProbe.close();
  }

  private sampleRss(): void {
    if (this.isOpen) {
      this.rssSamples.push({ atMs: performance.now() - this.startedAt, rssBytes: process.memoryUsage.rss() });
    }
  }
}

const clockTicksPerSecond = readClockTicksPerSecond();

/**
 * CPU time of the main thread alone, from Linux's per-thread accounting (`/proc/self/task/PID/stat`,
 * user and system time in clock ticks, usually 10 ms each). Everything else in the process is
 * mostly the thread pool hashing passwords. Null on systems without /proc.
 */
function readMainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond) * 1000;
  } catch {
    return null;
  }
}

function readClockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * A worker thread that runs no JavaScript of its own and measures its own event loop's delay.
 * When it measures the same delay as the main thread, the cause is the operating system not running
 * the process's threads (CPU oversubscription), not work blocking the main event loop.
 */
class IdleThreadProbe {
  private readonly worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { monitorEventLoopDelay } = require('node:perf_hooks');
     const delay = monitorEventLoopDelay({ resolution: 10 });
     delay.enable();
     parentPort.on('message', (message) => {
       if (message === 'reset') { delay.reset(); }
       if (message === 'read') { parentPort.postMessage(delay.max / 1e6); }
     });`,
    { eval: true },
  );

  reset(): void {
    this.worker.postMessage('reset');
  }

  readMaxMs(): Promise<number> {
    return new Promise((resolve) => {
      this.worker.once('message', (maxMs: number) => resolve(maxMs));
      this.worker.postMessage('read');
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

function requireIpc(): (message: BenchServerMessage) => void {
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new Error('bench-server.ts must be started by bench/run.ts with an IPC channel; run `npm run bench` instead.');
  }
  return (message) => {
    send(message);
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
