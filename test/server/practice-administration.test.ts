import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { maskEmail } from '../../server/src/delivery/mask-destination';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser, type User } from '../../server/src/users/user-repository';
import {
  clinicianPassword,
  createHarness,
  errorCode,
  sendCode,
  sessionHeaders,
  startChallenge,
  submitPassword,
  verifyCode,
  type Harness,
} from './support/harness';

const adminPassword = 'admin password for the practice tests';
const newUser = {
  username: 'Frankie.Desk',
  displayName: 'Frankie Desk',
  email: 'frankie@clinic.example',
  mobile: '+15550100077',
  role: 'front_desk',
  preferredChannel: 'sms',
};

describe('practice administration API', () => {
  let harness: Harness;
  let secondInstance: Harness | undefined;

  afterEach(async () => {
    await secondInstance?.close();
    secondInstance = undefined;
    await harness.close();
  });

  async function addUser(username: string, role: User['role'], practiceId = harness.practice.id): Promise<User> {
    const hasher = await createPasswordHasher(harness.config.argon2);
    return createUser(harness.db, {
      practiceId,
      username,
      displayName: username,
      email: `${username.toLowerCase()}@clinic.example`,
      mobile: null,
      role,
      passwordHash: await hasher.hashPassword(adminPassword),
      preferredChannel: 'email',
      createdAt: harness.clock.now(),
    });
  }

  /** Signs in with a code and returns the session token and, when asked, a device-trust token. */
  async function signInWithCode(username: string, password: string, rememberDevice = false): Promise<{ token: string; deviceTrustToken: string | null }> {
    const challengeToken = await startChallenge(harness.app, { username, password });
    await sendCode(harness.app, challengeToken);
    const verified = await verifyCode(harness.app, challengeToken, harness.email.lastCode(), { rememberDevice });
    const body = verified.json() as { session: { token: string }; deviceTrust?: { token: string } };
    return { token: body.session.token, deviceTrustToken: body.deviceTrust?.token ?? null };
  }

  async function signInAdmin(username = 'Dana.Admin', practiceId = harness.practice.id): Promise<string> {
    await addUser(username, 'practice_admin', practiceId);
    return (await signInWithCode(username.toLowerCase(), adminPassword)).token;
  }

  function putSetting(token: string, setting: string, value: number | boolean): Promise<LightMyRequestResponse> {
    return harness.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/practice/settings/${setting}`,
      payload: { value },
      headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
    });
  }

  function getSession(token: string, app = harness.app): Promise<LightMyRequestResponse> {
    return app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(token) });
  }

  function userAction(token: string, userId: string, action: string): Promise<LightMyRequestResponse> {
    return harness.app.inject({ method: 'POST', url: `/api/v1/admin/users/${userId}/${action}`, headers: sessionHeaders(token) });
  }

  function putRole(token: string, userId: string, role: string): Promise<LightMyRequestResponse> {
    return harness.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/users/${userId}/role`,
      payload: { role },
      headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
    });
  }

  describe('enforcement toggle', () => {
    it('ends sessions made without a code', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const { deviceTrustToken } = await signInWithCode('casey.clinician', clinicianPassword, true);
      const remembered = await submitPassword(harness.app, { deviceTrustToken: deviceTrustToken ?? '' });
      const clinicianToken = (remembered.json() as { status: string; session: { token: string } }).session.token;

      const changed = await putSetting(adminToken, 'require_mfa_always', true);

      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toEqual({ setting: 'require_mfa_always', oldValue: 0, newValue: 1, sessionsEnded: 1 });
      const clinicianCheck = await getSession(clinicianToken);
      expect(clinicianCheck.statusCode).toBe(401);
      expect(errorCode(clinicianCheck)).toBe('SESSION_MFA_REQUIRED');
      expect((await getSession(adminToken)).statusCode).toBe(200);
    });

    it('asks for a code on a remembered workstation', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const { deviceTrustToken } = await signInWithCode('casey.clinician', clinicianPassword, true);

      await putSetting(adminToken, 'require_mfa_always', true);
      const next = await submitPassword(harness.app, { deviceTrustToken: deviceTrustToken ?? '' });

      const body = next.json() as { status: string; challenge?: { reason: string } };
      expect(body.status).toBe('mfa_required');
      expect(body.challenge?.reason).toBe('required_by_practice');
    });

    it('returns to risk-based rules when turned off', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const { deviceTrustToken } = await signInWithCode('casey.clinician', clinicianPassword, true);
      await putSetting(adminToken, 'require_mfa_always', true);

      const changed = await putSetting(adminToken, 'require_mfa_always', false);
      const next = await submitPassword(harness.app, { deviceTrustToken: deviceTrustToken ?? '' });

      expect(changed.json()).toEqual({ setting: 'require_mfa_always', oldValue: 1, newValue: 0, sessionsEnded: 0 });
      expect((next.json() as { status: string }).status).toBe('signed_in');
    });

    it('audits the admin, old and new value', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      await putSetting(adminToken, 'require_mfa_always', true);

      const rows = harness.db.prepare("SELECT user_id, details FROM audit_events WHERE event = 'settings.changed'").all() as Array<{
        user_id: string;
        details: string;
      }>;
      expect(rows).toHaveLength(1);
      const admin = harness.db.prepare("SELECT id FROM users WHERE username = 'Dana.Admin'").get() as { id: string };
      expect(rows[0]?.user_id).toBe(admin.id);
      expect(JSON.parse(rows[0]?.details ?? '{}')).toMatchObject({
        setting: 'require_mfa_always',
        oldValue: 0,
        newValue: 1,
        changedBy: 'Dana.Admin',
        via: 'settings_pane',
      });
    });

    it('holds across server instances', async () => {
      harness = await createHarness();
      secondInstance = await createHarness({ sharedWith: harness });
      const adminToken = await signInAdmin();
      const { deviceTrustToken } = await signInWithCode('casey.clinician', clinicianPassword, true);

      await putSetting(adminToken, 'require_mfa_always', true);
      const next = await submitPassword(secondInstance.app, { deviceTrustToken: deviceTrustToken ?? '' });

      expect((next.json() as { status: string }).status).toBe('mfa_required');
    });
  });

  describe('settings validation', () => {
    it.each([
      ['idle_timeout_minutes', 0, 'idle_timeout_minutes: expected a whole number from 1 to 1440'],
      ['absolute_timeout_minutes', 10_081, 'absolute_timeout_minutes: expected a whole number from 1 to 10080'],
      ['device_trust_days', 366, 'device_trust_days: expected a whole number from 1 to 365'],
      ['min_password_length', 7, 'min_password_length: expected a whole number from 8 to 128'],
      ['require_mfa_always', 2, 'require_mfa_always: expected a whole number from 0 to 1'],
    ])('rejects %s = %s naming the range', async (setting, value, problem) => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await putSetting(adminToken, setting, value);

      expect(response.statusCode).toBe(400);
      expect(errorCode(response)).toBe('VALIDATION_FAILED');
      expect((response.json() as { error: { problem: string } }).error.problem).toContain(problem);
    });

    it('rejects an unknown setting by name', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await putSetting(adminToken, 'otp_ttl_seconds', 60);

      expect(response.statusCode).toBe(400);
      expect((response.json() as { error: { problem: string } }).error.problem).toContain('Unknown setting "otp_ttl_seconds"');
    });

    it('applies a new idle time-out without a restart', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const changed = await putSetting(adminToken, 'idle_timeout_minutes', 5);
      const read = await harness.app.inject({ method: 'GET', url: '/api/v1/admin/practice/settings', headers: sessionHeaders(adminToken) });

      expect(changed.statusCode).toBe(200);
      const settings = (read.json() as { settings: Record<string, { value: number }> }).settings;
      expect(settings.idle_timeout_minutes?.value).toBe(5);
      expect((await getSession(adminToken)).json()).toMatchObject({ idleTimeoutMinutes: 5 });
    });
    it('keeps the six-year audit minimum in the pane, without command-line advice', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const refused = await putSetting(adminToken, 'audit_retention_days', 100);
      const read = await harness.app.inject({ method: 'GET', url: '/api/v1/admin/practice/settings', headers: sessionHeaders(adminToken) });

      expect(refused.statusCode).toBe(400);
      const problem = (refused.json() as { error: { problem: string } }).error.problem;
      expect(problem).toContain('2190-day (six-year) minimum');
      expect(problem).toContain('only be set by the server command');
      expect(problem).not.toContain('--allow-below-minimum');
      const settings = (read.json() as { settings: Record<string, { min: number; max: number }> }).settings;
      expect(settings.audit_retention_days).toMatchObject({ min: 2190, max: 36_500 });
    });
  });

  describe('users', () => {
    it('lists and searches the practice users only', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const otherPractice = createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() });
      await addUser('Casey.Elsewhere', 'clinician', otherPractice.id);

      const all = await harness.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: sessionHeaders(adminToken) });
      const searched = await harness.app.inject({ method: 'GET', url: '/api/v1/admin/users?search=CASEY', headers: sessionHeaders(adminToken) });

      const allNames = (all.json() as { users: Array<{ username: string }> }).users.map((user) => user.username);
      expect(allNames.sort()).toEqual(['Casey.Clinician', 'Dana.Admin']);
      const searchedNames = (searched.json() as { users: Array<{ username: string }> }).users.map((user) => user.username);
      expect(searchedNames).toEqual(['Casey.Clinician']);
    });

    it('deactivates a user and ends their sessions', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const { token: clinicianToken } = await signInWithCode('casey.clinician', clinicianPassword);

      const response = await userAction(adminToken, harness.clinician.id, 'deactivate');

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ user: { status: 'deactivated' }, sessionsEnded: 1 });
      expect(errorCode(await getSession(clinicianToken))).toBe('SESSION_ACCOUNT_DEACTIVATED');
      expect(errorCode(await submitPassword(harness.app))).toBe('AUTH_ACCOUNT_DISABLED');
    });

    it('reactivates a deactivated user', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      await userAction(adminToken, harness.clinician.id, 'deactivate');

      const response = await userAction(adminToken, harness.clinician.id, 'reactivate');

      expect(response.json()).toMatchObject({ user: { status: 'active' } });
      expect((await submitPassword(harness.app)).statusCode).toBe(200);
    });

    it('unlocks a locked account', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      harness.db.prepare('UPDATE users SET lockout_level = 5, locked_until = NULL WHERE id = ?').run(harness.clinician.id);

      const response = await userAction(adminToken, harness.clinician.id, 'unlock');

      expect(response.json()).toMatchObject({ user: { isLocked: false } });
      const row = harness.db.prepare('SELECT lockout_level FROM users WHERE id = ?').get(harness.clinician.id) as { lockout_level: number };
      expect(row.lockout_level).toBe(0);
    });

    it('revokes sessions and remembered workstations', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const { token, deviceTrustToken } = await signInWithCode('casey.clinician', clinicianPassword, true);

      const response = await userAction(adminToken, harness.clinician.id, 'revoke-sessions');
      const next = await submitPassword(harness.app, { deviceTrustToken: deviceTrustToken ?? '' });

      expect(response.json()).toMatchObject({ sessionsEnded: 1 });
      expect(errorCode(await getSession(token))).toBe('SESSION_REVOKED_BY_ADMIN');
      expect((next.json() as { status: string }).status).toBe('mfa_required');
    });

    it('changes a role and audits it', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await putRole(adminToken, harness.clinician.id, 'billing');

      expect(response.json()).toMatchObject({ user: { role: 'billing' } });
      const row = harness.db.prepare("SELECT reason, details FROM audit_events WHERE event = 'user.changed'").get() as { reason: string; details: string };
      expect(row.reason).toBe('change_role');
      expect(JSON.parse(row.details)).toMatchObject({ oldValue: 'clinician', newValue: 'billing', targetUsername: 'Casey.Clinician' });
    });

    it('keeps the last admin from being demoted or deactivated', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const admin = harness.db.prepare("SELECT id FROM users WHERE username = 'Dana.Admin'").get() as { id: string };

      const demoted = await putRole(adminToken, admin.id, 'clinician');
      const deactivated = await userAction(adminToken, admin.id, 'deactivate');

      expect(demoted.statusCode).toBe(409);
      expect(errorCode(demoted)).toBe('USER_LAST_ADMIN');
      expect(errorCode(deactivated)).toBe('USER_LAST_ADMIN');
    });

    it('lets an admin step down while another admin remains', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      await addUser('Robin.Admin', 'practice_admin');
      const admin = harness.db.prepare("SELECT id FROM users WHERE username = 'Dana.Admin'").get() as { id: string };

      const demoted = await putRole(adminToken, admin.id, 'front_desk');

      expect(demoted.statusCode).toBe(200);
    });
  });

  describe('user creation', () => {
    function postUser(token: string, payload: object): Promise<LightMyRequestResponse> {
      return harness.app.inject({
        method: 'POST',
        url: '/api/v1/admin/users',
        payload,
        headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
      });
    }

    it('creates a user who sets their own password', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const created = await postUser(adminToken, newUser);

      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ username: 'Frankie.Desk', role: 'front_desk', status: 'active', mobile: '***-***-0077', isSetupPending: true });
      // The setup code flow itself is tested in account-setup.test.ts.
      expect(harness.email.messages.at(-1)).toMatchObject({ to: 'frankie@clinic.example', purpose: 'account_setup' });
      const audit = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'user.created'").get() as { details: string };
      expect(JSON.parse(audit.details)).toMatchObject({ targetUsername: 'Frankie.Desk', role: 'front_desk' });
    });

    it('rejects a taken username', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await postUser(adminToken, { ...newUser, username: 'CASEY.clinician' });

      expect(response.statusCode).toBe(409);
      expect(errorCode(response)).toBe('USER_USERNAME_TAKEN');
    });

    it('rejects an email another account uses', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await postUser(adminToken, { ...newUser, email: 'Casey@Clinic.example' });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: '/email' } });
    });

    it('rejects a mobile number not in E.164 form', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await postUser(adminToken, { ...newUser, mobile: '503 555 0142' });

      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: '/mobile' } });
    });

    it('edits a user name and email', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await harness.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${harness.clinician.id}`,
        payload: { displayName: 'Casey Rivera', email: 'casey.rivera@clinic.example' },
        headers: { ...sessionHeaders(adminToken), 'content-type': 'application/json' },
      });

      expect(response.statusCode).toBe(200);
      const row = harness.db.prepare('SELECT display_name, email FROM users WHERE id = ?').get(harness.clinician.id);
      expect(row).toEqual({ display_name: 'Casey Rivera', email: 'casey.rivera@clinic.example' });
    });
  });

  describe('user detail edits', () => {
    const newMobile = '+15035550142';

    function patchUser(token: string, userId: string, payload: object): Promise<LightMyRequestResponse> {
      return harness.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${userId}`,
        payload,
        headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
      });
    }

    function detailsAudit(): { details: string } {
      return harness.db.prepare("SELECT details FROM audit_events WHERE event = 'user.changed' AND reason = 'details_changed'").get() as { details: string };
    }

    it('texts the old number about a new mobile', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await patchUser(adminToken, harness.clinician.id, { mobile: newMobile });
      const [textNotice] = await harness.sms.waitForNotices(1);
      const [emailNotice] = await harness.email.waitForNotices(1);

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ user: { mobile: '***-***-0142' } });
      const changedContact = { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'practice_admin' };
      expect(textNotice).toMatchObject({ kind: 'contact_changed', to: '+15550100002', changedContact });
      expect(emailNotice).toMatchObject({ kind: 'contact_changed', to: 'casey@clinic.example', changedContact });
    });

    it('emails the old address about a new email', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await patchUser(adminToken, harness.clinician.id, { email: 'Casey.Rivera@clinic.example' });
      const [emailNotice] = await harness.email.waitForNotices(1);

      expect(response.statusCode).toBe(200);
      expect(emailNotice).toMatchObject({
        kind: 'contact_changed',
        to: 'casey@clinic.example',
        changedContact: { channel: 'email', changedBy: 'practice_admin' },
      });
      expect(harness.sms.notices).toHaveLength(0);
    });

    it('audits old and new contacts masked', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      await patchUser(adminToken, harness.clinician.id, { email: 'casey.rivera@clinic.example', mobile: newMobile });

      const row = detailsAudit();
      expect(JSON.parse(row.details)).toMatchObject({
        targetUsername: 'Casey.Clinician',
        oldEmail: maskEmail('casey@clinic.example'),
        email: maskEmail('casey.rivera@clinic.example'),
        oldMobile: '***-***-0002',
        mobile: '***-***-0142',
      });
      for (const fullValue of ['casey@clinic.example', 'casey.rivera@clinic.example', '+15550100002', newMobile]) {
        expect(row.details).not.toContain(fullValue);
      }
    });

    it('sends codes to an admin-set mobile at once', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      await patchUser(adminToken, harness.clinician.id, { mobile: newMobile });

      const challengeToken = await startChallenge(harness.app);
      const sent = await sendCode(harness.app, challengeToken, 'sms');

      expect(sent.statusCode).toBe(200);
      expect(harness.sms.messages.at(-1)).toMatchObject({ to: newMobile, purpose: 'sign_in' });
    });

    it('removes a mobile and moves codes to email', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      harness.db.prepare("UPDATE users SET preferred_channel = 'sms' WHERE id = ?").run(harness.clinician.id);

      const response = await patchUser(adminToken, harness.clinician.id, { mobile: null });
      const [textNotice] = await harness.sms.waitForNotices(1);

      expect(response.json()).toMatchObject({ user: { mobile: null } });
      expect(textNotice).toMatchObject({ to: '+15550100002', changedContact: { channel: 'sms', maskedNewValue: null } });
      const row = harness.db.prepare('SELECT mobile, preferred_channel FROM users WHERE id = ?').get(harness.clinician.id);
      expect(row).toEqual({ mobile: null, preferred_channel: 'email' });
    });

    it('sends no notice for a name change', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await patchUser(adminToken, harness.clinician.id, { displayName: 'Casey Rivera', mobile: '+15550100002' });
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(response.statusCode).toBe(200);
      expect(harness.sms.notices).toHaveLength(0);
      expect(harness.email.notices).toHaveLength(0);
    });

    it('answers at once while notices fail or hang', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      harness.sms.setNoticeBehavior('hang');
      harness.email.setNoticeBehavior('fail');

      const response = await patchUser(adminToken, harness.clinician.id, { mobile: newMobile });

      expect(response.statusCode).toBe(200);
      const row = harness.db.prepare('SELECT mobile FROM users WHERE id = ?').get(harness.clinician.id);
      expect(row).toEqual({ mobile: newMobile });
    });

    it('rejects an email another account uses', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await patchUser(adminToken, harness.clinician.id, { email: 'Dana.Admin@Clinic.example' });

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: '/email' } });
      expect((response.json() as { error: { problem: string } }).error.problem).toContain('Another account already uses this email address');
      expect(harness.email.notices).toHaveLength(0);
    });

    it.each([
      [{ email: 'not an address' }, '/email', 'Enter an email address like name@clinic.example.'],
      [{ mobile: '503 555 0142' }, '/mobile', 'Enter the mobile number in international form, like +15035550142.'],
      [{ displayName: '   ' }, '/displayName', "Enter the person's name, 1 to 100 characters."],
    ])('rejects %j with a clear problem', async (payload, field, problem) => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await patchUser(adminToken, harness.clinician.id, payload);

      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field, problem } });
    });
  });

  describe('trusted networks', () => {
    function putNetworks(token: string, networks: string[]): Promise<LightMyRequestResponse> {
      return harness.app.inject({
        method: 'PUT',
        url: '/api/v1/admin/practice/trusted-networks',
        payload: { networks },
        headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
      });
    }

    it('replaces the list and audits it', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await putNetworks(adminToken, ['203.0.113.7/24', '2001:db8::/48']);

      expect(response.json()).toEqual({ trustedNetworks: expect.arrayContaining(['203.0.113.0/24', '2001:db8::/48']) });
      const audit = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'settings.changed'").get() as { details: string };
      expect(JSON.parse(audit.details)).toMatchObject({ setting: 'trusted_networks', via: 'settings_pane' });
    });

    it('rejects a block that is not CIDR', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();

      const response = await putNetworks(adminToken, ['clinic wifi']);

      expect(response.statusCode).toBe(400);
      expect((response.json() as { error: { problem: string } }).error.problem).toContain('"clinic wifi" is not an IPv4 or IPv6 CIDR block');
    });
  });

  describe('access control', () => {
    type AdminEndpoint = { method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: object; notFoundCode?: string };

    /** Every route that needs `users:manage`; `notFoundCode` marks those that name a user of the practice. */
    const adminEndpoints = (userId: string, deviceId: string): AdminEndpoint[] => [
      { method: 'GET', url: '/api/v1/admin/practice/settings' },
      { method: 'PUT', url: '/api/v1/admin/practice/settings/require_mfa_always', payload: { value: true } },
      { method: 'GET', url: '/api/v1/admin/users' },
      { method: 'PUT', url: `/api/v1/admin/users/${userId}/role`, payload: { role: 'practice_admin' }, notFoundCode: 'USER_NOT_FOUND' },
      { method: 'POST', url: `/api/v1/admin/users/${userId}/deactivate`, notFoundCode: 'USER_NOT_FOUND' },
      { method: 'POST', url: `/api/v1/admin/users/${userId}/reactivate`, notFoundCode: 'USER_NOT_FOUND' },
      { method: 'POST', url: `/api/v1/admin/users/${userId}/unlock`, notFoundCode: 'USER_NOT_FOUND' },
      { method: 'POST', url: `/api/v1/admin/users/${userId}/revoke-sessions`, notFoundCode: 'USER_NOT_FOUND' },
      { method: 'PATCH', url: `/api/v1/admin/users/${userId}`, payload: { displayName: 'Renamed' }, notFoundCode: 'USER_NOT_FOUND' },
      { method: 'PATCH', url: `/api/v1/admin/users/${userId}`, payload: { email: 'taken.over@elsewhere.example', mobile: '+15035550199' }, notFoundCode: 'USER_NOT_FOUND' },
      { method: 'GET', url: `/api/v1/admin/users/${userId}/devices`, notFoundCode: 'DEVICE_NOT_FOUND' },
      { method: 'DELETE', url: `/api/v1/admin/users/${userId}/devices/${deviceId}`, notFoundCode: 'DEVICE_NOT_FOUND' },
      { method: 'POST', url: '/api/v1/admin/users', payload: newUser },
      { method: 'PUT', url: '/api/v1/admin/practice/trusted-networks', payload: { networks: ['203.0.113.0/24'] } },
      { method: 'GET', url: '/api/v1/audit/events' },
      { method: 'GET', url: '/api/v1/audit/events.csv' },
    ];

    function callEndpoint(token: string, endpoint: AdminEndpoint): Promise<LightMyRequestResponse> {
      return harness.app.inject({
        method: endpoint.method,
        url: endpoint.url,
        headers: { ...sessionHeaders(token), ...(endpoint.payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(endpoint.payload === undefined ? {} : { payload: endpoint.payload }),
      });
    }

    /** Signs the clinician in on a remembered workstation and returns that workstation's device-trust id. */
    async function rememberClinicianWorkstation(): Promise<string> {
      await signInWithCode('casey.clinician', clinicianPassword, true);
      return (harness.db.prepare('SELECT id FROM device_trusts WHERE user_id = ?').get(harness.clinician.id) as { id: string }).id;
    }

    function clinicianState(): unknown {
      return {
        user: harness.db.prepare('SELECT role, status, display_name, email, mobile FROM users WHERE id = ?').get(harness.clinician.id),
        activeTrusts: (harness.db.prepare('SELECT COUNT(*) AS count FROM device_trusts WHERE user_id = ? AND revoked_at IS NULL').get(harness.clinician.id) as { count: number }).count,
        activeSessions: (harness.db.prepare('SELECT COUNT(*) AS count FROM sessions WHERE user_id = ? AND ended_at IS NULL').get(harness.clinician.id) as { count: number }).count,
      };
    }

    it('rejects every admin endpoint for a non-admin', async () => {
      harness = await createHarness();
      const deviceId = await rememberClinicianWorkstation();
      const before = clinicianState();
      await addUser('Frankie.Desk', 'front_desk');
      const { token } = await signInWithCode('frankie.desk', adminPassword);

      for (const endpoint of adminEndpoints(harness.clinician.id, deviceId)) {
        const response = await callEndpoint(token, endpoint);

        expect(response.statusCode, `${endpoint.method} ${endpoint.url}`).toBe(403);
        expect(errorCode(response), `${endpoint.method} ${endpoint.url}`).toBe('AUTH_FORBIDDEN');
      }
      const practice = harness.db.prepare('SELECT require_mfa_always FROM practices WHERE id = ?').get(harness.practice.id) as {
        require_mfa_always: number;
      };
      expect(practice.require_mfa_always).toBe(0);
      expect(clinicianState()).toEqual(before);
      expect(harness.db.prepare("SELECT COUNT(*) AS count FROM users WHERE username = 'Frankie.Desk'").get()).toEqual({ count: 1 });
      expect(harness.sms.notices).toHaveLength(0);
    });

    it('rejects user actions by an admin of another practice', async () => {
      harness = await createHarness();
      const deviceId = await rememberClinicianWorkstation();
      const before = clinicianState();
      const otherPractice = createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() });
      const otherAdminToken = await signInAdmin('Olive.Admin', otherPractice.id);

      const userEndpoints = adminEndpoints(harness.clinician.id, deviceId).filter((endpoint) => endpoint.notFoundCode !== undefined);
      for (const endpoint of userEndpoints) {
        const response = await callEndpoint(otherAdminToken, endpoint);

        expect(response.statusCode, `${endpoint.method} ${endpoint.url}`).toBe(404);
        expect(errorCode(response), `${endpoint.method} ${endpoint.url}`).toBe(endpoint.notFoundCode);
      }
      expect(userEndpoints).toHaveLength(9);
      expect(clinicianState()).toEqual(before);
      expect(harness.sms.notices).toHaveLength(0);
    });

    it('scopes settings to the admin practice', async () => {
      harness = await createHarness();
      const otherPractice = createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() });
      const otherAdminToken = await signInAdmin('Olive.Admin', otherPractice.id);

      const read = await harness.app.inject({ method: 'GET', url: '/api/v1/admin/practice/settings', headers: sessionHeaders(otherAdminToken) });
      await putSetting(otherAdminToken, 'require_mfa_always', true);

      expect((read.json() as { practice: { name: string } }).practice.name).toBe('Hillside Naturopathy');
      const rows = harness.db.prepare('SELECT name, require_mfa_always FROM practices ORDER BY name').all();
      expect(rows).toEqual([
        { name: 'Hillside Naturopathy', require_mfa_always: 1 },
        { name: 'Riverside Acupuncture', require_mfa_always: 0 },
      ]);
    });

    it('scopes trusted networks and new users to the admin practice', async () => {
      harness = await createHarness();
      const otherPractice = createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() });
      const otherAdminToken = await signInAdmin('Olive.Admin', otherPractice.id);
      harness.db
        .prepare('INSERT INTO practice_trusted_networks (practice_id, network, created_at) VALUES (?, ?, ?)')
        .run(harness.practice.id, '198.51.100.0/24', harness.clock.now());

      const networks = await callEndpoint(otherAdminToken, { method: 'PUT', url: '/api/v1/admin/practice/trusted-networks', payload: { networks: [] } });
      const created = await callEndpoint(otherAdminToken, { method: 'POST', url: '/api/v1/admin/users', payload: newUser });

      expect(networks.statusCode).toBe(200);
      const riversideNetworks = harness.db.prepare('SELECT network FROM practice_trusted_networks WHERE practice_id = ?').all(harness.practice.id);
      expect(riversideNetworks).toEqual([{ network: '198.51.100.0/24' }]);
      expect(created.statusCode).toBe(201);
      const createdUser = harness.db.prepare("SELECT practice_id FROM users WHERE username = 'Frankie.Desk'").get() as { practice_id: string };
      expect(createdUser.practice_id).toBe(otherPractice.id);
    });

    it('returns the role permissions with the session', async () => {
      harness = await createHarness();
      const adminToken = await signInAdmin();
      const { token: clinicianToken } = await signInWithCode('casey.clinician', clinicianPassword);

      const admin = (await getSession(adminToken)).json() as { user: { permissions: string[] } };
      const clinician = (await getSession(clinicianToken)).json() as { user: { permissions: string[] } };

      expect(admin.user.permissions).toEqual(expect.arrayContaining(['practice:settings', 'users:manage', 'audit:read']));
      expect(clinician.user.permissions).not.toContain('practice:settings');
      expect(clinician.user.permissions).not.toContain('users:manage');
    });
  });
});
