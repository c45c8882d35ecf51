import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startSmsProviderSink, type SmsProviderSink } from '../../helpers/sms-provider-sink';
import { startSmtpSink, type SmtpSink } from '../../helpers/smtp-sink';
import { createTestCertificateAuthority } from '../../helpers/test-certificates';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface DemoStack {
  serverUrl: string;
  /** SHA-256 fingerprint the server printed for its self-signed certificate. */
  serverFingerprint: string;
  smtp: SmtpSink;
  sms: SmsProviderSink;
  /**
   * Starts a browser shell that acts as one workstation with its own machine id and keychain service.
   * `env` adds settings such as CLINICGATE_SESSION_CHECK_SECONDS.
   */
  startWorkstation(name: string, env?: Record<string, string>): Promise<Workstation>;
  /** The server's data directory; its TLS certificate and key are under `tls/`. */
  serverDataDir: string;
  /** Runs `npm run server -- ARGS` against the running server's data directory and returns its standard output. */
  runServerCommand(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface Workstation {
  /** Browser-shell address including the per-launch secret in the fragment. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the real server in demo mode as a separate process, wired to an SMTP server and an
 * SMS-provider-shaped HTTPS server on loopback, the way an IT person would configure it.
 */
export interface DemoStackOptions {
  /** Extra environment variables for the server, such as CLINICGATE_TRUSTED_PROXIES. */
  serverEnv?: Record<string, string>;
}

export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'clinicgate-e2e-'));
  const authority = createTestCertificateAuthority();
  const smsCaFile = path.join(workDir, 'sms-ca.pem');
  await writeFile(smsCaFile, authority.caCertPem);

  const smtp = await startSmtpSink();
  const smsAccountSid = `AC${randomBytes(16).toString('hex')}`;
  const smsAuthToken = randomBytes(16).toString('hex');
  const smsCertificate = authority.issue(['127.0.0.1', 'localhost']);
  const sms = await startSmsProviderSink({
    accountSid: smsAccountSid,
    authToken: smsAuthToken,
    tls: { key: smsCertificate.keyPem, cert: smsCertificate.certPem },
  });

  const processes: ChildProcess[] = [];
  const serverDataDir = path.join(workDir, 'server');
  const server = await startNodeProcess(
    ['--import', 'tsx', 'server/src/cli.ts', 'start', '--demo'],
    {
      CLINICGATE_DATA_DIR: serverDataDir,
      CLINICGATE_PORT: '0',
      CLINICGATE_SMTP_HOST: '127.0.0.1',
      CLINICGATE_SMTP_PORT: String(smtp.port),
      CLINICGATE_SMTP_SECURITY: 'none',
      CLINICGATE_EMAIL_FROM: 'ClinicGate <no-reply@demo-clinic.example>',
      CLINICGATE_SMS_BASE_URL: sms.baseUrl,
      CLINICGATE_SMS_ACCOUNT_SID: smsAccountSid,
      CLINICGATE_SMS_AUTH_TOKEN: smsAuthToken,
      CLINICGATE_SMS_FROM_NUMBER: '+15550109999',
      CLINICGATE_SMS_CA_FILE: smsCaFile,
      CLINICGATE_SMS_TIMEOUT_MS: '3000',
      ...options.serverEnv,
    },
    [/listening on (https:\/\/\S+)/, /fingerprint: ([0-9A-F:]+)/],
  );
  processes.push(server.child);
  const [serverUrl, serverFingerprint] = server.matches as [string, string];

  return {
    serverUrl,
    serverFingerprint,
    serverDataDir,
    smtp,
    sms,
    async startWorkstation(name, env = {}) {
      const shell = await startNodeProcess(
        ['--import', 'tsx', 'electron/browser-shell/main.ts'],
        {
          CLINICGATE_AGENT_DIR: path.join(workDir, `agent-${name}`),
          CLINICGATE_KEYCHAIN_SERVICE: `ClinicGate-e2e-${randomBytes(6).toString('hex')}`,
          CLINICGATE_MACHINE_ID: `e2e-machine-${name}-${randomBytes(6).toString('hex')}`,
          CLINICGATE_SHELL_PORT: '0',
          ...env,
        },
        [/browser shell: (http:\/\/\S+)/],
      );
      processes.push(shell.child);
      return { url: shell.matches[0] as string, stop: () => stopProcess(shell.child) };
    },
    runServerCommand: (args) => runNodeCommand(['--import', 'tsx', 'server/src/cli.ts', ...args], { CLINICGATE_DATA_DIR: serverDataDir }),
    async stop() {
      await Promise.all(processes.map(stopProcess));
      await smtp.close();
      await sms.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Runs `node ARGS` from the repository root and waits until every pattern has matched a line. */
async function startNodeProcess(
  args: string[],
  env: Record<string, string>,
  patterns: RegExp[],
): Promise<{ child: ChildProcess; matches: string[] }> {
  const child = spawn(process.execPath, args, {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const matches: (string | undefined)[] = patterns.map(() => undefined);
  const output: string[] = [];

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`node ${args.join(' ')} was not ready after 60 s. Output:\n${output.join('\n')}`));
    }, 60_000);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream! }).on('line', (line) => {
        output.push(line);
        patterns.forEach((pattern, index) => {
          matches[index] ??= pattern.exec(line)?.[1];
        });
        if (matches.every((match) => match !== undefined)) {
          clearTimeout(timer);
          resolve({ child, matches: matches as string[] });
        }
      });
    }
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(' ')} exited with code ${code}. Output:\n${output.join('\n')}`));
    });
  });
}

/** Runs `node ARGS` from the repository root to completion; rejects with its output when it fails. */
function runNodeCommand(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, args, { cwd: repositoryRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`node ${args.join(' ')} exited with code ${code}:\n${stderr}`))));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
