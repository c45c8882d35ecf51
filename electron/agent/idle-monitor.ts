/**
 * Watches for inactivity during a session and decides when to warn and when to lock. It is plain
 * Node: the Electron main process feeds it the system idle time, the browser shell feeds it the
 * renderer's activity reports, and tests drive it with a manual clock and `tick()`.
 */
export interface IdleMonitorOptions {
  /** Clock in epoch milliseconds. */
  now: () => number;
  /** Seconds since the last keyboard or mouse input on the whole computer (Electron's powerMonitor); absent in the browser shell. */
  readSystemIdleSeconds?: () => number;
  /** Called with the time the session will lock; fires once per idle stretch. */
  onWarning: (locksAt: number) => void;
  /** Called when input arrives while the warning shows. */
  onWarningDismissed: () => void;
  /** Called once when the idle period has passed. */
  onLock: () => void;
  /**
   * Called at most every 45 seconds while the person is active (a quarter of the period when that is
   * shorter), and at once for input during the warning, so the server's idle window follows the input.
   * `isAfterWarning` is true for the touch that input during the warning causes.
   */
  onTouch: (isAfterWarning: boolean) => void;
}

export interface IdleMonitor {
  /** Starts watching a session that was just created or found, counting from now. */
  start(idleTimeoutMinutes: number): void;
  stop(): void;
  /** Records input from the renderer (browser shell) or anything else the person did in the app. */
  recordActivity(): void;
  /** Re-evaluates the state; the agent calls it every second while a session is watched. */
  tick(): void;
  readonly isRunning: boolean;
  readonly isWarningShown: boolean;
}

/** The warning shows this long before the lock, or after half the period when that is shorter. */
export const idleWarningLeadMs = 60_000;
/**
 * Maximum throttle interval of activity touches on the server; shorter periods use a quarter of the
 * period. It is shorter than the warning lead, so the server's idle limit never passes before the warning shows.
 */
export const maxTouchIntervalMs = 45_000;

export function createIdleMonitor(options: IdleMonitorOptions): IdleMonitor {
  let timeoutMs = 0;
  let lastInputAt = 0;
  let lastTouchAt = 0;
  let isRunning = false;
  let isWarningShown = false;

  function warningLeadMs(): number {
    return Math.min(idleWarningLeadMs, timeoutMs / 2);
  }

  function touchIntervalMs(): number {
    // A quarter of the period keeps the server's window within reach of the local one for short periods.
    return Math.min(maxTouchIntervalMs, timeoutMs / 4);
  }

  function noteInput(at: number): void {
    if (at <= lastInputAt) {
      return;
    }
    lastInputAt = at;
    if (isWarningShown) {
      isWarningShown = false;
      lastTouchAt = at;
      options.onWarningDismissed();
      options.onTouch(true);
    }
  }

  return {
    get isRunning() {
      return isRunning;
    },

    get isWarningShown() {
      return isWarningShown;
    },

    start(idleTimeoutMinutes) {
      const now = options.now();
      timeoutMs = idleTimeoutMinutes * 60_000;
      lastInputAt = now;
      lastTouchAt = now;
      isWarningShown = false;
      isRunning = true;
    },

    stop() {
      isRunning = false;
      isWarningShown = false;
    },

    recordActivity() {
      if (isRunning) {
        noteInput(options.now());
      }
    },

    tick() {
      if (!isRunning) {
        return;
      }
      const now = options.now();
      if (options.readSystemIdleSeconds !== undefined) {
        // The system reports whole seconds, so an estimate less than a second newer is rounding, not input.
        const inputAt = now - options.readSystemIdleSeconds() * 1000;
        if (inputAt >= lastInputAt + 1000) {
          noteInput(inputAt);
        }
      }

      const locksAt = lastInputAt + timeoutMs;
      if (now >= locksAt) {
        isRunning = false;
        isWarningShown = false;
        options.onLock();
        return;
      }
      if (!isWarningShown && now >= locksAt - warningLeadMs()) {
        isWarningShown = true;
        options.onWarning(locksAt);
        return;
      }
      if (lastInputAt > lastTouchAt && now - lastTouchAt >= touchIntervalMs()) {
        lastTouchAt = now;
        options.onTouch(false);
      }
    },
  };
}
