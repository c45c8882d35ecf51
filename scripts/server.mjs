// `npm run server -- COMMAND`: bundles the server (a fraction of a second) and runs the command
// on plain `node` with the process settings from build-server.mjs. Arguments, standard input
// and output, signals and the exit code pass through unchanged.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { bundleForNode, repositoryRoot, serverBundle, serverEnvironment, serverNodeOptions } from './build-server.mjs';

try {
  await bundleForNode(path.join(repositoryRoot, 'server', 'src', 'cli.ts'), serverBundle);
} catch (error) {
  console.error(`Bundling the server failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const child = spawn(process.execPath, [...serverNodeOptions, serverBundle, ...process.argv.slice(2)], {
  env: serverEnvironment(),
  stdio: 'inherit',
});
// Ctrl+C reaches the server from the terminal too; forwarding covers a signal sent to this process alone.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 128);
});
