import { formatWait } from '../format/time';
import { useSecondsUntil } from '../hooks/use-seconds-until';

interface ResendControlProps {
  label: 'Resend code' | 'Send a new code';
  resendAvailableAt: string | null;
  isSendLimitReached: boolean;
  isBusy: boolean;
  onSend: () => void;
}

const statusId = 'resend-status';

/**
 * Renders the resend button with its cooldown. The button counts down every second, while the
 * polite status line beside it changes only when the cooldown starts and ends, so a screen
 * reader is not interrupted once a second.
 *
 * NOTE: `resendAvailableAt` is a server time compared with the workstation clock, so a clock
 * that is off shifts the countdown. The server enforces the cooldown either way.
 */
export function ResendControl({ label, resendAvailableAt, isSendLimitReached, isBusy, onSend }: ResendControlProps) {
  const waitSeconds = useSecondsUntil(resendAvailableAt);
  const isCoolingDown = waitSeconds > 0 && !isSendLimitReached;

  let status = '';
  if (isSendLimitReached) {
    status = 'No more codes can be sent this hour.';
  } else if (isCoolingDown) {
    // No number here: the button shows the live countdown, and this text is announced only once.
    status = 'You can ask for another code when the countdown ends.';
  } else if (resendAvailableAt !== null) {
    status = 'You can ask for another code now.';
  }

  return (
    <div className="resend">
      <button
        type="button"
        className="button-secondary"
        disabled={isBusy || isCoolingDown || isSendLimitReached}
        aria-describedby={statusId}
        onClick={onSend}
      >
        {isCoolingDown ? `${label} in ${formatWait(waitSeconds)}` : label}
      </button>
      <p id={statusId} className="hint" aria-live="polite">
        {status}
      </p>
    </div>
  );
}

