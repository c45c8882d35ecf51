/** Messages from the benchmark driver to the bench server. */
export type DriverMessage = { type: 'window-start' } | { type: 'window-stop' } | { type: 'stop' };

/** Messages from the bench server to the driver. */
export type BenchServerMessage =
  | { type: 'ready'; url: string; pid: number }
  /** A delivered one-time code, for the driver to type in as the person would. */
  | { type: 'code'; to: string; code: string }
  | { type: 'window'; window: MeasurementWindow };

/** Server-side measurements between a `window-start` and a `window-stop`. */
export interface MeasurementWindow {
  durationMs: number;
  /** Server CPU time (user and system, all threads) as a percentage of one core. */
  cpuPercent: number;
  /** Server CPU time in ms, all threads, and of the main (event-loop) thread alone; null where /proc is missing. */
  cpuMs: number;
  mainThreadCpuMs: number | null;
  eventLoopDelayMaxMs: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMeanMs: number;
  /** Maximum delay of an idle worker thread's event loop in the server process, which is the scheduling noise floor. */
  idleThreadDelayMaxMs: number;
  /** `process.memoryUsage()` when the window closed. */
  memoryAtEnd: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  rssPeakBytes: number;
  rssSamples: { atMs: number; rssBytes: number }[];
}
