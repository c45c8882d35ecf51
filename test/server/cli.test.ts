import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath, openDatabase } from '../../server/src/db/database';
import { makeTempDir } from './support/harness';

const cliPath = path.resolve('server/src/cli.ts');
const tsxPath = path.resolve('node_modules/.bin/tsx');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], input: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(tsxPath, [cliPath, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('create-practice command', () => {
  let dataDir: string;
  let env: Record<string, string>;

  function createPracticeArgs(username: string): string[] {
    return [
      'create-practice',
      '--name',
      'Lakeside Naturopathy',
      '--admin-username',
      username,
      '--admin-name',
      'Lee Admin',
      '--admin-email',
      'lee@lakeside.example',
      '--admin-mobile',
      '+15550100009',
      '--password-stdin',
      '--config',
      path.join(dataDir, 'config.json'),
    ];
  }

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  function prepare(): void {
    dataDir = makeTempDir();
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ dataDir, argon2: { memoryKiB: 256, timeCost: 1, allowWeakForTests: true } }));
    env = {};
  }

  it('creates a practice and its administrator from a piped password', async () => {
    prepare();

    const run = await runCli(createPracticeArgs('lee.admin'), 'a long enough password\n', env);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Created practice "Lakeside Naturopathy" \(.+\) with administrator lee\.admin\.\n$/);
    const db = openDatabase(databasePath(dataDir));
    const user = db.prepare('SELECT role, email, mobile, password_hash FROM users').get() as Record<string, string>;
    db.close();
    expect(user.role).toBe('practice_admin');
    expect(user.password_hash?.startsWith('$argon2id$')).toBe(true);
  });

  it('refuses a username that exists in another case', async () => {
    prepare();
    await runCli(createPracticeArgs('lee.admin'), 'a long enough password\n', env);

    const run = await runCli(createPracticeArgs('LEE.ADMIN'), 'a long enough password\n', env);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The username "LEE.ADMIN" is already taken');
  });

  it('refuses a password shorter than 12 characters', async () => {
    prepare();

    const run = await runCli(createPracticeArgs('lee.admin'), 'too short\n', env);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The password is too short: use at least 12 characters.');
  });

  it('refuses a common password and one naming the practice', async () => {
    prepare();

    const common = await runCli(createPracticeArgs('lee.admin'), 'password12345\n', env);
    const practiceName = await runCli(createPracticeArgs('lee.admin'), 'lakeside naturopathy rocks\n', env);

    expect(common.code).toBe(1);
    expect(common.stderr).toContain('The password is on the list of common and breached passwords');
    expect(practiceName.code).toBe(1);
    expect(practiceName.stderr).toContain('The password contains the username, the email name or the practice name');
  });

  it('stops with a message naming a bad setting', async () => {
    prepare();

    const run = await runCli(createPracticeArgs('lee.admin'), 'a long enough password\n', { CLINICGATE_LOG_LEVEL: 'loud' });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('logLevel (CLINICGATE_LOG_LEVEL): expected one of fatal, error, warn, info, debug, trace, silent; received "loud".');
  });
});
