/** How much each measurement does; `--quick` swaps the full plan for the small one. */
export interface BenchPlan {
  name: 'full' | 'quick';
  /** Repetitions of each throughput and latency measurement; the report shows their median. */
  runs: number;
  warmupMs: number;
  ceilingDurationMs: number;
  passwordStepDurationMs: number;
  passwordConcurrencies: number[];
  /** Challenges verified per closed-loop run at `verifyConcurrency`, after `verifyWarmupCount` unmeasured ones. */
  verifyPoolSize: number;
  verifyWarmupCount: number;
  verifyConcurrency: number;
  offeredRatePerSecond: number;
  offeredDurationSeconds: number;
  /** Users in the database at each growth point; the throughput phases run at the second one. */
  growthUserCounts: [number, number, number];
  growthSamples: number;
  auditRows: number;
  auditSamples: number;
  rendererRuns: number;
  soakMinutes: number;
  prepareConcurrency: number;
}

export const fullPlan: BenchPlan = {
  name: 'full',
  runs: 3,
  warmupMs: 3_000,
  ceilingDurationMs: 5_000,
  passwordStepDurationMs: 10_000,
  passwordConcurrencies: [1, 8, 64],
  verifyPoolSize: 15_000,
  verifyWarmupCount: 2_000,
  verifyConcurrency: 100,
  offeredRatePerSecond: 200,
  offeredDurationSeconds: 10,
  growthUserCounts: [1_000, 100_000, 1_000_000],
  growthSamples: 100,
  auditRows: 1_000_000,
  auditSamples: 100,
  rendererRuns: 5,
  soakMinutes: 10,
  prepareConcurrency: 8,
};

export const quickPlan: BenchPlan = {
  name: 'quick',
  runs: 1,
  warmupMs: 500,
  ceilingDurationMs: 1_000,
  passwordStepDurationMs: 1_500,
  passwordConcurrencies: [1, 8, 64],
  verifyPoolSize: 300,
  verifyWarmupCount: 100,
  verifyConcurrency: 100,
  offeredRatePerSecond: 200,
  offeredDurationSeconds: 1,
  growthUserCounts: [1_000, 3_000, 10_000],
  growthSamples: 20,
  auditRows: 10_000,
  auditSamples: 20,
  rendererRuns: 2,
  soakMinutes: 0.5,
  prepareConcurrency: 8,
};
