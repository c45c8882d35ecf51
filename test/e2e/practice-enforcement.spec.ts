import { expect, test } from '@playwright/test';
import { startDemoStack, type DemoStack } from './helpers/demo-stack';
import { enterCode, readEmailedCode, readTextedCode, submitPassword, trustServer } from './helpers/screens';

let stack: DemoStack;

test.beforeAll(async () => {
  stack = await startDemoStack();
});

test.afterAll(async () => {
  await stack?.stop();
});

// The front-desk app learns that its session ended from the agent's background session check,
// which runs every 30 seconds, so the sign-in screen may take that long to appear.
test('enforcement ends a session made without a code', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const reception = await stack.startWorkstation('reception');
  await page.goto(reception.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');
  await enterCode(page, await readTextedCode(stack, '+15550100003'));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Practice settings' })).toHaveCount(0);

  const office = await stack.startWorkstation('admin-office');
  const adminPage = await browser.newPage();
  await adminPage.goto(office.url);
  await trustServer(adminPage, stack);
  await submitPassword(adminPage, 'demo.admin', 'demo-admin-pass');
  await enterCode(adminPage, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await adminPage.getByRole('button', { name: 'Practice settings' }).click();
  const enforcement = adminPage.getByLabel('Require MFA for every sign-in');

  // Turning enforcement on signs people out, so it needs a confirmation, and "Keep it off" changes nothing.
  await enforcement.click();
  const confirmation = adminPage.getByRole('alertdialog', { name: 'Require a code at every sign-in?' });
  await expect(confirmation).toContainText('who signed in without a code is signed out at once');
  await expect(enforcement).not.toBeChecked();
  await confirmation.getByRole('button', { name: 'Keep it off' }).click();
  await expect(confirmation).toHaveCount(0);
  await expect(enforcement).not.toBeChecked();
  await expect(enforcement).toBeFocused();

  await enforcement.click();
  await confirmation.getByRole('button', { name: 'Require a code and sign them out' }).click();

  const enforcementResult = adminPage.getByRole('status').filter({ hasText: 'A code is now required at every sign-in.' });
  await expect(enforcementResult).toHaveText('A code is now required at every sign-in. 1 session made without a code was ended.');
  await expect(enforcementResult).toBeFocused();
  await expect(enforcement).toBeChecked();
  await expect(page.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible({ timeout: 45_000 });
  await expect(page.getByText('Your practice now requires a code at every sign-in, so you were signed out.')).toBeVisible();
  // The reason for the sign-out is no typing mistake, so the empty fields are not flagged.
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'false');

  // A submit without the password flags only the password.
  await page.getByLabel('Username').fill('demo.frontdesk');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'false');

  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');
  await expect(page.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await expect(page.getByText('Your practice requires a code at every sign-in.')).toBeVisible();
  await expect(page.getByLabel('Remember this workstation')).toBeChecked();
  await expect(page.getByText('Your practice currently requires a code at every sign-in, even on a remembered workstation')).toBeVisible();
  await enterCode(page, await readTextedCode(stack, '+15550100003'));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await expect(page.getByText('This workstation is remembered, but your practice currently requires a code at every sign-in')).toBeVisible();
  await expect(page.getByText('you may not need a code')).toHaveCount(0);

  await adminPage.getByRole('button', { name: 'Back' }).click();
  await adminPage.getByRole('button', { name: 'Audit log' }).click();
  await adminPage.getByLabel('Event').selectOption('settings.changed');
  await adminPage.getByRole('button', { name: 'Apply filters' }).click();
  const toggleRow = adminPage.getByRole('row').filter({ hasText: 'Setting changed' });
  await expect(toggleRow).toHaveCount(1);
  await expect(toggleRow).toContainText('demo.admin');
  await expect(toggleRow).toContainText('require_mfa_always');

  await adminPage.close();
  await office.stop();
  await reception.stop();
});

test('front desk sees no administration buttons', async ({ page }) => {
  const workstation = await stack.startWorkstation('front-counter');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');
  await enterCode(page, await readTextedCode(stack, '+15550100003'));

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Users' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Practice settings' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Profile' })).toBeVisible();
  await workstation.stop();
});
