import { afterEach, describe, expect, it } from 'vitest';
import { maxSmsTextLength } from '../../server/src/delivery/code-message-text';
import { createSmsDeliverer } from '../../server/src/delivery/sms-deliverer';
import { startSmsProviderSink, type SmsProviderSink } from '../helpers/sms-provider-sink';
import { callAsUser, signInWithEmailCode } from './support/admin-steps';
import { clinicianPassword, createHarness, type Harness } from './support/harness';

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'contact-change-text-token';
const newMobile = '+15035550142';

describe('contact change code text', () => {
  let harness: Harness;
  let sink: SmsProviderSink;

  afterEach(async () => {
    await harness.close();
    await sink.close();
  });

  it('says the text confirms the new mobile', async () => {
    sink = await startSmsProviderSink({ accountSid, authToken });
    const smsDeliverer = createSmsDeliverer({ baseUrl: sink.baseUrl, accountSid, authToken, fromNumber: '+15550109999', timeoutMs: 5_000 });
    harness = await createHarness({ smsDeliverer });
    const { token } = await signInWithEmailCode(harness, { username: 'casey.clinician', password: clinicianPassword });

    const started = await callAsUser(harness, token, {
      method: 'POST',
      url: '/api/v1/profile/contact',
      payload: { channel: 'sms', value: newMobile, currentPassword: clinicianPassword },
    });
    const text = await sink.waitForMessage(newMobile);

    expect(started.statusCode).toBe(200);
    expect(text.body).toMatch(/^Your ClinicGate code to confirm your new mobile number for Riverside Acupuncture is \d{6}\. /);
    expect(text.body.length).toBeLessThanOrEqual(maxSmsTextLength);
  });
});
