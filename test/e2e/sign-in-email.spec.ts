import { expect, test } from '@playwright/test';
import { startDemoStack, type DemoStack } from './helpers/demo-stack';
import { enterCode, isCodeEmail, readEmailedCode, submitPassword, trustServer } from './helpers/screens';

let stack: DemoStack;

test.beforeAll(async () => {
  stack = await startDemoStack();
});

test.afterAll(async () => {
  await stack?.stop();
});

test('emailed code signs in, remembered workstation skips it', async ({ page }) => {
  const workstation = await stack.startWorkstation('front-desk-1');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await expect(page.getByText('keeps your sign-in in memory only')).toHaveCount(0);

  await submitPassword(page, 'demo.clinician', 'demo-clinician-pass');

  await expect(page.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await expect(page.getByText('This workstation is not remembered for your account')).toBeVisible();
  await expect(page.getByText('c•••@demo-clinic.example')).toBeVisible();
  const code = await readEmailedCode(stack, 'clinician@demo-clinic.example');
  await expect(page.getByLabel('Remember this workstation')).toBeChecked();
  await enterCode(page, code);

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await expect(page.getByText('Clinician', { exact: true })).toBeVisible();
  await expect(page.getByText('Demo Clinic')).toBeVisible();
  await expect(page.getByText(/Session expires at/)).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  const codeEmailsBeforeSecondSignIn = stack.smtp.messages.filter(isCodeEmail).length;
  await submitPassword(page, 'demo.clinician', 'demo-clinician-pass');

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  expect(stack.smtp.messages.filter(isCodeEmail).length).toBe(codeEmailsBeforeSecondSignIn);
  await workstation.stop();
});

test('rejects a wrong code and tells how many attempts are left', async ({ page }) => {
  const workstation = await stack.startWorkstation('exam-room-2');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  const code = await readEmailedCode(stack, 'admin@demo-clinic.example');
  const wrongCode = code === '000000' ? '111111' : '000000';

  await enterCode(page, wrongCode);

  await expect(page.getByText('4 attempts left')).toBeVisible();
  await enterCode(page, code);
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await workstation.stop();
});

test('asks for a code again on another workstation', async ({ page }) => {
  const workstation = await stack.startWorkstation('back-office-3');
  await page.goto(workstation.url);
  await trustServer(page, stack);

  await submitPassword(page, 'demo.clinician', 'demo-clinician-pass');

  await expect(page.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await expect(page.getByText('This workstation is not remembered for your account')).toBeVisible();
  await workstation.stop();
});

test('five wrong codes lock the challenge until a new code', async ({ page }) => {
  const workstation = await stack.startWorkstation('billing-4');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  const firstCode = await readEmailedCode(stack, 'admin@demo-clinic.example');
  await expect(page.getByRole('button', { name: /Resend code in \d+ s/ })).toBeDisabled();
  const wrongCode = firstCode === '000000' ? '111111' : '000000';

  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await enterCode(page, wrongCode);
    await expect(page.getByRole('alert')).toBeVisible();
  }
  await expect(page.getByText('Too many wrong codes. Send a new code to try again.')).toBeVisible();
  await page.getByLabel('Verification code').fill(firstCode);
  await expect(page.getByRole('button', { name: 'Verify' })).toBeDisabled();

  // The resend cooldown (30 s from the first code) still applies to a locked challenge.
  await page.getByRole('button', { name: 'Send a new code' }).click({ timeout: 45_000 });
  const secondCode = await readEmailedCode(stack, 'admin@demo-clinic.example');
  await enterCode(page, secondCode);

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await workstation.stop();
});
