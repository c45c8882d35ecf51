import { expect, test } from '@playwright/test';
import { startDemoStack, type DemoStack } from './helpers/demo-stack';
import { enterCode, readEmailedCode, submitPassword, trustServer } from './helpers/screens';

const clinicianEmail = 'clinician@demo-clinic.example';
const oldPassword = 'demo-clinician-pass';
const newPassword = 'violet harbor lantern 58';
// A short background check, so the other workstation notices the ended session within seconds.
const quickSessionCheck = { CLINICGATE_SESSION_CHECK_SECONDS: '2' };

let stack: DemoStack;

test.beforeAll(async () => {
  stack = await startDemoStack();
});

test.afterAll(async () => {
  await stack?.stop();
});

test('resets the password by emailed code and signs out the other workstation', async ({ context }) => {
  const examRoom = await stack.startWorkstation('exam-room-5', quickSessionCheck);
  const frontDesk = await stack.startWorkstation('front-desk-6', quickSessionCheck);
  const signedInPage = await context.newPage();
  const resetPage = await context.newPage();

  // The clinician is signed in at the exam room.
  await signedInPage.goto(examRoom.url);
  await trustServer(signedInPage, stack);
  await submitPassword(signedInPage, 'demo.clinician', oldPassword);
  await enterCode(signedInPage, await readEmailedCode(stack, clinicianEmail));
  await expect(signedInPage.getByRole('heading', { name: 'Signed in' })).toBeVisible();

  // At the front desk, "Forgot password?" asks for the email; case and spaces do not matter.
  await resetPage.goto(frontDesk.url);
  await trustServer(resetPage, stack);
  await resetPage.getByRole('button', { name: 'Forgot password?' }).click();
  await resetPage.getByLabel('Email address').fill('  Clinician@Demo-Clinic.example ');
  await resetPage.getByRole('button', { name: 'Email me a code' }).click();
  await expect(resetPage.getByRole('heading', { name: 'Enter your password reset code' })).toBeVisible();
  await expect(resetPage.getByText('c•••@demo-clinic.example')).toBeVisible();

  let resetEmail = await stack.smtp.waitForMessage(clinicianEmail);
  // The exam room's "workstation remembered" notice went to the same address first.
  while (!resetEmail.subject.includes('password reset code')) {
    resetEmail = await stack.smtp.waitForMessage(clinicianEmail);
  }
  expect(resetEmail.text).toContain('If you did not ask to reset your password');
  const code = /(?<!\d)\d{6}(?!\d)/.exec(resetEmail.text)?.[0] ?? '';
  await resetPage.getByLabel('Password reset code', { exact: true }).fill(code);
  await resetPage.getByRole('button', { name: 'Verify' }).click();

  // The new password form lists the rules and gives a strength hint while typing.
  await expect(resetPage.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expect(resetPage.getByText('At least 12 characters')).toBeVisible();
  await resetPage.getByLabel('New password', { exact: true }).fill('password1234');
  await expect(resetPage.getByText(/Strength: (Very weak|Weak)\./)).toBeVisible();
  await resetPage.getByLabel('Confirm new password').fill('password1234');
  await resetPage.getByRole('button', { name: 'Set new password' }).click();
  await expect(resetPage.getByText('That password is on the list of common and breached passwords')).toBeVisible();

  await resetPage.getByLabel('New password', { exact: true }).fill(newPassword);
  await expect(resetPage.getByText('Strength: Very strong.')).toBeVisible();
  await resetPage.getByLabel('Confirm new password').fill(newPassword);
  await resetPage.getByRole('button', { name: 'Set new password' }).click();

  // The reset signs no one in, so the front desk is back at sign-in with a success message.
  await expect(resetPage.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible();
  await expect(resetPage.getByText('Your password was changed. Every session and remembered workstation was signed out.')).toBeVisible();

  // The exam room app notices its ended session in the background and returns to sign-in.
  await expect(signedInPage.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible({ timeout: 10_000 });
  await expect(signedInPage.getByText('Your password was changed, so you were signed out.')).toBeVisible();

  // The old password no longer works; the new one does, with a code as usual.
  await submitPassword(signedInPage, 'demo.clinician', oldPassword);
  await expect(signedInPage.getByText('The username or password is incorrect.')).toBeVisible();
  await submitPassword(resetPage, 'demo.clinician', newPassword);
  await expect(resetPage.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await enterCode(resetPage, await readEmailedCode(stack, clinicianEmail));
  await expect(resetPage.getByRole('heading', { name: 'Signed in' })).toBeVisible();

  await examRoom.stop();
  await frontDesk.stop();
});

test('changes the password while signed in', async ({ page }) => {
  const workstation = await stack.startWorkstation('billing-7');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await enterCode(page, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();

  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByLabel('Current password').fill('not the current one');
  await page.getByLabel('New password', { exact: true }).fill('amber meadow kettle 93');
  await page.getByLabel('Confirm new password').fill('amber meadow kettle 93');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('The current password is incorrect.')).toBeVisible();

  await page.getByLabel('Current password').fill('demo-admin-pass');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();

  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await submitPassword(page, 'demo.admin', 'amber meadow kettle 93');
  await expect(page.getByRole('heading', { name: /Signed in|Enter your verification code/ })).toBeVisible();
  await workstation.stop();
});
