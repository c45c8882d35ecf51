import type { Argon2Settings } from '../server/src/config';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  /** Requests (or, for medians of runs, runs) behind the figures. */
  count: number;
}

export interface GrowthPoint {
  users: number;
  passwordStepMs: LatencySummary;
  codeVerifyMs: LatencySummary;
}

/** Everything one `npm run bench` measured; medians of the plan's runs where there are several. */
export interface BenchReport {
  plan: 'full' | 'quick';
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    /** One-minute load average when the run started and ended; above the CPU count, other processes competed for the CPUs. */
    loadAverageAtStart: number;
    loadAverageAtEnd?: number;
  };
  argon2: Argon2Settings;
  passwordStep?: {
    concurrency: number;
    ceilingPerSecond: number;
    signInsPerSecond: number;
    ratio: number;
    /** Server CPU (all threads) as a percentage of one core; 200% is both cores of a 2-core machine. */
    serverCpuPercent: number;
    latencyMs: LatencySummary;
    eventLoopMaxMs: number;
    /** The same for an idle worker thread in the server: what the operating system's scheduling alone causes. */
    idleThreadMaxMs: number;
    rssPeakBytes: number;
    /**
     * CPU time per sign-in: the server's threads other than the main one (mostly Argon2id on the
     * thread pool), the server's main thread, and the load generator. Null where /proc is missing.
     */
    cpuPerSignInMs: { hashingThreads: number; mainThread: number; loadGenerator: number } | null;
  }[];
  codeVerify?: {
    concurrency: number;
    verifiesPerSecond: number;
    serverCpuPercent: number;
    closedLoopMs: LatencySummary;
    offeredRatePerSecond: number;
    offeredMs: LatencySummary;
    eventLoopMaxMs: number;
    idleThreadMaxMs: number;
    rssPeakBytes: number;
    memoryAtEnd?: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  };
  growth?: GrowthPoint[];
  auditAppendRowsPerSecond?: number;
  auditViewer?: {
    rows: number;
    /** `https`: the audit route over HTTPS; `sql`: the same query timed in-process (provisional). */
    source: 'https' | 'sql';
    firstPageMs: LatencySummary;
    laterPagesMs: LatencySummary;
  };
  renderer?: {
    initialJsGzipBytes: number;
    initialJsFiles: { file: string; bytes: number; gzipBytes: number }[];
    interactiveMs: number[];
    interactiveMedianMs: number;
  };
  soak?: {
    offeredRatePerSecond: number;
    minutes: { minute: number; verifies: number; unexpected: number; p99Ms: number; rssPeakBytes: number; rssEndBytes: number; eventLoopMaxMs: number }[];
  };
}

const mebibyte = 2 ** 20;

/** Formats the report as Markdown tables, with the product's performance target beside each figure. */
export function formatReport(report: BenchReport, command: string): string {
  const { machine, argon2 } = report;
  const lines: string[] = [
    `Command: \`${command}\``,
    '',
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB memory, Node ${machine.node}, ${machine.platform}.`,
    `One-minute load average: ${machine.loadAverageAtStart.toFixed(2)} at the start, ${machine.loadAverageAtEnd?.toFixed(2) ?? 'unknown'} at the end.`,
    `Argon2id: m=${argon2.memoryKiB} KiB, t=${argon2.timeCost}, p=${argon2.parallelism}.`,
    '',
  ];

  if (report.passwordStep !== undefined) {
    lines.push(
      '| password step | Argon2id ceiling | sign-ins/s | ratio | target | p50 / p99 ms | event loop max (idle thread) | peak RSS | server CPU |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const row of report.passwordStep) {
      const target = row.concurrency === 1 ? '(none at 1)' : '>= 95%';
      lines.push(
        `| ${row.concurrency} ${row.concurrency === 1 ? 'client' : 'clients'} | ${row.ceilingPerSecond.toFixed(1)}/s | ${row.signInsPerSecond.toFixed(1)} | ${(row.ratio * 100).toFixed(1)}% | ${target} | ${fixed(row.latencyMs.p50)} / ${fixed(row.latencyMs.p99)} | ${fixed(row.eventLoopMaxMs)} ms (${fixed(row.idleThreadMaxMs)} ms) | ${mib(row.rssPeakBytes)} | ${row.serverCpuPercent.toFixed(0)}% |`,
      );
    }
    lines.push('');
    lines.push(
      '| password step | CPU per sign-in: server thread pool / server main thread / load generator | pool share of that CPU |',
      '| --- | --- | --- |',
    );
    for (const row of report.passwordStep) {
      const cpu = row.cpuPerSignInMs;
      const share = cpu === null ? 'unknown' : `${((cpu.hashingThreads / (cpu.hashingThreads + cpu.mainThread + cpu.loadGenerator)) * 100).toFixed(1)}%`;
      lines.push(
        `| ${row.concurrency} ${row.concurrency === 1 ? 'client' : 'clients'} | ${cpu === null ? 'unknown (no /proc)' : `${fixed(cpu.hashingThreads)} / ${fixed(cpu.mainThread)} / ${fixed(cpu.loadGenerator)} ms`} | ${share} |`,
      );
    }
    lines.push('');
  }

  if (report.codeVerify !== undefined) {
    const verify = report.codeVerify;
    lines.push(
      '| code verify | figure | target |',
      '| --- | --- | --- |',
      `| throughput, ${verify.concurrency} concurrent clients | ${verify.verifiesPerSecond.toFixed(0)}/s | >= 1,500/s (2 cores) |`,
      `| server CPU during that run (100% = one core) | ${verify.serverCpuPercent.toFixed(0)}% | (none) |`,
      `| latency at ${verify.concurrency} concurrent, p50 / p95 / p99 | ${fixed(verify.closedLoopMs.p50)} / ${fixed(verify.closedLoopMs.p95)} / ${fixed(verify.closedLoopMs.p99)} ms | (none) |`,
      `| latency at ${verify.offeredRatePerSecond}/s offered, p50 / p95 / p99 | ${fixed(verify.offeredMs.p50)} / ${fixed(verify.offeredMs.p95)} / ${fixed(verify.offeredMs.p99)} ms | p99 < 10 ms |`,
      `| server peak RSS during the verify runs | ${mib(verify.rssPeakBytes)} | < 200 MB |`,
      `| event loop max delay during the verify runs (idle thread) | ${fixed(verify.eventLoopMaxMs)} ms (${fixed(verify.idleThreadMaxMs)} ms) | (none) |`,
    );
    if (verify.memoryAtEnd !== undefined) {
      const memory = verify.memoryAtEnd;
      lines.push(
        `| memory after the last 100-client run: RSS / V8 heap total / heap used / external | ${mib(memory.rss)} / ${mib(memory.heapTotal)} / ${mib(memory.heapUsed)} / ${mib(memory.external)} | (none) |`,
      );
    }
    lines.push('');
  }

  if (report.growth !== undefined && report.growth.length > 0) {
    lines.push(
      '| users in the database | password step p50 / p95 / p99 | code verify p50 / p95 / p99 |',
      '| --- | --- | --- |',
    );
    for (const point of report.growth) {
      lines.push(
        `| ${point.users.toLocaleString('en-US')} | ${triple(point.passwordStepMs)} ms | ${triple(point.codeVerifyMs)} ms |`,
      );
    }
    lines.push('');
  }

  if (report.auditViewer !== undefined) {
    const audit = report.auditViewer;
    const source = audit.source === 'https' ? 'GET /api/v1/audit/events?pageSize=50 over HTTPS' : 'PROVISIONAL: the keyset SQL query in-process, no HTTP';
    lines.push(
      `| audit viewer, ${audit.rows.toLocaleString('en-US')} rows (${source}) | p50 / p95 / p99 |`,
      '| --- | --- |',
      `| first page | ${triple(audit.firstPageMs)} ms |`,
      `| next pages by cursor | ${triple(audit.laterPagesMs)} ms |`,
      '',
    );
    if (report.auditAppendRowsPerSecond !== undefined) {
      lines.push(`Audit rows were appended through appendAuditEvent at ${report.auditAppendRowsPerSecond.toFixed(0)} rows/s.`, '');
    }
  }

  if (report.renderer !== undefined) {
    const renderer = report.renderer;
    lines.push(
      '| renderer | figure | target |',
      '| --- | --- | --- |',
      `| initial JavaScript, gzipped | ${(renderer.initialJsGzipBytes / 1024).toFixed(1)} KiB (${renderer.initialJsFiles.map((file) => file.file).join(', ')}) | < 150 KB |`,
      `| sign-in screen interactive (median of ${renderer.interactiveMs.length}) | ${renderer.interactiveMedianMs.toFixed(0)} ms (runs: ${renderer.interactiveMs.map((value) => value.toFixed(0)).join(', ')}) | < 1 s |`,
      '',
    );
  }

  if (report.soak !== undefined) {
    lines.push(
      `| soak minute (${report.soak.offeredRatePerSecond}/s offered) | verifies | p99 | peak RSS | RSS at end | event loop max |`,
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const minute of report.soak.minutes) {
      lines.push(
        `| ${minute.minute} | ${minute.verifies} | ${fixed(minute.p99Ms)} ms | ${mib(minute.rssPeakBytes)} | ${mib(minute.rssEndBytes)} | ${fixed(minute.eventLoopMaxMs)} ms |`,
      );
    }
    lines.push('', 'Target: under 200 MB RSS and flat over 10 minutes.', '');
  }
  return lines.join('\n');
}

function fixed(value: number): string {
  return value.toFixed(value < 10 ? 2 : 1);
}

function triple(summary: LatencySummary): string {
  return `${fixed(summary.p50)} / ${fixed(summary.p95)} / ${fixed(summary.p99)}`;
}

function mib(bytes: number): string {
  return `${(bytes / mebibyte).toFixed(1)} MiB`;
}
