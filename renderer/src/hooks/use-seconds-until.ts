import { useLayoutEffect, useState } from 'react';
import { secondsUntil } from '../format/time';

/**
 * Returns the whole seconds left until `isoInstant`, re-rendering once a second until it
 * passes. The first value is computed before the browser paints, so a new countdown never
 * shows a number left over from the previous one.
 */
export function useSecondsUntil(isoInstant: string | null): number {
  const [now, setNow] = useState(Date.now);

  useLayoutEffect(() => {
    setNow(Date.now());
    const targetMs = isoInstant === null ? Number.NaN : Date.parse(isoInstant);
    if (!(targetMs > Date.now())) {
      return undefined;
    }
    const timer = window.setInterval(() => {
      const currentMs = Date.now();
      setNow(currentMs);
      if (currentMs >= targetMs) {
        window.clearInterval(timer);
      }
    }, 1000);
    return () => window.clearInterval(timer);
  }, [isoInstant]);

  return secondsUntil(isoInstant, now);
}
