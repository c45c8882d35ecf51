import { useEffect, useState, type FormEvent } from 'react';
import type { ActiveSessionSummary, ContactChangeStartedResponse, OtpChannel, ProfileResponse } from '../../../electron/shared/api';
import { getBridge } from '../bridge/get-bridge';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatLocalTime } from '../format/time';
import { useBridgeAction } from '../hooks/use-bridge-action';
import { useFocusOnMount } from '../hooks/use-focus-on-mount';
import { useSignInStore } from '../stores/sign-in-store-context';

const errorId = 'profile-error';

/** Profile: where codes go by default, changing email or mobile with a code, and active sessions. */
export function ProfileScreen() {
  const showView = useSignInStore((state) => state.showView);
  const signOutAfterSigningOutEverywhere = useSignInStore((state) => state.signOutAfterSigningOutEverywhere);
  const { run, isBusy, error } = useBridgeAction();
  const [profile, setProfile] = useState<ProfileResponse | null>(null);
  const [sessions, setSessions] = useState<ActiveSessionSummary[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  useEffect(() => {
    void (async () => {
      const loaded = await run(() => getBridge().getProfile());
      if (loaded !== null) {
        setProfile(loaded);
      }
      const listed = await run(() => getBridge().listActiveSessions());
      if (listed !== null) {
        setSessions(listed);
      }
    })();
  }, [run]);

  async function choosePreferredChannel(channel: OtpChannel) {
    setNotice(null);
    const updated = await run(() => getBridge().setPreferredChannel({ channel }));
    if (updated !== null) {
      setProfile(updated);
      setNotice(`Codes now go by ${channel === 'sms' ? 'text message' : 'email'} unless you choose otherwise on the code screen.`);
    }
  }

  async function signOutEverywhere() {
    const result = await run(() => getBridge().signOutEverywhere());
    if (result !== null) {
      signOutAfterSigningOutEverywhere(result.sessionsEnded);
    }
  }

  return (
    <section className="card card-wide" aria-labelledby="profile-heading">
      <h1 id="profile-heading" ref={headingRef} tabIndex={-1}>
        Profile
      </h1>
      <ErrorAlert id={errorId} error={error} />
      {notice !== null && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {profile !== null && (
        <>
          <dl className="details">
            <dt>Name</dt>
            <dd>{profile.displayName}</dd>
            <dt>Email</dt>
            <dd>{profile.email ?? 'None'}</dd>
            <dt>Mobile</dt>
            <dd>{profile.mobile ?? 'None'}</dd>
          </dl>
          <div className="field">
            <label htmlFor="preferred-channel">Send my sign-in codes by</label>
            <select
              id="preferred-channel"
              value={profile.preferredChannel}
              disabled={isBusy}
              onChange={(event) => void choosePreferredChannel(event.target.value as OtpChannel)}
            >
              <option value="email" disabled={profile.email === null}>
                Email
              </option>
              <option value="sms" disabled={profile.mobile === null}>
                Text message
              </option>
            </select>
          </div>
          <ContactChangeForm
            isBusy={isBusy}
            onStart={(channel, value, currentPassword) => run(() => getBridge().startContactChange({ channel, value, currentPassword }))}
            onVerify={async (channel, code) => {
              const updated = await run(() => getBridge().verifyContactChange({ channel, code }));
              if (updated !== null) {
                setProfile(updated);
                setNotice(describeContactChanged(channel, profile));
              }
              return updated !== null;
            }}
          />
        </>
      )}
      <h2>Active sessions</h2>
      <ul aria-label="Active sessions">
        {sessions.map((session) => (
          <li key={session.id}>
            Signed in {formatLocalTime(session.createdAt, Date.now())}, last active {formatLocalTime(session.lastActivityAt, Date.now())}
            {session.mfa ? ', with a code' : ', on a remembered workstation'}
            {session.isCurrentSession && <span className="badge">This session</span>}
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button-secondary" disabled={isBusy} onClick={() => void signOutEverywhere()}>
          Sign out everywhere
        </button>
        <button type="button" className="button-secondary" onClick={() => showView('trusted_workstations')}>
          Trusted workstations
        </button>
        <button type="button" className="button-secondary" onClick={() => showView('home')}>
          Back
        </button>
      </div>
    </section>
  );
}

/** Says where the notices about a verified change went; `previous` is the profile from before the change. */
function describeContactChanged(channel: OtpChannel, previous: ProfileResponse): string {
  if (channel === 'email') {
    return 'Your email address is changed. We sent a notice to your previous address.';
  }
  return previous.mobile === null
    ? 'Your mobile number is saved. We sent a notice to your email address.'
    : 'Your mobile number is changed. We sent a notice to your previous number and to your email address.';
}

interface ContactChangeFormProps {
  isBusy: boolean;
  onStart(channel: OtpChannel, value: string, currentPassword: string): Promise<ContactChangeStartedResponse | null>;
  onVerify(channel: OtpChannel, code: string): Promise<boolean>;
}

function ContactChangeForm({ isBusy, onStart, onVerify }: ContactChangeFormProps) {
  const [channel, setChannel] = useState<OtpChannel>('sms');
  const [value, setValue] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState<ContactChangeStartedResponse | null>(null);

  async function handleStart(event: FormEvent) {
    event.preventDefault();
    const started = await onStart(channel, value, currentPassword);
    setCurrentPassword('');
    if (started !== null) {
      setSent(started);
    }
  }

  async function handleVerify(event: FormEvent) {
    event.preventDefault();
    if (await onVerify(channel, code)) {
      setSent(null);
      setValue('');
      setCode('');
    }
  }

  if (sent !== null) {
    return (
      <form onSubmit={(event) => void handleVerify(event)} aria-labelledby="contact-change-heading">
        <h2 id="contact-change-heading">Enter the code</h2>
        <p>We sent a 6-digit code to {sent.destination}. Until you enter it, codes keep going to your current details.</p>
        <div className="field">
          <label htmlFor="contact-change-code">Verification code</label>
          <input
            id="contact-change-code"
            className="code-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            aria-describedby={errorId}
            onChange={(event) => setCode(event.target.value)}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button-primary" disabled={isBusy}>
            Confirm change
          </button>
          <button type="button" className="button-secondary" onClick={() => setSent(null)}>
            Cancel
          </button>
        </div>
      </form>
    );
  }

  return (
    <form onSubmit={(event) => void handleStart(event)} aria-labelledby="contact-change-heading">
      <h2 id="contact-change-heading">Change email or mobile</h2>
      <div className="field">
        <label htmlFor="contact-change-channel">Change my</label>
        <select id="contact-change-channel" value={channel} onChange={(event) => setChannel(event.target.value as OtpChannel)}>
          <option value="sms">Mobile number</option>
          <option value="email">Email address</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="contact-change-value">{channel === 'sms' ? 'New mobile number' : 'New email address'}</label>
        <input
          id="contact-change-value"
          type={channel === 'sms' ? 'tel' : 'email'}
          value={value}
          aria-describedby={errorId}
          onChange={(event) => setValue(event.target.value)}
        />
        {channel === 'sms' && <p className="hint">In international form, like +15035550142.</p>}
      </div>
      <div className="field">
        <label htmlFor="contact-change-password">Current password</label>
        <input
          id="contact-change-password"
          type="password"
          autoComplete="current-password"
          value={currentPassword}
          aria-describedby={errorId}
          onChange={(event) => setCurrentPassword(event.target.value)}
        />
      </div>
      <button type="submit" className="button-primary" disabled={isBusy}>
        Send a code to the new {channel === 'sms' ? 'number' : 'address'}
      </button>
    </form>
  );
}
