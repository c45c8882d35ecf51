const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/**
 * Formats an ISO 8601 instant in the workstation's time zone: the time alone when it falls
 * on the same local day as `nowMs`, otherwise the date and time.
 */
export function formatLocalTime(isoInstant: string, nowMs: number): string {
  const instant = new Date(isoInstant);
  if (Number.isNaN(instant.getTime())) {
    return isoInstant;
  }
  if (instant.toDateString() === new Date(nowMs).toDateString()) {
    return timeFormat.format(instant);
  }
  return dateTimeFormat.format(instant);
}

export function formatLocalDate(isoInstant: string): string {
  const instant = new Date(isoInstant);
  return Number.isNaN(instant.getTime()) ? isoInstant : dateFormat.format(instant);
}

/** Returns whole seconds from `nowMs` until `isoInstant`, or 0 once it has passed or is invalid. */
export function secondsUntil(isoInstant: string | null, nowMs: number): number {
  if (isoInstant === null) {
    return 0;
  }
  const targetMs = Date.parse(isoInstant);
  if (Number.isNaN(targetMs)) {
    return 0;
  }
  return Math.max(0, Math.ceil((targetMs - nowMs) / 1000));
}

/** Formats a short wait as "27 s", or as whole minutes ("3 min") from 90 seconds up. */
export function formatWait(seconds: number): string {
  if (seconds < 90) {
    return `${seconds} s`;
  }
  return `${Math.ceil(seconds / 60)} min`;
}

/** Formats a wait in words for sentences and screen readers: "30 seconds", "4 minutes". */
export function formatWaitInWords(seconds: number): string {
  if (seconds < 90) {
    return seconds === 1 ? '1 second' : `${seconds} seconds`;
  }
  return `${Math.ceil(seconds / 60)} minutes`;
}
