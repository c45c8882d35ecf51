import { readFile } from 'node:fs/promises';
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

test('administrator filters, sorts and exports the audit log', async ({ page }) => {
  const workstation = await stack.startWorkstation('admin-office');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await submitPassword(page, 'no.such.user', 'a wrong password');
  await expect(page.getByText('The username or password is incorrect.')).toBeVisible();
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await enterCode(page, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();

  await page.getByRole('button', { name: 'Audit log' }).click();

  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const timeHeader = page.getByRole('columnheader', { name: 'Time' });
  await expect(timeHeader).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByRole('cell', { name: 'Session created' }).first()).toBeVisible();

  await page.getByLabel('Outcome').selectOption('failure');
  await page.getByLabel('Event').selectOption('password.rejected');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('cell', { name: 'no.such.user' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Session created' })).toHaveCount(0);

  await page.getByRole('button', { name: 'User' }).click();
  await expect(page.getByRole('columnheader', { name: 'User' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(timeHeader).toHaveAttribute('aria-sort', 'none');
  await expect(page.getByRole('button', { name: 'Next page' })).toBeDisabled();

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloadPromise;
  const csv = await readFile(await download.path(), 'utf8');
  expect(download.suggestedFilename()).toMatch(/^clinicgate-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(csv.split('\r\n')[0]).toBe('id,occurred_at_utc,event,outcome,username,ip,device,reason,details');
  expect(csv).toContain('no.such.user');
  expect(csv).not.toContain('session.created');

  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await workstation.stop();
});

test('clinician sees no audit log button', async ({ page }) => {
  const workstation = await stack.startWorkstation('exam-room');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.clinician', 'demo-clinician-pass');
  await enterCode(page, await readEmailedCode(stack, 'clinician@demo-clinic.example'));

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Audit log' })).toHaveCount(0);
  await workstation.stop();
});

// The agent and the server run on real time, so this test waits out a one-minute idle period:
// the warning appears after 30 seconds (half of a period shorter than two minutes), the lock 30 seconds later.
test('locks after the idle period with a warning first', async ({ page }) => {
  test.setTimeout(180_000);
  await stack.runServerCommand(['set-practice-setting', '--practice', 'Demo Clinic', '--setting', 'idle_timeout_minutes', '--value', '1']);
  const workstation = await stack.startWorkstation('reception');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');
  await page.getByLabel('Verification code').fill(await readTextedCode(stack, '+15550100003'));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();

  const warning = page.getByRole('alertdialog');
  await expect(warning).toBeVisible({ timeout: 45_000 });
  await expect(warning).toContainText(/You will be signed out in \d+ seconds because of inactivity\./);
  await page.keyboard.press('Shift');
  await expect(warning).toBeHidden();

  await expect(warning).toBeVisible({ timeout: 45_000 });
  await expect(page.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible({ timeout: 45_000 });
  await expect(page.getByText('You were signed out after 1 minute without activity.')).toBeVisible();
  await expect(page.getByText('Frankie Front Desk')).toHaveCount(0);

  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await workstation.stop();
});
