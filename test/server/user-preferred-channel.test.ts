import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { callAsUser, signInPracticeAdmin } from './support/admin-steps';
import { createHarness, submitPassword, type Harness } from './support/harness';

const newMobile = '+15035550142';

describe('preferred channel in admin replies', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  function patchClinician(adminToken: string, payload: object): Promise<LightMyRequestResponse> {
    return callAsUser(harness, adminToken, { method: 'PATCH', url: `/api/v1/admin/users/${harness.clinician.id}`, payload });
  }

  it('stays email after a mobile is added back', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    harness.db.prepare("UPDATE users SET preferred_channel = 'sms' WHERE id = ?").run(harness.clinician.id);

    const removed = await patchClinician(adminToken, { mobile: null });
    const added = await patchClinician(adminToken, { mobile: newMobile });

    expect(removed.json()).toMatchObject({ user: { mobile: null, preferredChannel: 'email' } });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ user: { mobile: '***-***-0142', preferredChannel: 'email', email: expect.stringContaining('@clinic.example') } });
  });

  it('matches the channel the code screen offers first', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    harness.db.prepare("UPDATE users SET preferred_channel = 'sms' WHERE id = ?").run(harness.clinician.id);
    await patchClinician(adminToken, { mobile: null });
    const added = await patchClinician(adminToken, { mobile: newMobile });

    const passwordStep = await submitPassword(harness.app);

    const reply = added.json() as { user: { preferredChannel: string } };
    const challenge = (passwordStep.json() as { challenge: { preferredChannel: string } }).challenge;
    expect(reply.user.preferredChannel).toBe(challenge.preferredChannel);
  });

  it('lists each user with their preferred channel', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    harness.db.prepare("UPDATE users SET preferred_channel = 'sms' WHERE id = ?").run(harness.clinician.id);

    const listed = await callAsUser(harness, adminToken, { method: 'GET', url: '/api/v1/admin/users?search=casey' });

    expect(listed.json()).toEqual({ users: [expect.objectContaining({ username: 'Casey.Clinician', preferredChannel: 'sms', mobile: '***-***-0002' })] });
  });
});
