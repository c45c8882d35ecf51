/** Source of the current time in milliseconds since the Unix epoch; tests pass a manual clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
};

export function toIsoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
