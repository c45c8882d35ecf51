// `npm run bench [-- --quick] [-- --soak] [-- --json FILE] [-- --cpu-prof DIR]` measures how fast
// ClinicGate signs people in. It starts the server as a separate process on 127.0.0.1 with a fresh
// data directory, drives it over HTTPS with keep-alive from this process, and prints Markdown
// tables with the targets beside each figure. docs/benchmarks.md explains each figure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPasswordHasher } from '../server/src/auth/password-hash';
import { formatConfigProblems, loadConfig } from '../server/src/config';
import { databasePath, openDatabase, type Db } from '../server/src/db/database';
import { createPractice } from '../server/src/practices/practice-repository';
import { createUser } from '../server/src/users/user-repository';
import { log, startBenchServer } from './bench-process';
import {
  UserPicker,
  benchAdminEmail,
  measureAuditViewer,
  measureCodeVerify,
  measureGrowthPoint,
  measurePasswordStep,
  measureRenderer,
  runSoak,
  warmUp,
} from './phases';
import { fullPlan, quickPlan, type BenchPlan } from './plans';
import { formatReport, type BenchReport, type GrowthPoint } from './report';
import { appendAuditRows, benchAdminUsername, benchPassword, seedUsers } from './seed-data';

interface Options {
  plan: BenchPlan;
  isSoak: boolean;
  jsonFile: string | undefined;
  /** Folder for a V8 CPU profile of the bench server (`node --cpu-prof`), written when it stops. */
  cpuProfileDir: string | undefined;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { plan } = options;
  const loaded = loadConfig({ argv: [], env: process.env });
  if (!loaded.ok) {
    throw new Error(formatConfigProblems(loaded.problems));
  }
  const argon2Settings = loaded.config.argon2;
  const machine = describeMachine();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'clinicgate-bench-'));
  const dataDir = path.join(workDir, 'server');
  log(`${plan.name} benchmark${options.isSoak ? ' (soak)' : ''}; data directory ${workDir}`);

  // Ctrl+C reaches the bench server too, because it is in the same process group. The data
  // directory contains the server's TLS key, so it is removed here before exiting.
  const removeWorkDirAndExit = (): void => {
    rmSync(workDir, { recursive: true, force: true });
    process.stderr.write(`benchmark stopped; removed ${workDir}\n`);
    process.exit(130);
  };
  process.once('SIGINT', removeWorkDirAndExit);
  process.once('SIGTERM', removeWorkDirAndExit);
  const server = await startBenchServer(dataDir, options.cpuProfileDir).catch((error: unknown) => {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  });
  const db = openDatabase(databasePath(dataDir));
  const caPem = readFileSync(path.join(dataDir, 'tls', 'server.crt'), 'utf8');
  const target = { baseUrl: server.url, caPem };
  const deviceFingerprint = randomBytes(32).toString('hex');
  try {
    const now = Date.now();
    const hasher = await createPasswordHasher(argon2Settings);
    const passwordHash = await hasher.hashPassword(benchPassword);
    const practice = createPractice(db, { name: 'Bench Clinic', createdAt: now });
    createUser(db, {
      practiceId: practice.id,
      username: benchAdminUsername,
      displayName: 'Bench Admin',
      email: benchAdminEmail,
      mobile: null,
      role: 'practice_admin',
      passwordHash,
      preferredChannel: 'email',
      createdAt: now,
    });
    const seeding = { db, practiceId: practice.id, passwordHash, seeded: 0 };
    const users = new UserPicker();

    if (options.isSoak) {
      seedUsersUpTo(seeding, 10_000);
      const soak = await runSoak({ plan, server, target, db, dataDir, deviceFingerprint, durationSeconds: Math.round(plan.soakMinutes * 60) });
      emitReport(options, { plan: plan.name, machine, argon2: argon2Settings, soak });
      return;
    }

    const growth: GrowthPoint[] = [];
    const report: BenchReport = { plan: plan.name, machine, argon2: argon2Settings, growth };
    const [smallUsers, mediumUsers, largeUsers] = plan.growthUserCounts;

    seedUsersUpTo(seeding, smallUsers);
    users.setCount(smallUsers);
    await warmUp({ plan, server, target, users, deviceFingerprint });
    growth.push(await measureGrowthPoint({ plan, server, target, users, deviceFingerprint, userCount: smallUsers }));

    seedUsersUpTo(seeding, mediumUsers);
    users.setCount(mediumUsers);
    growth.push(await measureGrowthPoint({ plan, server, target, users, deviceFingerprint, userCount: mediumUsers }));

    report.passwordStep = await measurePasswordStep({ plan, server, target, users, deviceFingerprint });
    report.codeVerify = await measureCodeVerify({ plan, server, target, users, deviceFingerprint, db, dataDir });

    seedUsersUpTo(seeding, largeUsers);
    users.setCount(largeUsers);
    growth.push(await measureGrowthPoint({ plan, server, target, users, deviceFingerprint, userCount: largeUsers }));

    const existingRows = (db.prepare('SELECT COUNT(*) AS count FROM audit_events').get() as { count: number }).count;
    const rowsToAdd = Math.max(0, plan.auditRows - existingRows);
    log(`appending ${rowsToAdd} audit rows through appendAuditEvent`);
    const appendStartedAt = performance.now();
    appendAuditRows(db, { count: rowsToAdd, practiceId: practice.id, now: Date.now() });
    report.auditAppendRowsPerSecond = (rowsToAdd / (performance.now() - appendStartedAt)) * 1000;
    report.auditViewer = await measureAuditViewer({ plan, server, target, db, deviceFingerprint });

    report.renderer = await measureRenderer({ plan, workDir, serverUrl: server.url, caFile: path.join(dataDir, 'tls', 'server.crt') });
    if (plan.name === 'quick') {
      // Runs the soak's code path for a few seconds, so CI notices when it breaks.
      report.soak = await runSoak({ plan, server, target, db, dataDir, deviceFingerprint, durationSeconds: 5 });
    }
    emitReport(options, report);
  } finally {
    db.close();
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function parseOptions(argv: readonly string[]): Options {
  let plan = fullPlan;
  let isSoak = false;
  let jsonFile: string | undefined;
  let cpuProfileDir: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--help' || argument === '-h') {
      process.stdout.write(`${usage}\nMeasures sign-in throughput, code latency, memory and growth; see docs/benchmarks.md.\n`);
      process.exit(0);
    } else if (argument === '--quick') {
      plan = quickPlan;
    } else if (argument === '--soak') {
      isSoak = true;
    } else if (argument === '--json') {
      jsonFile = argv[index + 1];
      index += 1;
      if (jsonFile === undefined) {
        throw new UsageError('--json: expected a file path after the flag.');
      }
    } else if (argument === '--cpu-prof') {
      cpuProfileDir = argv[index + 1];
      index += 1;
      if (cpuProfileDir === undefined) {
        throw new UsageError('--cpu-prof: expected a folder path after the flag.');
      }
      cpuProfileDir = path.resolve(cpuProfileDir);
    } else {
      throw new UsageError(`unknown option ${JSON.stringify(argument)}; expected --quick, --soak, --json FILE or --cpu-prof DIR.`);
    }
  }
  return { plan, isSoak, jsonFile, cpuProfileDir };
}

const usage = 'usage: npm run bench [-- --quick] [-- --soak] [-- --json FILE] [-- --cpu-prof DIR]';

/** A command-line mistake: reported with the usage line, without a stack trace. */
class UsageError extends Error {}

function seedUsersUpTo(seeding: { db: Db; practiceId: string; passwordHash: string; seeded: number }, count: number): void {
  if (count <= seeding.seeded) {
    return;
  }
  log(`seeding users ${seeding.seeded} to ${count - 1}`);
  seedUsers(seeding.db, { practiceId: seeding.practiceId, fromIndex: seeding.seeded, toIndex: count, passwordHash: seeding.passwordHash, now: Date.now() });
  seeding.seeded = count;
}

function describeMachine(): BenchReport['machine'] {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: os.loadavg()[0] ?? 0,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

function emitReport(options: Options, report: BenchReport): void {
  report.machine.loadAverageAtEnd = os.loadavg()[0] ?? 0;
  const command = `npm run bench${options.plan.name === 'quick' || options.isSoak ? ` --${options.plan.name === 'quick' ? ' --quick' : ''}${options.isSoak ? ' --soak' : ''}` : ''}`;
  process.stdout.write(`\n${formatReport(report, command)}\n`);
  if (options.jsonFile !== undefined) {
    writeFileSync(options.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${options.jsonFile}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${usage}\n`);
      process.exit(2);
    }
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
