import { createPasswordHasher, maxPasswordLength } from './auth/password-hash';
import { systemClock } from './clock';
import { formatConfigProblems, loadConfig, type ServerConfig } from './config';
import { databasePath, openDatabase, runImmediate } from './db/database';
import { findBrokenAuditRow } from './audit/audit-log';
import { setUpPractice } from './practices/practice-setup';
import { findUserByUsername, unlockUser } from './users/user-repository';
import { startServer } from './index';

const usage = `Usage: npm run server -- <command> [options]

Commands:
  start [--demo] [--config PATH]
      Start the HTTPS server. --demo seeds the "Demo Clinic" practice and its demo accounts.
  create-practice --name NAME --admin-username USERNAME --admin-name NAME
                  --admin-email EMAIL --admin-mobile +1... [--password-stdin] [--config PATH]
      Create a practice and its first administrator. The password is read from a hidden
      prompt (typed twice), or from standard input with --password-stdin.
  unlock-user --username USERNAME [--config PATH]
      Clear a user's wrong-code lockout and counters.
  verify-audit [--config PATH]
      Recompute the audit log's hash chain and report the first row that does not match.

Settings come from --config PATH (or CLINICGATE_CONFIG) and CLINICGATE_* environment variables.`;

/** Parses the command line and runs one command; returns the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 2 : 0;
  }
  const commands: Record<string, (args: readonly string[], config: ServerConfig) => Promise<number>> = {
    start: runStart,
    'create-practice': runCreatePractice,
    'unlock-user': runUnlockUser,
    'verify-audit': runVerifyAudit,
  };
  const run = commands[command];
  if (run === undefined) {
    process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${usage}\n`);
    return 2;
  }
  const loaded = loadConfig({ argv: rest, env: process.env });
  if (!loaded.ok) {
    process.stderr.write(`${formatConfigProblems(loaded.problems)}\n`);
    return 1;
  }
  return run(rest, loaded.config);
}

async function runStart(_args: readonly string[], config: ServerConfig): Promise<number> {
  const server = await startServer(config);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}

async function runCreatePractice(args: readonly string[], config: ServerConfig): Promise<number> {
  const options = parseOptions(args, ['--name', '--admin-username', '--admin-name', '--admin-email', '--admin-mobile']);
  if (!options.ok) {
    process.stderr.write(`${options.problems.join('\n')}\n\n${usage}\n`);
    return 2;
  }
  const password = args.includes('--password-stdin') ? await readPasswordFromStdin() : await promptNewPassword();
  if (password === null) {
    return 1;
  }

  const db = openDatabase(databasePath(config.dataDir));
  try {
    const hasher = await createPasswordHasher(config.argon2);
    const result = await setUpPractice(
      db,
      hasher,
      {
        practiceName: options.values['--name'],
        admin: {
          username: options.values['--admin-username'],
          displayName: options.values['--admin-name'],
          email: options.values['--admin-email'],
          mobile: options.values['--admin-mobile'],
          password,
        },
      },
      systemClock.now(),
    );
    if (!result.ok) {
      process.stderr.write(`The practice was not created:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write(`Created practice ${JSON.stringify(result.practice.name)} (${result.practice.id}) with administrator ${result.admin.username}.\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function runUnlockUser(args: readonly string[], config: ServerConfig): Promise<number> {
  const options = parseOptions(args, ['--username']);
  if (!options.ok) {
    process.stderr.write(`${options.problems.join('\n')}\n`);
    return 2;
  }
  const db = openDatabase(databasePath(config.dataDir));
  try {
    const user = findUserByUsername(db, options.values['--username']);
    if (user === undefined) {
      process.stderr.write(`No user named ${JSON.stringify(options.values['--username'])} exists on this server.\n`);
      return 1;
    }
    runImmediate(db, () => unlockUser(db, user.id));
    process.stdout.write(`Unlocked ${user.username}.\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function runVerifyAudit(_args: readonly string[], config: ServerConfig): Promise<number> {
  const db = openDatabase(databasePath(config.dataDir));
  try {
    const brokenRowId = findBrokenAuditRow(db);
    if (brokenRowId !== null) {
      process.stderr.write(`The audit log hash chain breaks at row ${brokenRowId}: that row or the one before it was changed.\n`);
      return 1;
    }
    process.stdout.write('The audit log hash chain is intact.\n');
    return 0;
  } finally {
    db.close();
  }
}

function parseOptions<K extends string>(
  args: readonly string[],
  required: readonly K[],
): { ok: true; values: Record<K, string> } | { ok: false; problems: string[] } {
  const values: Partial<Record<K, string>> = {};
  const problems: string[] = [];
  for (const name of required) {
    const index = args.indexOf(name);
    const value = index === -1 ? undefined : args[index + 1];
    if (value === undefined || value.startsWith('--')) {
      problems.push(`${name}: missing; expected a value after the flag.`);
    } else {
      values[name] = value;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values: values as Record<K, string> };
}

async function readPasswordFromStdin(): Promise<string | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).length > maxPasswordLength * 4 + 2) {
      process.stderr.write(`The password on standard input is too long: use at most ${maxPasswordLength} characters.\n`);
      return null;
    }
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0) {
    process.stderr.write('No password was given on standard input.\n');
    return null;
  }
  return text;
}

async function promptNewPassword(): Promise<string | null> {
  if (!process.stdin.isTTY) {
    process.stderr.write('Standard input is not a terminal: pass --password-stdin and pipe the password in.\n');
    return null;
  }
  const first = await promptHidden('Administrator password: ');
  const second = await promptHidden('Repeat the password: ');
  if (first !== second) {
    process.stderr.write('The two passwords do not match. Run the command again.\n');
    return null;
  }
  return first;
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stdout.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const character of chunk) {
        if (character === '\r' || character === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (character === '\u0003') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (character === '\u007f' || character === '\b') {
          value = Array.from(value).slice(0, -1).join('');
        } else {
          value += character;
        }
      }
    };
    stdin.on('data', onData);
  });
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ClinicGate stopped: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
