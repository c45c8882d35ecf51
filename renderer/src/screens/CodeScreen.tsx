import { useEffect, useState, type ClipboardEvent, type FormEvent } from 'react';
import type { OtpChannel } from '../../../electron/shared/api';
import { ErrorAlert } from '../components/ErrorAlert';
import { ResendControl } from '../components/ResendControl';
import { codeLength, normalizeCodeInput } from '../format/code-input';
import { describeAttemptsRemaining, describeChannel, describeMfaReason } from '../format/sign-in-text';
import { formatLocalTime } from '../format/time';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSecondsUntil } from '../hooks/use-seconds-until';
import { selectAlternativeChannel, type CodeStep } from '../stores/sign-in-store';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'code-error';
const codeHintId = 'code-hint';
const rememberHintId = 'remember-hint';
const codeInputProblem = `Enter only the ${codeLength} digits of the code.`;

// Room for a code typed with separators (`012 345`, `012-345`); the value kept is only the digits.
const codeInputMaxLength = codeLength * 2;

export function CodeScreen() {
  const codeStep = useSignInStore((state) => state.codeStep);
  if (codeStep === null) {
    return null;
  }
  return <CodeStepForm codeStep={codeStep} />;
}

function CodeStepForm({ codeStep }: { codeStep: CodeStep }) {
  const error = useSignInStore((state) => state.error);
  const isBusy = useSignInStore((state) => state.isBusy);
  const alternative = useSignInStore(selectAlternativeChannel);
  const verifyCode = useSignInStore((state) => state.verifyCode);
  const sendCode = useSignInStore((state) => state.sendCode);
  const cancel = useSignInStore((state) => state.cancel);
  // The code lives only in this field's state until Verify, and the store never keeps it.
  const [code, setCode] = useState('');
  const [inputProblem, setInputProblem] = useState<string | null>(null);
  const [rememberWorkstation, setRememberWorkstation] = useState(true);
  const codeRef = useFocusOnMount<HTMLInputElement>();
  const resendWaitSeconds = useSecondsUntil(codeStep.resendAvailableAt);

  useEffect(() => {
    if (error?.code !== 'OTP_CODE_INVALID' && error?.code !== 'OTP_CHALLENGE_LOCKED') {
      return;
    }
    setCode('');
    codeRef.current?.focus();
  }, [error, codeRef]);

  // A new code replaces the old one on the server, so a half-typed old code is of no use. The
  // field is cleared when the person asks for the new code, not when the reply arrives: a text
  // message often arrives first, and the person may already be typing the new code.
  function requestNewCode(channel: OtpChannel) {
    setCode('');
    setInputProblem(null);
    void sendCode(channel);
  }

  function acceptCodeText(text: string) {
    const digits = normalizeCodeInput(text);
    if (digits === null) {
      setInputProblem(codeInputProblem);
      return;
    }
    setInputProblem(null);
    setCode(digits);
  }

  // Handled here rather than in onChange because maxLength cuts long pasted text (a code inside a
  // copied sentence, say) before onChange receives it.
  function handlePaste(event: ClipboardEvent<HTMLInputElement>) {
    event.preventDefault();
    acceptCodeText(event.clipboardData.getData('text'));
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void verifyCode(code, rememberWorkstation);
  }

  const needsNewCode = codeStep.isLocked || codeStep.isCodeExpired;
  const isSendLimitReached = codeStep.sendsRemainingThisHour === 0;
  const isDeliveryFailure = error?.code === 'DELIVERY_FAILED';
  // The resend cooldown covers the whole sign-in attempt, whichever channel is chosen.
  const isCoolingDown = resendWaitSeconds > 0;
  const channelSwitch = alternative && (
    <button
      type="button"
      className="button-secondary"
      disabled={isBusy || isCoolingDown || isSendLimitReached}
      onClick={() => requestNewCode(alternative.channel)}
    >
      {alternative.channel === 'sms' ? 'Send by text message instead' : 'Send by email instead'}
    </button>
  );
  const sendingTo = codeStep.channels.find((choice) => choice.channel === codeStep.channel);
  const codeDescribedBy = [error === null ? null : errorId, codeHintId].filter(Boolean).join(' ');

  return (
    <section className="card">
      <h1 id="code-heading">Enter your verification code</h1>
      <p>{describeMfaReason(codeStep.reason)}</p>
      {codeStep.sentCode !== null && (
        <p role="status">
          We sent {codeStep.isReplacementCode ? 'a new code' : 'a code'} to{' '}
          <strong className="break-anywhere">{codeStep.sentCode.destination}</strong> by{' '}
          {describeChannel(codeStep.sentCode.channel)}.
          {codeStep.isReplacementCode && ' Earlier codes no longer work.'}
        </p>
      )}
      {codeStep.isSending && sendingTo !== undefined && (
        <p role="status">
          Sending a code to {sendingTo.destination} by {describeChannel(sendingTo.channel)}…
        </p>
      )}

      <ErrorAlert id={errorId} error={error}>
        {error?.code === 'OTP_CODE_INVALID' && codeStep.hasRejectedCode && codeStep.attemptsRemaining !== null && (
          <p>{describeAttemptsRemaining(codeStep.attemptsRemaining)}</p>
        )}
      </ErrorAlert>
      {isDeliveryFailure && channelSwitch}
      {needsNewCode && (
        <ResendControl
          label="Send a new code"
          resendAvailableAt={codeStep.resendAvailableAt}
          isSendLimitReached={isSendLimitReached}
          isBusy={isBusy}
          onSend={() => requestNewCode(codeStep.channel)}
        />
      )}

      <form noValidate onSubmit={handleSubmit} aria-busy={isBusy}>
        <div className="field">
          <label htmlFor="verification-code">Verification code</label>
          <input
            ref={codeRef}
            id="verification-code"
            name="code"
            className="code-input"
            autoComplete="one-time-code"
            inputMode="numeric"
            pattern="[0-9]*"
            maxLength={codeInputMaxLength}
            spellCheck={false}
            required
            value={code}
            onChange={(event) => acceptCodeText(event.target.value)}
            onPaste={handlePaste}
            aria-invalid={inputProblem !== null || error?.code === 'OTP_CODE_INVALID'}
            aria-describedby={codeDescribedBy}
          />
          <p id={codeHintId} className={inputProblem === null ? 'hint' : 'hint hint-problem'}>
            {inputProblem ?? describeCodeHint(codeStep)}
          </p>
        </div>
        <div className="checkbox-field">
          <input
            id="remember-workstation"
            type="checkbox"
            checked={rememberWorkstation}
            onChange={(event) => setRememberWorkstation(event.target.checked)}
            aria-describedby={rememberHintId}
          />
          <label htmlFor="remember-workstation">Remember this workstation</label>
        </div>
        <p id={rememberHintId} className="hint">
          {codeStep.reason === 'required_by_practice' &&
            'Your practice currently requires a code at every sign-in, even on a remembered workstation, so remembering it matters only if the practice turns that off. '}
          Uncheck this on a computer outside your clinic, such as a public or borrowed one.
        </p>
        <button type="submit" className="button-primary" disabled={isBusy || needsNewCode}>
          Verify
        </button>
      </form>

      <div className="actions">
        {!needsNewCode && (
          <ResendControl
            label="Resend code"
            resendAvailableAt={codeStep.resendAvailableAt}
            isSendLimitReached={isSendLimitReached}
            isBusy={isBusy}
            onSend={() => requestNewCode(codeStep.channel)}
          />
        )}
        {!isDeliveryFailure && channelSwitch}
        <button type="button" className="button-link" onClick={() => void cancel()}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function describeCodeHint(codeStep: CodeStep): string {
  if (codeStep.sentCode === null || codeStep.isLocked || codeStep.isCodeExpired) {
    return `The code has ${codeLength} digits.`;
  }
  return `The code has ${codeLength} digits and works until ${formatLocalTime(codeStep.sentCode.expiresAt, Date.now())}.`;
}
