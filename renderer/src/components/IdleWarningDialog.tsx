import { useEffect, useRef } from 'react';
import { useSecondsUntil } from '../hooks/use-seconds-until';

interface IdleWarningDialogProps {
  /** ISO time at which the agent locks the session. */
  locksAt: string;
  onStaySignedIn(): void;
}

/**
 * Warns before the idle lock. Any input dismisses it, because the app reports all input to the
 * agent. The button gives keyboard and screen reader users an obvious way to do that.
 */
export function IdleWarningDialog({ locksAt, onStaySignedIn }: IdleWarningDialogProps) {
  const secondsLeft = useSecondsUntil(locksAt);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    buttonRef.current?.focus();
  }, []);

  return (
    <div className="dialog-backdrop">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="idle-warning-title"
        aria-describedby="idle-warning-text"
        className="dialog"
      >
        <h2 id="idle-warning-title">Are you still there?</h2>
        <p id="idle-warning-text">
          You will be signed out in {secondsLeft} {secondsLeft === 1 ? 'second' : 'seconds'} because of inactivity.
        </p>
        <button ref={buttonRef} type="button" className="button-primary" onClick={onStaySignedIn}>
          Stay signed in
        </button>
      </div>
    </div>
  );
}
