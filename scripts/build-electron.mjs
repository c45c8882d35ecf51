// Bundles the Electron main process and the preload script into build/app (`npm run
// build:electron`). `--outdir DIR` writes elsewhere, which the tests use.
//
// The main bundle keeps native modules and Electron itself external; they are loaded from
// node_modules at run time. The preload must be one CommonJS file that requires only
// `electron`, because a sandboxed preload cannot load other modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = readOutdir(process.argv.slice(2)) ?? path.join(root, 'build', 'app');

const shared = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

try {
  await build({
    ...shared,
    entryPoints: [path.join(root, 'electron', 'main', 'main.ts')],
    outfile: path.join(outdir, 'main.cjs'),
    external: ['electron', 'keytar', 'node-machine-id', 'better-sqlite3', 'argon2'],
    // Loads the lazily imported keytar with require(), which Electron resolves inside app.asar too.
    supported: { 'dynamic-import': false },
  });
  await build({
    ...shared,
    entryPoints: [path.join(root, 'electron', 'preload', 'preload.ts')],
    outfile: path.join(outdir, 'preload.cjs'),
    external: ['electron'],
  });
  console.log(`Electron main and preload bundled into ${path.relative(process.cwd(), outdir) || '.'}`);
} catch (error) {
  console.error(`Bundling the Electron app failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

function readOutdir(args) {
  const index = args.indexOf('--outdir');
  if (index === -1) {
    return null;
  }
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error('--outdir needs a folder path.');
    process.exit(2);
  }
  return path.resolve(value);
}
