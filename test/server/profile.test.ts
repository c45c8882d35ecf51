import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { formatNoticeEmail, formatNoticeSms } from '../../server/src/delivery/notice-message-text';
import { createSmsDeliverer } from '../../server/src/delivery/sms-deliverer';
import { extractCode } from '../helpers/extract-code';
import { startSmsProviderSink, type SmsProviderSink } from '../helpers/sms-provider-sink';
import {
  clinicianPassword,
  createHarness,
  errorCode,
  minutes,
  seconds,
  sendCode,
  sessionHeaders,
  startChallenge,
  verifyCode,
  type Harness,
  type HarnessOptions,
} from './support/harness';

const newMobile = '+15035550142';
const oldMobile = '+15550100002';
const sixDigitRun = /(?<!\d)\d{6}(?!\d)/;

describe('profile API', () => {
  let harness: Harness;
  let smsSink: SmsProviderSink | undefined;

  afterEach(async () => {
    await harness.close();
    await smsSink?.close();
    smsSink = undefined;
  });

  /** Starts a Twilio-shaped provider on loopback and a harness whose texts go through the real SMS deliverer to it. */
  async function createHarnessWithSmsProvider(options: HarnessOptions = {}): Promise<{ harness: Harness; sink: SmsProviderSink }> {
    const sink = await startSmsProviderSink({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'profile-test-token' });
    const smsDeliverer = createSmsDeliverer({
      baseUrl: sink.baseUrl,
      accountSid: 'AC0123456789abcdef0123456789abcdef',
      authToken: 'profile-test-token',
      fromNumber: '+15550109999',
      timeoutMs: 5_000,
    });
    return { harness: await createHarness({ ...options, smsDeliverer }), sink };
  }

  async function signIn(): Promise<string> {
    const challengeToken = await startChallenge(harness.app);
    await sendCode(harness.app, challengeToken);
    const verified = await verifyCode(harness.app, challengeToken, harness.email.lastCode());
    return (verified.json() as { session: { token: string } }).session.token;
  }

  function post(token: string, url: string, payload: object): Promise<LightMyRequestResponse> {
    return harness.app.inject({ method: 'POST', url, payload, headers: { ...sessionHeaders(token), 'content-type': 'application/json' } });
  }

  function requestMobileChange(token: string, currentPassword = clinicianPassword, value = newMobile): Promise<LightMyRequestResponse> {
    return post(token, '/api/v1/profile/contact', { channel: 'sms', value, currentPassword });
  }

  function mobileOnFile(): string | null {
    return (harness.db.prepare('SELECT mobile FROM users WHERE id = ?').get(harness.clinician.id) as { mobile: string | null }).mobile;
  }

  describe('contact change', () => {
    it('changes the mobile through its verification code', async () => {
      harness = await createHarness();
      const token = await signIn();

      const started = await requestMobileChange(token);
      const code = harness.sms.lastCode();
      const verified = await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code });

      expect(started.statusCode).toBe(200);
      expect(started.json()).toMatchObject({ channel: 'sms', destination: '***-***-0142' });
      expect(harness.sms.messages.at(-1)).toMatchObject({ to: newMobile, purpose: 'contact_change' });
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).toMatchObject({ mobile: '***-***-0142' });
      expect(mobileOnFile()).toBe(newMobile);
    });

    it('keeps sending codes to the old mobile until verified', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);

      const challengeToken = await startChallenge(harness.app);
      await sendCode(harness.app, challengeToken, 'sms');

      expect(mobileOnFile()).toBe('+15550100002');
      expect(harness.sms.messages.at(-1)).toMatchObject({ to: '+15550100002', purpose: 'sign_in' });
    });

    it('notifies the old email address', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);

      await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code: harness.sms.lastCode() });
      const notices = await harness.email.waitForNotices(1);

      expect(notices[0]).toMatchObject({ kind: 'contact_changed', to: 'casey@clinic.example', changedContact: { channel: 'sms', maskedNewValue: '***-***-0142' } });
    });

    it('notifies the old address of an email change', async () => {
      harness = await createHarness();
      const token = await signIn();
      await post(token, '/api/v1/profile/contact', { channel: 'email', value: 'Casey.New@clinic.example', currentPassword: clinicianPassword });

      const verified = await post(token, '/api/v1/profile/contact/verify', { channel: 'email', code: harness.email.lastCode() });
      const notices = await harness.email.waitForNotices(1);

      expect(verified.statusCode).toBe(200);
      expect(notices[0]).toMatchObject({ kind: 'contact_changed', to: 'casey@clinic.example' });
      expect(harness.sms.notices).toHaveLength(0);
    });

    it('texts the old number and emails a notice', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);
      const code = harness.sms.lastCode();

      await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code });
      const [textNotice] = await harness.sms.waitForNotices(1);
      const [emailNotice] = await harness.email.waitForNotices(1);

      const changedContact = { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'owner' };
      expect(textNotice).toMatchObject({ kind: 'contact_changed', to: oldMobile, changedContact });
      expect(emailNotice).toMatchObject({ kind: 'contact_changed', to: 'casey@clinic.example', changedContact });
      const text = formatNoticeSms(textNotice!);
      const email = formatNoticeEmail(emailNotice!);
      expect(text).toContain('the mobile number on your Riverside Acupuncture account was changed');
      expect(text).not.toMatch(sixDigitRun);
      expect(text).not.toMatch(/https?:|www\./);
      expect(email.text).not.toContain(code);
      expect(email.text).not.toMatch(sixDigitRun);
    });

    it('texts the old number through the SMS provider', async () => {
      ({ harness, sink: smsSink } = await createHarnessWithSmsProvider());
      const token = await signIn();
      await requestMobileChange(token);
      const code = extractCode((await smsSink.waitForMessage(newMobile)).body);

      const verified = await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code });
      const notice = await smsSink.waitForMessage(oldMobile);

      expect(verified.statusCode).toBe(200);
      expect(notice.body).toBe(
        'ClinicGate: the mobile number on your Riverside Acupuncture account was changed. If this was not you, contact your practice.',
      );
      expect(notice.body).not.toContain(code);
      expect(smsSink.messages.filter((message) => message.to === newMobile)).toHaveLength(1);
    });

    it('answers at once while notices fail or hang', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);
      harness.sms.setNoticeBehavior('hang');
      harness.email.setNoticeBehavior('fail');

      const verified = await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code: harness.sms.lastCode() });

      expect(verified.statusCode).toBe(200);
      expect(mobileOnFile()).toBe(newMobile);
    });

    it('audits the old and new mobile masked', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);

      await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code: harness.sms.lastCode() });

      const row = harness.db.prepare("SELECT details FROM audit_events WHERE reason = 'contact_changed'").get() as { details: string };
      expect(JSON.parse(row.details)).toMatchObject({ channel: 'sms', oldValue: '***-***-0002', newValue: '***-***-0142' });
      expect(row.details).not.toContain(newMobile);
      expect(row.details).not.toContain(oldMobile);
    });

    it('rejects a wrong current password', async () => {
      harness = await createHarness();
      const token = await signIn();
      const sentBefore = harness.sms.messages.length;

      const response = await requestMobileChange(token, 'not the password');

      expect(response.statusCode).toBe(401);
      expect(errorCode(response)).toBe('AUTH_CURRENT_PASSWORD_INVALID');
      expect(harness.sms.messages).toHaveLength(sentBefore);
    });

    it('rejects a mobile not in E.164 form', async () => {
      harness = await createHarness();
      const token = await signIn();

      const response = await requestMobileChange(token, clinicianPassword, '503-555-0142');

      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: '/mobile' } });
    });

    it('ends the request after five wrong codes', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);
      const code = harness.sms.lastCode();
      const wrongCode = code === '000000' ? '111111' : '000000';

      const replies: LightMyRequestResponse[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        replies.push(await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code: wrongCode }));
      }
      const afterLock = await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code });

      expect(errorCode(replies[0] as LightMyRequestResponse)).toBe('OTP_CODE_INVALID');
      expect(errorCode(replies[4] as LightMyRequestResponse)).toBe('OTP_CHALLENGE_LOCKED');
      expect(errorCode(afterLock)).toBe('OTP_CHALLENGE_LOCKED');
      expect(mobileOnFile()).toBe('+15550100002');
    });

    it('rejects an expired code', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);
      const code = harness.sms.lastCode();
      harness.clock.advance(minutes(10));

      const response = await post(token, '/api/v1/profile/contact/verify', { channel: 'sms', code });

      expect(errorCode(response)).toBe('OTP_CODE_EXPIRED');
    });

    it('enforces the resend cooldown', async () => {
      harness = await createHarness();
      const token = await signIn();
      await requestMobileChange(token);

      const tooSoon = await requestMobileChange(token);
      harness.clock.advance(seconds(30));
      const later = await requestMobileChange(token);

      expect(errorCode(tooSoon)).toBe('OTP_RESEND_COOLDOWN');
      expect(later.statusCode).toBe(200);
    });

    it('counts the wait from the oldest request', async () => {
      harness = await createHarness();
      const token = await signIn();
      for (let request = 0; request < 5; request += 1) {
        expect((await requestMobileChange(token)).statusCode).toBe(200);
        harness.clock.advance(minutes(10));
      }

      const capped = await requestMobileChange(token);

      // Requests at 0, 10, 20, 30 and 40 minutes; at 50 minutes the one at 0 leaves the hour 10 minutes later.
      expect(errorCode(capped)).toBe('OTP_SEND_LIMIT_REACHED');
      expect((capped.json() as { error: { retryAfterSeconds: number } }).error.retryAfterSeconds).toBe(10 * 60);
      expect(capped.headers['retry-after']).toBe(String(10 * 60));
    });
  });

  describe('preferred channel', () => {
    it('becomes the default on the code screen', async () => {
      harness = await createHarness();
      const token = await signIn();

      const changed = await harness.app.inject({
        method: 'PUT',
        url: '/api/v1/profile/preferred-channel',
        payload: { channel: 'sms' },
        headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
      });
      const next = await harness.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { username: 'casey.clinician', password: clinicianPassword, deviceFingerprint: 'b'.repeat(64) },
        headers: { 'content-type': 'application/json' },
      });

      expect(changed.json()).toMatchObject({ preferredChannel: 'sms' });
      expect((next.json() as { challenge: { preferredChannel: string } }).challenge.preferredChannel).toBe('sms');
    });
  });

  describe('sessions', () => {
    it('lists sessions and signs out everywhere', async () => {
      harness = await createHarness();
      const first = await signIn();
      const second = await signIn();

      const listed = await harness.app.inject({ method: 'GET', url: '/api/v1/profile/sessions', headers: sessionHeaders(second) });
      const ended = await post(second, '/api/v1/profile/sessions/sign-out-everywhere', {});
      const firstAfter = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(first) });

      const sessions = (listed.json() as { sessions: Array<{ isCurrentSession: boolean }> }).sessions;
      expect(sessions).toHaveLength(2);
      expect(sessions.filter((session) => session.isCurrentSession)).toHaveLength(1);
      expect(ended.json()).toEqual({ sessionsEnded: 2 });
      expect(firstAfter.statusCode).toBe(401);
    });
  });

  it('needs a session', async () => {
    harness = await createHarness();

    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/profile' });

    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe('SESSION_INVALID');
  });
});
