// Bundles the companion server into build/server/cli.mjs (`npm run build:server`), so it runs on
// plain `node` instead of compiling TypeScript in the server process at every start. Compiling at
// start (tsx) costs about 40 MB of resident memory for as long as the server runs.
//
// Packages stay external and load from node_modules at run time: the native modules (argon2,
// better-sqlite3) must, and the GeoIP files are found through the package that ships them.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(repositoryRoot, 'build', 'server', 'cli.mjs');

/**
 * Environment for the server's process. Argon2id runs on libuv's thread pool, 4 threads by
 * default, and each thread that has hashed keeps its 19 MiB block in its allocator arena for good.
 * On a machine with fewer than 4 cores, more hashing threads than cores only share the same CPUs
 * while holding more memory, so the pool gets one thread per core (at least 2, at most libuv's
 * default of 4). The variable must be set before the process starts. An operator's own value wins.
 */
export function serverEnvironment(environment = process.env) {
  const threads = Math.min(4, Math.max(2, availableParallelism()));
  return { UV_THREADPOOL_SIZE: String(threads), ...environment };
}

/**
 * Node options for the server's process. V8 lets its young generation grow to 16 MiB per
 * semi-space by default, and under a steady stream of requests it does and the heap stays that
 * size. The server's per-request objects die young, so 4 MiB keeps RSS about 20-30 MiB lower
 * with no measurable cost per request (measured, see docs/benchmarks.md).
 */
export const serverNodeOptions = ['--enable-source-maps', '--max-semi-space-size=4'];

/** Bundles one TypeScript entry point of ours into an ES module, with every package left external. */
export async function bundleForNode(entryPoint, outfile) {
  await build({
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await bundleForNode(path.join(repositoryRoot, 'server', 'src', 'cli.ts'), serverBundle);
    console.log(`Server bundled into ${path.relative(process.cwd(), serverBundle) || '.'}`);
  } catch (error) {
    console.error(`Bundling the server failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
