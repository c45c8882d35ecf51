// Runs the browser shell: `tsx electron/browser-shell/main.ts`. It hosts the local auth agent
// behind a loopback-only HTTP bridge and prints the address to open in a browser.
//
// Settings: CLINICGATE_AGENT_DIR (settings folder, default ~/.config/ClinicGate),
// CLINICGATE_SHELL_PORT (default 0, any free port), CLINICGATE_RENDERER_DIR (default
// build/renderer), CLINICGATE_KEYCHAIN_SERVICE, CLINICGATE_LOG_LEVEL, and the preset server
// CLINICGATE_SERVER_URL with CLINICGATE_SERVER_CA_FILE. CLINICGATE_SESSION_CHECK_SECONDS (1 to 3600,
// default 30) sets how often a signed-in shell asks the server whether its session still holds.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentLogger } from '../agent/agent-logger';
import { AgentSettingsError, openAgentSettings, resolveBrowserShellDirectory } from '../agent/agent-settings';
import { createAuthAgent } from '../agent/auth-agent';
import { openTokenVault } from '../agent/token-vault';
import { startBrowserShell } from './browser-shell';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const logger = createAgentLogger();
  const port = readShellPort(process.env.CLINICGATE_SHELL_PORT);
  const rendererDir = path.resolve(process.env.CLINICGATE_RENDERER_DIR || path.join(repositoryRoot, 'build', 'renderer'));

  const settings = openAgentSettings({ directory: resolveBrowserShellDirectory(process.env), logger });
  const vault = await openTokenVault({ logger });
  const sessionCheckIntervalMs = readSessionCheckSeconds(process.env.CLINICGATE_SESSION_CHECK_SECONDS) * 1000;
  const agent = createAuthAgent({ settings, vault, shell: 'browser', logger, sessionCheckIntervalMs });
  const shell = await startBrowserShell({ agent, rendererDir, port, logger });

  // The one place the bridge secret is printed: inside the URL the person opens.
  process.stdout.write(`ClinicGate browser shell: ${shell.url}\n`);

  let isStopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (isStopping) {
      return;
    }
    isStopping = true;
    logger.info({ signal }, 'browser shell stopping');
    agent.close();
    shell.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function readSessionCheckSeconds(value: string | undefined): number {
  if (value === undefined || value === '') {
    return 30;
  }
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new AgentSettingsError(`CLINICGATE_SESSION_CHECK_SECONDS must be a whole number of seconds from 1 to 3600, got "${value}".`);
  }
  return seconds;
}

function readShellPort(value: string | undefined): number {
  if (value === undefined || value === '') {
    return 0;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new AgentSettingsError(`CLINICGATE_SHELL_PORT must be a port number from 0 to 65535, got "${value}".`);
  }
  return port;
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ClinicGate browser shell did not start: ${message}\n`);
  process.exit(1);
});
