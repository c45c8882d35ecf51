// Measures the ceiling for the password step: raw Argon2id verifies per second in one process,
// at the server's configured parameters (the defaults unless CLINICGATE_ARGON2_* are set) and a given concurrency. Run as a child of `bench/run.ts`:
// `tsx bench/argon2-ceiling.ts CONCURRENCY DURATION_MS`; it prints one JSON line.
import argon2 from 'argon2';
import { formatConfigProblems, loadConfig } from '../server/src/config';

async function main(): Promise<void> {
  const concurrency = Number(process.argv[2]);
  const durationMs = Number(process.argv[3]);
  if (!Number.isInteger(concurrency) || concurrency < 1 || !Number.isInteger(durationMs) || durationMs < 100) {
    throw new Error('usage: tsx bench/argon2-ceiling.ts CONCURRENCY DURATION_MS (integers, DURATION_MS at least 100)');
  }
  // The same CLINICGATE_ARGON2_* settings as the bench server, so both hash with the same parameters.
  const loaded = loadConfig({ argv: [], env: process.env });
  if (!loaded.ok) {
    throw new Error(formatConfigProblems(loaded.problems));
  }
  const { memoryKiB, timeCost, parallelism } = loaded.config.argon2;
  const password = 'bench password for load tests only';
  const hash = await argon2.hash(password, { type: argon2.argon2id, memoryCost: memoryKiB, timeCost, parallelism });

  let verified = 0;
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        if (!(await argon2.verify(hash, password))) {
          throw new Error('Argon2id verify returned false for the right password');
        }
        verified += 1;
      }
    }),
  );
  const elapsedMs = performance.now() - startedAt;
  process.stdout.write(`${JSON.stringify({ concurrency, verified, elapsedMs, verifiesPerSecond: (verified / elapsedMs) * 1000 })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
