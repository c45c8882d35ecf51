// The measurements of `npm run bench`, one function per figure, which run.ts calls in order.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serverEnvironment } from '../scripts/build-server.mjs';
import type { Db } from '../server/src/db/database';
import { loadOrCreateOtpSecret } from '../server/src/otp/otp-secret';
import { log, repositoryRoot, type BenchServer } from './bench-process';
import type { MeasurementWindow } from './ipc-messages';
import { LoadClient, median, percentile, type LoadResult } from './load-client';
import type { BenchPlan } from './plans';
import { buildRenderer, measureInitialJavaScript, measureTimeToInteractive } from './renderer-bench';
import type { BenchReport, GrowthPoint, LatencySummary } from './report';
import { benchAdminUsername, benchEmail, benchPassword, mintOtpChallenge, readAuditPage } from './seed-data';
import {
  benchPasswordRequest,
  challengeTokenOf,
  passwordRequest,
  prepareChallenges,
  sendAndReadCode,
  verifyRequest,
  type PreparedChallenge,
} from './sign-in-flows';

export const benchAdminEmail = 'bench.admin@bench.example';

/** Hands out user indexes that have not signed in yet, so no user reaches the hourly send cap. */
export class UserPicker {
  private readonly used = new Set<number>();
  private count = 0;
  private sequential = 0;

  setCount(count: number): void {
    this.count = count;
  }

  /** Returns the next unused user in order, for the throughput phases. */
  next(): number {
    while (this.used.has(this.sequential)) {
      this.sequential += 1;
    }
    if (this.sequential >= this.count) {
      throw new Error(`all ${this.count} bench users have been used; seed more users for this plan`);
    }
    this.used.add(this.sequential);
    return this.sequential;
  }

  /** Returns unused users spread at random over the whole table, for the growth points. */
  random(howMany: number): number[] {
    const picked: number[] = [];
    while (picked.length < howMany) {
      const index = Math.floor(Math.random() * this.count);
      if (!this.used.has(index)) {
        this.used.add(index);
        picked.push(index);
      }
    }
    return picked;
  }

  take(howMany: number): number[] {
    return Array.from({ length: howMany }, () => this.next());
  }
}

export interface PhaseInput {
  plan: BenchPlan;
  server: BenchServer;
  target: { baseUrl: string; caPem: string };
  users: UserPicker;
  deviceFingerprint: string;
}

/** Warms the JIT and the connection paths before anything is measured. */
export async function warmUp({ plan, target, users, server, deviceFingerprint }: PhaseInput): Promise<void> {
  log('warming up');
  const client = new LoadClient(target, 8);
  try {
    const challenges = await prepareChallenges({
      client,
      codes: server.codes,
      userIndexes: users.take(Math.max(16, Math.round(plan.warmupMs / 50))),
      deviceFingerprint,
      concurrency: 8,
    });
    let next = 0;
    await client.runClosedLoop({
      concurrency: 8,
      expectedStatus: 200,
      nextRequest: () => {
        const challenge = challenges[next];
        next += 1;
        return challenge === undefined ? undefined : verifyRequest(challenge, deviceFingerprint);
      },
    });
  } finally {
    client.close();
  }
}

export async function measureGrowthPoint(input: PhaseInput & { userCount: number }): Promise<GrowthPoint> {
  const { plan, target, users, server, deviceFingerprint } = input;
  log(`growth point: ${input.userCount} users`);
  const client = new LoadClient(target, plan.prepareConcurrency);
  try {
    const userIndexes = users.random(plan.growthSamples);
    const challengeTokens: string[] = [];
    let nextUser = 0;
    const passwordStep = await client.runClosedLoop({
      concurrency: 1,
      expectedStatus: 200,
      nextRequest: () => {
        const userIndex = userIndexes[nextUser];
        nextUser += 1;
        return userIndex === undefined ? undefined : benchPasswordRequest(userIndex, deviceFingerprint);
      },
      onResponse: (_request, response) => challengeTokens.push(challengeTokenOf(response)),
    });
    assertAllExpected('password step (growth)', passwordStep);

    const challenges: PreparedChallenge[] = [];
    for (const [position, challengeToken] of challengeTokens.entries()) {
      const code = await sendAndReadCode(client, server.codes, challengeToken, benchEmail(userIndexes[position] as number));
      challenges.push({ challengeToken, code });
    }
    let nextChallenge = 0;
    const verify = await client.runClosedLoop({
      concurrency: 1,
      expectedStatus: 200,
      nextRequest: () => {
        const challenge = challenges[nextChallenge];
        nextChallenge += 1;
        return challenge === undefined ? undefined : verifyRequest(challenge, deviceFingerprint);
      },
    });
    assertAllExpected('code verify (growth)', verify);
    return {
      users: input.userCount,
      passwordStepMs: latencySummary(passwordStep.latenciesMs),
      codeVerifyMs: latencySummary(verify.latenciesMs),
    };
  } finally {
    client.close();
  }
}

export async function measurePasswordStep(input: PhaseInput): Promise<NonNullable<BenchReport['passwordStep']>> {
  const { plan, target, users, server, deviceFingerprint } = input;
  const results: NonNullable<BenchReport['passwordStep']> = [];
  for (const concurrency of plan.passwordConcurrencies) {
    const ceilings: number[] = [];
    const rates: number[] = [];
    const eventLoopMaxMs: number[] = [];
    const rssPeakBytes: number[] = [];
    const cpuPercents: number[] = [];
    const idleThreadMaxMs: number[] = [];
    const latencies: number[] = [];
    const cpuPerSignIn: { hashingThreads: number; mainThread: number; loadGenerator: number }[] = [];
    for (let run = 0; run < plan.runs; run += 1) {
      log(`password step: ${concurrency} concurrent clients, run ${run + 1} of ${plan.runs}`);
      ceilings.push(runArgon2Ceiling(concurrency, plan.ceilingDurationMs));
      const client = new LoadClient(target, concurrency);
      try {
        await client.openConnections(concurrency);
        const driverCpuAtStart = process.cpuUsage();
        const { result, window } = await server.measure(() =>
          client.runClosedLoop({
            concurrency,
            durationMs: plan.passwordStepDurationMs,
            expectedStatus: 200,
            nextRequest: () => benchPasswordRequest(users.next(), deviceFingerprint),
          }),
        );
        const driverCpu = process.cpuUsage(driverCpuAtStart);
        assertAllExpected('password step', result);
        const signIns = result.latenciesMs.length;
        if (window.mainThreadCpuMs !== null && signIns > 0) {
          cpuPerSignIn.push({
            hashingThreads: (window.cpuMs - window.mainThreadCpuMs) / signIns,
            mainThread: window.mainThreadCpuMs / signIns,
            loadGenerator: (driverCpu.user + driverCpu.system) / 1000 / signIns,
          });
        }
        rates.push(result.requestsPerSecond);
        latencies.push(...result.latenciesMs);
        eventLoopMaxMs.push(window.eventLoopDelayMaxMs);
        rssPeakBytes.push(window.rssPeakBytes);
        cpuPercents.push(window.cpuPercent);
        idleThreadMaxMs.push(window.idleThreadDelayMaxMs);
      } finally {
        client.close();
      }
    }
    results.push({
      serverCpuPercent: median(cpuPercents),
      concurrency,
      ceilingPerSecond: median(ceilings),
      signInsPerSecond: median(rates),
      ratio: median(rates) / median(ceilings),
      latencyMs: latencySummary(latencies),
      eventLoopMaxMs: Math.max(...eventLoopMaxMs),
      idleThreadMaxMs: Math.max(...idleThreadMaxMs),
      rssPeakBytes: Math.max(...rssPeakBytes),
      cpuPerSignInMs:
        cpuPerSignIn.length === 0
          ? null
          : {
              hashingThreads: median(cpuPerSignIn.map((cpu) => cpu.hashingThreads)),
              mainThread: median(cpuPerSignIn.map((cpu) => cpu.mainThread)),
              loadGenerator: median(cpuPerSignIn.map((cpu) => cpu.loadGenerator)),
            },
    });
  }
  return results;
}

/**
 * Creates `count` sign-in challenges with fresh codes straight in the database, through the
 * server's own challenge functions, in one transaction. Verifying one of these costs the server
 * the same as verifying a challenge opened by the password step and a code send (measured: 0.59 ms
 * of main-thread CPU per verification either way). Creating them this way lets a throughput run
 * last long enough to reach a steady state instead of stopping after a minute of Argon2id work.
 */
function mintChallenges(db: Db, input: { otpSecret: Buffer; deviceFingerprint: string; count: number }): PreparedChallenge[] {
  const userIds = (db.prepare('SELECT id FROM users LIMIT ?').all(input.count) as { id: string }[]).map((row) => row.id);
  const now = Date.now();
  return db.transaction(() =>
    Array.from({ length: input.count }, (_, index) =>
      mintOtpChallenge(db, { userId: userIds[index % userIds.length] as string, deviceFingerprint: input.deviceFingerprint, otpSecret: input.otpSecret, now }),
    ),
  )();
}

export async function measureCodeVerify(input: PhaseInput & { db: Db; dataDir: string }): Promise<NonNullable<BenchReport['codeVerify']>> {
  const { plan, target, users, server, deviceFingerprint, db } = input;
  const otpSecret = loadOrCreateOtpSecret(path.join(input.dataDir, 'secrets', 'otp-hmac.key'));
  const rates: number[] = [];
  const closedLatencies: LatencySummaryRuns = { p50: [], p95: [], p99: [] };
  const openLatencies: LatencySummaryRuns = { p50: [], p95: [], p99: [] };
  const eventLoopMaxMs: number[] = [];
  const rssPeakBytes: number[] = [];
  const cpuPercents: number[] = [];
  const idleThreadMaxMs: number[] = [];
  let memoryAtEnd: MeasurementWindow['memoryAtEnd'] | undefined;
  const prepareClient = new LoadClient(target, plan.prepareConcurrency);
  try {
    for (let run = 0; run < plan.runs; run += 1) {
      log(`code verify: creating ${plan.verifyWarmupCount} + ${plan.verifyPoolSize} challenges (run ${run + 1} of ${plan.runs})`);
      const pool = mintChallenges(db, { otpSecret, deviceFingerprint, count: plan.verifyWarmupCount + plan.verifyPoolSize });
      log(`code verify: ${plan.verifyConcurrency} concurrent clients`);
      const client = new LoadClient(target, plan.verifyConcurrency);
      try {
        let next = 0;
        // Unmeasured: opens the connections and lets the server settle into the load first.
        await client.runClosedLoop({
          concurrency: plan.verifyConcurrency,
          expectedStatus: 200,
          nextRequest: () => (next < plan.verifyWarmupCount ? verifyRequest(pool[next++] as PreparedChallenge, deviceFingerprint) : undefined),
        });
        const { result, window } = await server.measure(() =>
          client.runClosedLoop({
            concurrency: plan.verifyConcurrency,
            expectedStatus: 200,
            nextRequest: () => {
              const challenge = pool[next];
              next += 1;
              return challenge === undefined ? undefined : verifyRequest(challenge, deviceFingerprint);
            },
          }),
        );
        assertAllExpected('code verify', result);
        rates.push(result.requestsPerSecond);
        cpuPercents.push(window.cpuPercent);
        pushPercentiles(closedLatencies, result.latenciesMs);
        eventLoopMaxMs.push(window.eventLoopDelayMaxMs);
        idleThreadMaxMs.push(window.idleThreadDelayMaxMs);
        rssPeakBytes.push(window.rssPeakBytes);
        memoryAtEnd = window.memoryAtEnd;
      } finally {
        client.close();
      }

      const offeredCount = plan.offeredRatePerSecond * plan.offeredDurationSeconds;
      log(`code verify: preparing ${offeredCount} challenges for ${plan.offeredRatePerSecond} per second offered`);
      const offeredPool = await prepareChallenges({
        client: prepareClient,
        codes: server.codes,
        userIndexes: users.take(offeredCount),
        deviceFingerprint,
        concurrency: plan.prepareConcurrency,
      });
      const openClient = new LoadClient(target, plan.verifyConcurrency);
      try {
        await openClient.openConnections(plan.verifyConcurrency);
        let next = 0;
        const { result, window } = await server.measure(() =>
          openClient.runOpenLoop({
            ratePerSecond: plan.offeredRatePerSecond,
            count: offeredCount,
            expectedStatus: 200,
            nextRequest: () => {
              const challenge = offeredPool[next];
              next += 1;
              return challenge === undefined ? undefined : verifyRequest(challenge, deviceFingerprint);
            },
          }),
        );
        assertAllExpected('code verify at a fixed rate', result);
        pushPercentiles(openLatencies, result.latenciesMs);
        eventLoopMaxMs.push(window.eventLoopDelayMaxMs);
        idleThreadMaxMs.push(window.idleThreadDelayMaxMs);
        rssPeakBytes.push(window.rssPeakBytes);
      } finally {
        openClient.close();
      }
    }
  } finally {
    prepareClient.close();
  }
  return {
    concurrency: plan.verifyConcurrency,
    verifiesPerSecond: median(rates),
    serverCpuPercent: median(cpuPercents),
    closedLoopMs: medianOfRuns(closedLatencies),
    offeredRatePerSecond: plan.offeredRatePerSecond,
    offeredMs: medianOfRuns(openLatencies),
    eventLoopMaxMs: Math.max(...eventLoopMaxMs),
    idleThreadMaxMs: Math.max(...idleThreadMaxMs),
    rssPeakBytes: Math.max(...rssPeakBytes),
    memoryAtEnd,
  };
}

/** Signs the bench admin in over HTTPS and reads audit pages, newest first, with keyset cursors. */
export async function measureAuditViewer(input: {
  plan: BenchPlan;
  server: BenchServer;
  target: { baseUrl: string; caPem: string };
  db: Db;
  deviceFingerprint: string;
}): Promise<NonNullable<BenchReport['auditViewer']>> {
  const { plan, server, target, db, deviceFingerprint } = input;
  const rows = (db.prepare('SELECT COUNT(*) AS count FROM audit_events').get() as { count: number }).count;
  log(`audit viewer: ${rows} audit rows`);
  const client = new LoadClient(target, 1);
  try {
    const challengeToken = challengeTokenOf(await client.request(passwordRequest(benchAdminUsername, benchPassword, deviceFingerprint)));
    const code = await sendAndReadCode(client, server.codes, challengeToken, benchAdminEmail);
    const verified = await client.request(verifyRequest({ challengeToken, code }, deviceFingerprint));
    const sessionToken = (verified.body as { session?: { token?: string } }).session?.token;
    if (verified.status !== 200 || sessionToken === undefined) {
      throw new Error(`admin sign-in failed: HTTP ${verified.status}`);
    }
    const headers = { authorization: `Bearer ${sessionToken}`, 'x-clinicgate-device': deviceFingerprint };
    const firstPagePath = '/api/v1/audit/events?pageSize=50';
    const probe = await client.request({ method: 'GET', path: firstPagePath, headers });
    if (probe.status === 404) {
      return { rows, source: 'sql', ...measureAuditQueryDirectly(db, plan.auditSamples) };
    }
    if (probe.status !== 200) {
      throw new Error(`audit viewer failed: HTTP ${probe.status} ${JSON.stringify(probe.body)}`);
    }

    let samples = 0;
    const firstPage = await client.runClosedLoop({
      concurrency: 1,
      expectedStatus: 200,
      nextRequest: () => (samples++ < plan.auditSamples ? { method: 'GET', path: firstPagePath, headers } : undefined),
    });
    assertAllExpected('audit first page', firstPage);

    // Follows the cursor page after page, as an admin paging back through the log would.
    let cursor = (probe.body as { nextCursor: string | null }).nextCursor;
    let pages = 0;
    const laterPages = await client.runClosedLoop({
      concurrency: 1,
      expectedStatus: 200,
      nextRequest: () =>
        cursor === null || pages++ >= plan.auditSamples
          ? undefined
          : { method: 'GET', path: `${firstPagePath}&cursor=${encodeURIComponent(cursor)}`, headers },
      onResponse: (_request, response) => {
        cursor = (response.body as { nextCursor: string | null }).nextCursor;
      },
    });
    assertAllExpected('audit later pages', laterPages);
    return { rows, source: 'https', firstPageMs: latencySummary(firstPage.latenciesMs), laterPagesMs: latencySummary(laterPages.latenciesMs) };
  } finally {
    client.close();
  }
}

/** Times the same keyset query in this process, as a fallback while the audit route is missing. */
function measureAuditQueryDirectly(db: Db, samples: number): { firstPageMs: LatencySummary; laterPagesMs: LatencySummary } {
  const first: number[] = [];
  const later: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const startedAt = performance.now();
    readAuditPage(db, { pageSize: 50 });
    first.push(performance.now() - startedAt);
  }
  let beforeId = readAuditPage(db, { pageSize: 50 }).nextBeforeId;
  for (let sample = 0; sample < samples && beforeId !== null; sample += 1) {
    const startedAt = performance.now();
    beforeId = readAuditPage(db, { pageSize: 50, beforeId }).nextBeforeId;
    later.push(performance.now() - startedAt);
  }
  return { firstPageMs: latencySummary(first), laterPagesMs: latencySummary(later) };
}

export async function measureRenderer(input: { plan: BenchPlan; workDir: string; serverUrl: string; caFile: string }): Promise<NonNullable<BenchReport['renderer']>> {
  const rendererDir = path.join(input.workDir, 'renderer');
  log('renderer: building with vite');
  buildRenderer(repositoryRoot, rendererDir);
  const size = measureInitialJavaScript(rendererDir);
  log(`renderer: loading the sign-in screen ${input.plan.rendererRuns} times in Chromium`);
  const interactiveMs = await measureTimeToInteractive({
    repositoryRoot,
    rendererDir,
    agentDir: path.join(input.workDir, 'agent'),
    serverUrl: input.serverUrl,
    serverCaFile: input.caFile,
    chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    runs: input.plan.rendererRuns,
  });
  return { ...size, interactiveMs, interactiveMedianMs: median(interactiveMs) };
}

/**
 * Offers code verifications at a fixed rate for `durationSeconds` and reports the server's RSS
 * each minute. Challenges are minted in this process through the server's own challenge functions,
 * 1 second ahead, because Argon2 cannot open 200 challenges a second on a small machine.
 */
export async function runSoak(input: {
  plan: BenchPlan;
  server: BenchServer;
  target: { baseUrl: string; caPem: string };
  db: Db;
  dataDir: string;
  deviceFingerprint: string;
  durationSeconds: number;
}): Promise<NonNullable<BenchReport['soak']>> {
  const { plan, server, target, db, deviceFingerprint } = input;
  const otpSecret = loadOrCreateOtpSecret(path.join(input.dataDir, 'secrets', 'otp-hmac.key'));
  const userIds = (db.prepare('SELECT id FROM users').all() as { id: string }[]).map((row) => row.id);
  const client = new LoadClient(target, plan.verifyConcurrency);
  const rate = plan.offeredRatePerSecond;
  const totalSeconds = input.durationSeconds;
  const minutes: NonNullable<BenchReport['soak']>['minutes'] = [];
  let userCursor = 0;
  try {
    let window = { latencies: [] as number[], unexpected: 0, seconds: 0 };
    let isMeasuring = false;
    for (let second = 0; second < totalSeconds; second += 1) {
      if (!isMeasuring) {
        server.startWindow();
        isMeasuring = true;
      }
      const now = Date.now();
      // One transaction per batch, so the server waits for this connection's write lock once a second at most.
      const batch = db.transaction(() =>
        Array.from({ length: rate }, () => {
          const userId = userIds[userCursor % userIds.length] as string;
          userCursor += 1;
          return mintOtpChallenge(db, { userId, deviceFingerprint, otpSecret, now });
        }),
      )();
      let next = 0;
      const result = await client.runOpenLoop({
        ratePerSecond: rate,
        count: rate,
        expectedStatus: 200,
        nextRequest: () => {
          const challenge = batch[next];
          next += 1;
          return challenge === undefined ? undefined : verifyRequest(challenge, deviceFingerprint);
        },
      });
      window.latencies.push(...result.latenciesMs);
      window.unexpected += result.unexpected;
      window.seconds += 1;
      if (window.seconds === 60 || second === totalSeconds - 1) {
        const measured = await server.stopWindow();
        isMeasuring = false;
        minutes.push({
          minute: minutes.length + 1,
          verifies: window.latencies.length,
          unexpected: window.unexpected,
          p99Ms: percentile(window.latencies, 99),
          rssPeakBytes: measured.rssPeakBytes,
          rssEndBytes: measured.rssSamples.at(-1)?.rssBytes ?? measured.rssPeakBytes,
          eventLoopMaxMs: measured.eventLoopDelayMaxMs,
        });
        log(`soak: minute ${minutes.length}, RSS peak ${(measured.rssPeakBytes / 2 ** 20).toFixed(1)} MiB`);
        window = { latencies: [], unexpected: 0, seconds: 0 };
      }
    }
  } finally {
    client.close();
  }
  return { offeredRatePerSecond: rate, minutes };
}

/**
 * The ceiling is the better of two raw runs: with libuv's default pool of 4 threads, and with the
 * pool the server runs with (one thread per core, see scripts/build-server.mjs). On a machine with
 * fewer than 4 cores the smaller pool is often faster, and the server must not be flattered by a
 * ceiling that oversubscribes the CPUs.
 */
function runArgon2Ceiling(concurrency: number, durationMs: number): number {
  const { UV_THREADPOOL_SIZE: _ignored, ...defaultPool } = process.env;
  const rates = [defaultPool, serverEnvironment(defaultPool)].map((env) => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', path.join('bench', 'argon2-ceiling.ts'), String(concurrency), String(durationMs)], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      env,
    });
    return (JSON.parse(output) as { verifiesPerSecond: number }).verifiesPerSecond;
  });
  log(`Argon2id ceiling at ${concurrency}: ${rates.map((rate) => rate.toFixed(1)).join('/s with the default pool, ')}/s with the server's pool`);
  return Math.max(...rates);
}

interface LatencySummaryRuns {
  p50: number[];
  p95: number[];
  p99: number[];
}

function latencySummary(latenciesMs: readonly number[]): LatencySummary {
  return { p50: percentile(latenciesMs, 50), p95: percentile(latenciesMs, 95), p99: percentile(latenciesMs, 99), count: latenciesMs.length };
}

function pushPercentiles(runs: LatencySummaryRuns, latenciesMs: readonly number[]): void {
  runs.p50.push(percentile(latenciesMs, 50));
  runs.p95.push(percentile(latenciesMs, 95));
  runs.p99.push(percentile(latenciesMs, 99));
}

function medianOfRuns(runs: LatencySummaryRuns): LatencySummary {
  return { p50: median(runs.p50), p95: median(runs.p95), p99: median(runs.p99), count: runs.p50.length };
}

function assertAllExpected(phase: string, result: LoadResult): void {
  if (result.unexpected > 0) {
    throw new Error(`${phase}: ${result.unexpected} of ${result.completed} responses had an unexpected status; the figures would be wrong`);
  }
}
