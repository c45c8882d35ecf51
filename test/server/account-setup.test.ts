import { afterEach, describe, expect, it } from 'vitest';
import { createPractice } from '../../server/src/practices/practice-repository';
import { formatCodeEmail } from '../../server/src/delivery/code-message-text';
import { maskEmail } from '../../server/src/delivery/mask-destination';
import {
  addUserWithPassword,
  adminPassword,
  changeUserEmail,
  completeSetup,
  createPendingUser,
  createUserAsAdmin,
  lastSetupEmail,
  newUserPassword,
  resendSetupCode,
  signInAdmin,
  signInWithCode,
  verifySetup,
  wrongSetupCodeFor,
} from './support/account-setup-steps';
import { completeReset, requestReset, verifyReset, waitForResetCode } from './support/password-reset-steps';
import { createHarness, errorCode, seconds, sessionHeaders, submitPassword, type Harness } from './support/harness';

describe('account setup by emailed code', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('emails a welcome message with an eight-digit setup code', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);

    const created = await createUserAsAdmin(harness, adminToken);

    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'Frankie.Desk', isSetupPending: true, setupEmailSent: true });
    const message = lastSetupEmail(harness);
    expect(message).toMatchObject({
      channel: 'email',
      to: 'frankie@clinic.example',
      purpose: 'account_setup',
      practiceName: 'Riverside Acupuncture',
      expiresInMinutes: 72 * 60,
      newAccount: { username: 'Frankie.Desk', displayName: 'Frankie Desk', codeExpiresAt: '2026-01-08T09:00:00.000Z' },
    });
    expect(message.code).toMatch(/^[0-9]{8}$/);
    const { subject, text } = formatCodeEmail(message);
    expect(subject).toBe('Welcome to ClinicGate at Riverside Acupuncture: set up your account');
    expect(subject).not.toContain(message.code);
    expect(text).toContain('Username:    Frankie.Desk');
    expect(text).toContain(`Setup code:  ${message.code.slice(0, 4)} ${message.code.slice(4)}`);
    expect(text).toContain('"New here? Set up your account"');
    expect(text).toContain('expires in 72 hours (at 2026-01-08 09:00 UTC)');
    expect(text).toContain('If you did not expect this email, do not use the code.');
    expect(harness.email.notices).toEqual([]);
  });

  it('sets the password once, then signs in with it', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);

    const verified = await verifySetup(harness, code);
    const completed = await completeSetup(harness, code);
    const signIn = await submitPassword(harness.app, { username: 'frankie.desk', password: newUserPassword });

    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ username: 'Frankie.Desk', passwordPolicy: { minLength: 12, maxLength: 1024 }, codeExpiresAt: '2026-01-08T09:00:00.000Z' });
    expect(completed.statusCode).toBe(204);
    expect(signIn.statusCode).toBe(200);
    expect((signIn.json() as { status: string }).status).toBe('mfa_required');
    const users = await harness.app.inject({ method: 'GET', url: '/api/v1/admin/users?search=frankie', headers: sessionHeaders(adminToken) });
    expect((users.json() as { users: Array<{ isSetupPending: boolean }> }).users).toEqual([expect.objectContaining({ isSetupPending: false })]);
  });

  it('rejects the code after it was used', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);
    await completeSetup(harness, code);

    const verifiedAgain = await verifySetup(harness, code);
    const completedAgain = await completeSetup(harness, code, 'another long password to try');

    expect(errorCode(verifiedAgain)).toBe('ACCOUNT_SETUP_CODE_INVALID');
    expect(errorCode(completedAgain)).toBe('ACCOUNT_SETUP_CODE_INVALID');
    expect((await submitPassword(harness.app, { username: 'frankie.desk', password: newUserPassword })).statusCode).toBe(200);
    expect((await submitPassword(harness.app, { username: 'frankie.desk', password: 'another long password to try' })).statusCode).toBe(401);
  });

  it('accepts the email address in place of the username', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);

    const verified = await verifySetup(harness, code, ' Frankie@Clinic.example ');

    expect(verified.statusCode).toBe(200);
    expect((verified.json() as { username: string }).username).toBe('Frankie.Desk');
  });

  it('keeps the code after a rejected password', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);

    const tooShort = await completeSetup(harness, code, 'short pass');
    const blocklisted = await completeSetup(harness, code, 'password1234');
    const accepted = await completeSetup(harness, code);

    expect(tooShort.json()).toMatchObject({ error: { code: 'PASSWORD_TOO_SHORT', minPasswordLength: 12 } });
    expect(errorCode(blocklisted)).toBe('PASSWORD_BLOCKLISTED');
    expect(accepted.statusCode).toBe(204);
    const rejections = harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'account_setup.password_rejected' ORDER BY id").all();
    expect(rejections).toEqual([{ reason: 'password_too_short' }, { reason: 'password_blocklisted' }]);
  });

  it('rejects any password before setup like a wrong one', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { userId } = await createPendingUser(harness, adminToken);
    // Even a hash of a known password must not open an account that is waiting for setup.
    const knownHash = (harness.db.prepare('SELECT password_hash FROM users WHERE username = ?').get('Dana.Admin') as { password_hash: string }).password_hash;
    harness.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(knownHash, userId);

    const pending = await submitPassword(harness.app, { username: 'frankie.desk', password: adminPassword });
    const wrong = await submitPassword(harness.app, { username: 'casey.clinician', password: 'not the password at all' });

    expect(pending.statusCode).toBe(401);
    expect(pending.json()).toEqual(wrong.json());
    const audit = harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'password.rejected' AND user_id = ?").get(userId);
    expect(audit).toEqual({ reason: 'password_setup_pending' });
  });

  it('finishes setup through a password reset and voids the setup code', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);
    const emailsBefore = harness.email.messages.length;

    const requested = await requestReset(harness.app, 'frankie@clinic.example');
    const { challengeToken } = requested.json() as { challengeToken: string };
    const resetCode = await waitForResetCode(harness, emailsBefore + 1);
    const { resetToken } = (await verifyReset(harness.app, challengeToken, resetCode)).json() as { resetToken: string };
    const reset = await completeReset(harness.app, challengeToken, resetToken, newUserPassword);

    expect(reset.statusCode).toBe(204);
    expect(errorCode(await verifySetup(harness, code))).toBe('ACCOUNT_SETUP_CODE_INVALID');
    expect((await submitPassword(harness.app, { username: 'frankie.desk', password: newUserPassword })).statusCode).toBe(200);
    expect(harness.db.prepare('SELECT password_setup_pending AS pending FROM users WHERE username = ?').get('Frankie.Desk')).toEqual({ pending: 0 });
  });

  it('audits issue, failure and completion without the code', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { userId, code } = await createPendingUser(harness, adminToken);

    await verifySetup(harness, wrongSetupCodeFor(code));
    await completeSetup(harness, code);

    const rows = harness.db
      .prepare("SELECT event, outcome, reason FROM audit_events WHERE user_id = ? AND event LIKE 'account_setup.%' ORDER BY id")
      .all(userId);
    expect(rows).toEqual([
      { event: 'account_setup.code_issued', outcome: 'success', reason: 'user_created' },
      { event: 'account_setup.code_rejected', outcome: 'failure', reason: 'wrong_code' },
      { event: 'account_setup.completed', outcome: 'success', reason: null },
    ]);
    const sent = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'otp.sent' AND user_id = ?").get(userId) as { details: string };
    expect(JSON.parse(sent.details)).toMatchObject({ channel: 'email', destination: 'f•••@clinic.example', purpose: 'account_setup' });
  });

  it('reports a welcome email that could not be sent', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    harness.email.setBehavior('fail');

    const created = await createUserAsAdmin(harness, adminToken);

    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: 'Frankie.Desk', isSetupPending: true, setupEmailSent: false });
    const failed = harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'otp.delivery_failed'").get();
    expect(failed).toEqual({ reason: 'rejected' });
  });

  it('keeps the demo-style accounts with a known password ready', async () => {
    harness = await createHarness();

    const signIn = await submitPassword(harness.app);

    expect(signIn.statusCode).toBe(200);
    expect(harness.clinician.isPasswordSetupPending).toBe(false);
  });

  describe('new setup code from an administrator', () => {
    it('replaces the old code with a new one', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code: oldCode } = await createPendingUser(harness, adminToken);
      harness.clock.advance(seconds(30));

      const resent = await resendSetupCode(harness, adminToken, userId);
      const newCode = lastSetupEmail(harness).code;

      expect(resent.statusCode).toBe(200);
      expect(resent.json()).toMatchObject({ user: { id: userId, isSetupPending: true }, codeExpiresAt: '2026-01-08T09:00:30.000Z' });
      expect(newCode).not.toBe(oldCode);
      expect(errorCode(await verifySetup(harness, oldCode))).toBe('ACCOUNT_SETUP_CODE_INVALID');
      expect((await completeSetup(harness, newCode)).statusCode).toBe(204);
      const issued = harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'account_setup.code_issued' ORDER BY id").all();
      expect(issued).toEqual([{ reason: 'user_created' }, { reason: 'resent_by_admin' }]);
    });

    it('unlocks setup with a fresh code after five wrong codes', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code } = await createPendingUser(harness, adminToken);
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await verifySetup(harness, wrongSetupCodeFor(code));
      }
      harness.clock.advance(seconds(30));

      await resendSetupCode(harness, adminToken, userId);

      expect((await verifySetup(harness, lastSetupEmail(harness).code)).statusCode).toBe(200);
    });

    it('keeps the old code when the email fails', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code } = await createPendingUser(harness, adminToken);
      harness.clock.advance(seconds(30));
      harness.email.setBehavior('fail');

      const resent = await resendSetupCode(harness, adminToken, userId);

      expect(resent.statusCode).toBe(502);
      expect(errorCode(resent)).toBe('ACCOUNT_SETUP_EMAIL_FAILED');
      expect((await verifySetup(harness, code)).statusCode).toBe(200);
    });

    it('waits for the cooldown after the welcome email', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code } = await createPendingUser(harness, adminToken);
      harness.clock.advance(seconds(10));

      const tooSoon = await resendSetupCode(harness, adminToken, userId);
      harness.clock.advance(seconds(20));
      const later = await resendSetupCode(harness, adminToken, userId);

      expect(tooSoon.statusCode).toBe(429);
      expect(tooSoon.json()).toMatchObject({ error: { code: 'OTP_RESEND_COOLDOWN', retryAfterSeconds: 20 } });
      expect(tooSoon.headers['retry-after']).toBe('20');
      expect(later.statusCode).toBe(200);
      expect(harness.email.messages.filter((message) => message.purpose === 'account_setup')).toHaveLength(2);
      expect(lastSetupEmail(harness).code).not.toBe(code);
      const limited = harness.db.prepare("SELECT user_id, reason, details FROM audit_events WHERE event = 'request.rate_limited'").all();
      expect(limited).toEqual([{ user_id: userId, reason: 'otp_resend_cooldown', details: expect.stringContaining('"purpose":"account_setup"') }]);
    });

    it('keeps the old code during the cooldown', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code } = await createPendingUser(harness, adminToken);

      await resendSetupCode(harness, adminToken, userId);

      expect((await verifySetup(harness, code)).statusCode).toBe(200);
    });

    it('applies the practice cooldown between resends', async () => {
      harness = await createHarness({ practiceSettings: { resendCooldownSeconds: 120 } });
      const adminToken = await signInAdmin(harness);
      const { userId } = await createPendingUser(harness, adminToken);
      harness.clock.advance(seconds(120));
      const first = await resendSetupCode(harness, adminToken, userId);
      harness.clock.advance(seconds(90));

      const second = await resendSetupCode(harness, adminToken, userId);

      expect(first.statusCode).toBe(200);
      expect(second.json()).toMatchObject({ error: { code: 'OTP_RESEND_COOLDOWN', retryAfterSeconds: 30 } });
    });

    it('allows a retry at once after a failed email', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      harness.email.setBehavior('fail');
      const created = await createUserAsAdmin(harness, adminToken);
      const userId = (created.json() as { id: string }).id;
      harness.email.setBehavior('deliver');

      const resent = await resendSetupCode(harness, adminToken, userId);

      expect(created.json()).toMatchObject({ setupEmailSent: false });
      expect(resent.statusCode).toBe(200);
      expect((await verifySetup(harness, lastSetupEmail(harness).code)).statusCode).toBe(200);
    });

    it('sends one email for two parallel requests', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId } = await createPendingUser(harness, adminToken);
      harness.clock.advance(seconds(30));
      const emailsBefore = harness.email.messages.length;

      const replies = await Promise.all([resendSetupCode(harness, adminToken, userId), resendSetupCode(harness, adminToken, userId)]);

      expect(replies.map((reply) => reply.statusCode).sort()).toEqual([200, 429]);
      expect(harness.email.messages).toHaveLength(emailsBefore + 1);
      expect((await verifySetup(harness, lastSetupEmail(harness).code)).statusCode).toBe(200);
    });

    it('rejects a user who already chose a password', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);

      const resent = await resendSetupCode(harness, adminToken, harness.clinician.id);

      expect(resent.statusCode).toBe(409);
      expect(errorCode(resent)).toBe('ACCOUNT_SETUP_NOT_PENDING');
      expect(harness.email.messages.filter((message) => message.purpose === 'account_setup')).toEqual([]);
    });

    it('rejects a deactivated user', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId } = await createPendingUser(harness, adminToken);
      await harness.app.inject({ method: 'POST', url: `/api/v1/admin/users/${userId}/deactivate`, headers: sessionHeaders(adminToken) });

      const resent = await resendSetupCode(harness, adminToken, userId);

      expect(errorCode(resent)).toBe('ACCOUNT_SETUP_USER_DEACTIVATED');
    });

    it('answers 403 to a user who is not an administrator', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code } = await createPendingUser(harness, adminToken);
      await addUserWithPassword(harness, 'Billie.Billing', 'billing');
      const billingToken = await signInWithCode(harness, 'billie.billing', adminPassword);
      const emailsBefore = harness.email.messages.length;

      const resent = await resendSetupCode(harness, billingToken, userId);

      expect(resent.statusCode).toBe(403);
      expect(errorCode(resent)).toBe('AUTH_FORBIDDEN');
      expect(harness.email.messages).toHaveLength(emailsBefore);
      expect((await verifySetup(harness, code)).statusCode).toBe(200);
    });

    it('answers 404 to an administrator of another practice', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code } = await createPendingUser(harness, adminToken);
      const otherPractice = createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() });
      const otherAdminToken = await signInAdmin(harness, 'Olive.Admin', otherPractice.id);
      const emailsBefore = harness.email.messages.length;

      const resent = await resendSetupCode(harness, otherAdminToken, userId);

      expect(resent.statusCode).toBe(404);
      expect(errorCode(resent)).toBe('USER_NOT_FOUND');
      expect(harness.email.messages).toHaveLength(emailsBefore);
      expect((await verifySetup(harness, code)).statusCode).toBe(200);
    });

    it('answers 401 without a session', async () => {
      harness = await createHarness();

      const resent = await harness.app.inject({ method: 'POST', url: `/api/v1/admin/users/${harness.clinician.id}/setup-code` });

      expect(resent.statusCode).toBe(401);
      expect(harness.email.messages).toEqual([]);
    });
  });

  describe('email change while setup is pending', () => {
    const newAddress = 'frankie.desk@clinic.example';

    function setupEmails(): Array<{ to: string; code: string }> {
      return harness.email.messages.filter((message) => message.purpose === 'account_setup').map(({ to, code }) => ({ to, code }));
    }

    it('sends a new code to the new address', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code: oldCode } = await createPendingUser(harness, adminToken);

      const changed = await changeUserEmail(harness, adminToken, userId, newAddress);
      const newCode = lastSetupEmail(harness).code;

      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ user: { id: userId, email: maskEmail(newAddress), isSetupPending: true }, setupEmailSent: true });
      expect(setupEmails()).toEqual([
        { to: 'frankie@clinic.example', code: oldCode },
        { to: newAddress, code: newCode },
      ]);
      expect(errorCode(await verifySetup(harness, oldCode))).toBe('ACCOUNT_SETUP_CODE_INVALID');
      expect((await completeSetup(harness, newCode)).statusCode).toBe(204);
    });

    it('audits the revoked and the new code', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId } = await createPendingUser(harness, adminToken);

      await changeUserEmail(harness, adminToken, userId, newAddress);

      const changed = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'user.changed' AND reason = 'details_changed'").get() as {
        details: string;
      };
      expect(JSON.parse(changed.details)).toMatchObject({ targetUserId: userId, setupCodesRevoked: 1, email: maskEmail(newAddress) });
      const issued = harness.db.prepare("SELECT user_id, reason, details FROM audit_events WHERE event = 'account_setup.code_issued' ORDER BY id").all();
      expect(issued).toEqual([
        expect.objectContaining({ user_id: userId, reason: 'user_created' }),
        expect.objectContaining({ user_id: userId, reason: 'email_changed' }),
      ]);
      const sent = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'otp.sent' AND user_id = ? ORDER BY id DESC").get(userId) as {
        details: string;
      };
      expect(JSON.parse(sent.details)).toMatchObject({ purpose: 'account_setup', destination: maskEmail(newAddress) });
    });

    it('voids the old code when the new address fails', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code: oldCode } = await createPendingUser(harness, adminToken);
      harness.email.setBehavior('fail');

      const changed = await changeUserEmail(harness, adminToken, userId, newAddress);
      harness.email.setBehavior('deliver');
      harness.clock.advance(seconds(30));
      const resent = await resendSetupCode(harness, adminToken, userId);

      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ user: { email: maskEmail(newAddress) }, setupEmailSent: false });
      expect(errorCode(await verifySetup(harness, oldCode))).toBe('ACCOUNT_SETUP_CODE_INVALID');
      const failed = harness.db.prepare("SELECT reason, details FROM audit_events WHERE event = 'otp.delivery_failed'").get() as { reason: string; details: string };
      expect(failed.reason).toBe('rejected');
      expect(JSON.parse(failed.details)).toMatchObject({ purpose: 'account_setup', destination: maskEmail(newAddress) });
      expect(resent.statusCode).toBe(200);
      expect(lastSetupEmail(harness).to).toBe(newAddress);
    });

    it('skips the cooldown and then starts it', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId } = await createPendingUser(harness, adminToken);
      harness.clock.advance(seconds(5));

      const changed = await changeUserEmail(harness, adminToken, userId, newAddress);
      const resent = await resendSetupCode(harness, adminToken, userId);

      expect(changed.json()).toMatchObject({ setupEmailSent: true });
      expect(resent.json()).toMatchObject({ error: { code: 'OTP_RESEND_COOLDOWN', retryAfterSeconds: 30 } });
    });

    it('sends nothing to a deactivated user', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId } = await createPendingUser(harness, adminToken);
      await harness.app.inject({ method: 'POST', url: `/api/v1/admin/users/${userId}/deactivate`, headers: sessionHeaders(adminToken) });

      const changed = await changeUserEmail(harness, adminToken, userId, newAddress);

      expect(changed.json()).toMatchObject({ user: { status: 'deactivated' }, setupEmailSent: false });
      expect(setupEmails().map((message) => message.to)).toEqual(['frankie@clinic.example']);
      const openCodes = harness.db.prepare('SELECT COUNT(*) AS count FROM account_setup_codes WHERE user_id = ? AND revoked_at IS NULL').get(userId);
      expect(openCodes).toEqual({ count: 0 });
    });

    it('keeps the code for a name change', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId, code } = await createPendingUser(harness, adminToken);

      const changed = await harness.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${userId}`,
        payload: { displayName: 'Frankie Desk-Rivera' },
        headers: { ...sessionHeaders(adminToken), 'content-type': 'application/json' },
      });

      expect(changed.json()).not.toHaveProperty('setupEmailSent');
      expect(setupEmails()).toHaveLength(1);
      expect((await verifySetup(harness, code)).statusCode).toBe(200);
    });

    it('leaves out the field for a user who is set up', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);

      const changed = await changeUserEmail(harness, adminToken, harness.clinician.id, 'casey.rivera@clinic.example');

      expect(changed.statusCode).toBe(200);
      expect(changed.json()).not.toHaveProperty('setupEmailSent');
      expect(setupEmails()).toEqual([]);
    });

    it('voids a resend to a replaced address', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin(harness);
      const { userId } = await createPendingUser(harness, adminToken);
      harness.clock.advance(seconds(30));
      const heldDeliveries: Array<() => void> = [];
      const deliver = harness.email.deliver.bind(harness.email);
      harness.email.deliver = async (message) => {
        await new Promise<void>((resolve) => heldDeliveries.push(resolve));
        return deliver(message);
      };

      const resending = resendSetupCode(harness, adminToken, userId);
      await waitUntil(() => heldDeliveries.length === 1);
      const changing = changeUserEmail(harness, adminToken, userId, newAddress);
      await waitUntil(() => heldDeliveries.length === 2);
      heldDeliveries.forEach((release) => release());
      const [resent, changed] = await Promise.all([resending, changing]);

      expect(resent.statusCode).toBe(409);
      expect(errorCode(resent)).toBe('ACCOUNT_SETUP_EMAIL_CHANGED');
      expect(changed.json()).toMatchObject({ setupEmailSent: true });
      const [toOldAddress, toNewAddress] = setupEmails().slice(-2);
      expect(toOldAddress?.to).toBe('frankie@clinic.example');
      expect(errorCode(await verifySetup(harness, toOldAddress?.code ?? ''))).toBe('ACCOUNT_SETUP_CODE_INVALID');
      expect((await verifySetup(harness, toNewAddress?.code ?? '')).statusCode).toBe(200);
    });
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('the condition did not hold within 2 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
