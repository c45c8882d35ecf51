import os from 'node:os';
import { existsSync } from 'node:fs';
import { createPasswordHasher, maxPasswordLength } from './auth/password-hash';
import { systemClock } from './clock';
import { formatConfigProblems, loadConfig, type ServerConfig } from './config';
import { databasePath, openDatabase, runImmediate, type Db } from './db/database';
import { findBrokenAuditRow } from './audit/audit-log';
import { changePracticeSetting } from './practices/practice-setting-change';
import { setUpPractice } from './practices/practice-setup';
import { setTrustedNetworks } from './risk/trusted-networks';
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
  set-practice-setting --practice NAME --setting NAME --value NUMBER [--allow-below-minimum] [--config PATH]
      Change one practice setting and audit the change. Settings: idle_timeout_minutes (1-1440),
      absolute_timeout_minutes (1-10080), audit_retention_days (2190, six years, up to 36500;
      lower only with --allow-below-minimum, which is audited as an override), device_trust_days
      (1-365), min_password_length (8-128) and require_mfa_always (0 or 1; 1 ends every session
      made without a code). Code and password limits, stricter only: resend_cooldown_seconds
      (30-300), code_sends_per_hour (1-5), wrong_codes_per_challenge (1-5),
      wrong_codes_per_account_lockout (3-10) and failed_passwords_per_account (3-10, per 15
      minutes); each default is the loosest value allowed.
  set-trusted-networks --practice NAME [CIDR ...] [--config PATH]
      Replace the practice's trusted networks (IPv4 or IPv6 CIDR blocks, such as 203.0.113.0/24
      or 2001:db8::/48). Sign-ins from them count as inside the normal access pattern. With no
      CIDR, the list is cleared.

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
    'set-practice-setting': runSetPracticeSetting,
    'set-trusted-networks': runSetTrustedNetworks,
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
  const db = openExistingDatabase(config);
  if (db === null) {
    return 1;
  }
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
  const db = openExistingDatabase(config);
  if (db === null) {
    return 1;
  }
  try {
    const brokenRowId = findBrokenAuditRow(db);
    if (brokenRowId !== null) {
      const row = db.prepare('SELECT occurred_at, event FROM audit_events WHERE id = ?').get(brokenRowId) as
        | { occurred_at: number; event: string }
        | undefined;
      const described = row === undefined ? '' : ` (${row.event} at ${new Date(row.occurred_at).toISOString()})`;
      process.stderr.write(
        `The audit log hash chain breaks at row ${brokenRowId}${described}: that row was changed, or the row before it was changed or deleted.\n`,
      );
      return 1;
    }
    const { count } = db.prepare('SELECT COUNT(*) AS count FROM audit_events').get() as { count: number };
    process.stdout.write(`The audit log hash chain is intact (${count} rows).\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function runSetPracticeSetting(args: readonly string[], config: ServerConfig): Promise<number> {
  const options = parseOptions(args, ['--practice', '--setting', '--value']);
  if (!options.ok) {
    process.stderr.write(`${options.problems.join('\n')}\n\n${usage}\n`);
    return 2;
  }
  const db = openExistingDatabase(config);
  if (db === null) {
    return 1;
  }
  try {
    const result = changePracticeSetting(db, {
      practiceName: options.values['--practice'],
      setting: options.values['--setting'],
      value: options.values['--value'],
      allowBelowMinimum: args.includes('--allow-below-minimum'),
      changedBy: describeOperator(),
      now: systemClock.now(),
    });
    if (!result.ok) {
      process.stderr.write(`The setting was not changed: ${result.problem}\n`);
      return 1;
    }
    process.stdout.write(`Changed ${result.setting} from ${result.oldValue} to ${result.newValue}.\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function runSetTrustedNetworks(args: readonly string[], config: ServerConfig): Promise<number> {
  const options = parseOptions(args, ['--practice']);
  if (!options.ok) {
    process.stderr.write(`${options.problems.join('\n')}\n\n${usage}\n`);
    return 2;
  }
  const networks = listPositionalArguments(args, ['--practice', '--config']);
  const db = openExistingDatabase(config);
  if (db === null) {
    return 1;
  }
  try {
    const result = setTrustedNetworks(db, {
      practiceName: options.values['--practice'],
      networks,
      changedBy: describeOperator(),
      now: systemClock.now(),
    });
    if (!result.ok) {
      process.stderr.write(`The trusted networks were not changed:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
      return 1;
    }
    const shown = result.newNetworks.length === 0 ? '(none)' : result.newNetworks.join(', ');
    process.stdout.write(`Trusted networks of ${options.values['--practice']}: ${shown}.\n`);
    return 0;
  } finally {
    db.close();
  }
}

/** Returns the arguments that are neither flags nor the values of `flagsWithValues`. */
/**
 * Opens the server's database for a command that changes or checks existing data. A missing file
 * means the command was pointed at the wrong data directory, so it reports that instead of
 * creating an empty database there.
 */
function openExistingDatabase(config: ServerConfig): Db | null {
  const filePath = databasePath(config.dataDir);
  if (!existsSync(filePath)) {
    process.stderr.write(
      `No ClinicGate database at ${filePath}. Run the command from the folder the server runs in, ` +
        'or set CLINICGATE_DATA_DIR (or dataDir in --config) to the server\'s data directory.\n',
    );
    return null;
  }
  return openDatabase(filePath);
}

function listPositionalArguments(args: readonly string[], flagsWithValues: readonly string[]): string[] {
  const positional: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] ?? '';
    if (flagsWithValues.includes(argument)) {
      index += 1;
    } else if (!argument.startsWith('--')) {
      positional.push(argument);
    }
  }
  return positional;
}

/** Names the operating-system account that ran a command, for the audit row of the change. */
function describeOperator(): string {
  try {
    return `os:${os.userInfo().username}`;
  } catch {
    return 'os:unknown';
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
