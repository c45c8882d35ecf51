import { describe, expect, it } from 'vitest';
import { createIdleMonitor, type IdleMonitor } from '../../electron/agent/idle-monitor';

interface MonitorProbe {
  monitor: IdleMonitor;
  advance(ms: number): void;
  setSystemIdleSeconds(seconds: number): void;
  log: string[];
}

function startMonitor(options: { idleTimeoutMinutes: number; useSystemIdle?: boolean }): MonitorProbe {
  let now = 1_000_000;
  let systemIdleSeconds = 0;
  const log: string[] = [];
  const monitor = createIdleMonitor({
    now: () => now,
    ...(options.useSystemIdle === true ? { readSystemIdleSeconds: () => systemIdleSeconds } : {}),
    onWarning: (locksAt) => log.push(`warning:${(locksAt - 1_000_000) / 1000}`),
    onWarningDismissed: () => log.push('dismissed'),
    onLock: () => log.push('lock'),
    onTouch: () => log.push('touch'),
  });
  monitor.start(options.idleTimeoutMinutes);
  return {
    monitor,
    log,
    advance(ms) {
      for (let step = 0; step < ms; step += 1000) {
        now += 1000;
        systemIdleSeconds += 1;
        monitor.tick();
      }
    },
    setSystemIdleSeconds(seconds) {
      systemIdleSeconds = seconds;
    },
  };
}

describe('idle monitor', () => {
  it('warns a minute before locking after fifteen idle minutes', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 15 });

    probe.advance(14 * 60_000 - 1000);
    const beforeWarning = [...probe.log];
    probe.advance(1000);
    const atWarning = [...probe.log];
    probe.advance(60_000);

    expect(beforeWarning).toEqual([]);
    expect(atWarning).toEqual(['warning:900']);
    expect(probe.log).toEqual(['warning:900', 'lock']);
    expect(probe.monitor.isRunning).toBe(false);
  });

  it('warns after half the period when the period is one minute', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 1 });

    probe.advance(30_000);
    const atWarning = [...probe.log];
    probe.advance(30_000);

    expect(atWarning).toEqual(['warning:60']);
    expect(probe.log).toEqual(['warning:60', 'lock']);
  });

  it('dismisses the warning on input and touches the server at once', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 15 });
    probe.advance(14 * 60_000);

    probe.monitor.recordActivity();
    probe.advance(60_000);

    expect(probe.log).toEqual(['warning:900', 'dismissed', 'touch']);
    expect(probe.monitor.isRunning).toBe(true);
  });

  it('restarts the idle period from the last input', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 15 });
    probe.advance(10 * 60_000);
    probe.monitor.recordActivity();

    probe.advance(15 * 60_000 - 1000);
    const beforeLock = probe.log.filter((entry) => entry === 'lock');
    probe.advance(1000);

    expect(beforeLock).toEqual([]);
    expect(probe.log.filter((entry) => entry === 'lock')).toEqual(['lock']);
  });

  it('touches the server every 45 seconds while active', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 15 });

    for (let second = 0; second < 150; second += 1) {
      probe.monitor.recordActivity();
      probe.advance(1000);
    }

    expect(probe.log.filter((entry) => entry === 'touch')).toHaveLength(3);
  });

  it('sends no touch without input', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 15 });

    probe.advance(5 * 60_000);

    expect(probe.log).toEqual([]);
  });

  it('counts system input reported by the operating system', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 1, useSystemIdle: true });
    probe.advance(30_000);

    probe.setSystemIdleSeconds(0);
    probe.advance(29_000);

    expect(probe.log).toEqual(['warning:60', 'dismissed', 'touch']);
    expect(probe.monitor.isRunning).toBe(true);
  });

  it('locks on system idle time alone', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 1, useSystemIdle: true });

    probe.advance(60_000);

    expect(probe.log).toEqual(['warning:60', 'lock']);
  });

  it('ignores activity after it stopped', () => {
    const probe = startMonitor({ idleTimeoutMinutes: 1 });
    probe.monitor.stop();

    probe.monitor.recordActivity();
    probe.advance(120_000);

    expect(probe.log).toEqual([]);
  });
});
