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

test('security pane sets stricter code limits', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const office = await stack.startWorkstation('admin-office');
  await page.goto(office.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await enterCode(page, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await page.getByRole('button', { name: 'Practice settings' }).click();

  await expect(page.getByRole('heading', { name: 'Codes and lockouts' })).toBeVisible();
  await expect(page.getByText('From 1 to 5 codes. After this many wrong codes')).toBeVisible();
  const wrongCodes = page.getByLabel('Wrong codes before a new code is needed (codes)');
  await expect(wrongCodes).toHaveValue('5');

  await wrongCodes.fill('6');
  await page.getByRole('button', { name: 'Save wrong codes before a new code is needed' }).click();
  await expect(page.locator('form').filter({ has: wrongCodes }).getByRole('alert')).toContainText(
    'Wrong codes before a new code is needed: enter a whole number from 1 to 5 codes. 6 is looser than the safe floor of 5',
  );

  await wrongCodes.fill('2');
  await page.getByRole('button', { name: 'Save wrong codes before a new code is needed' }).click();
  await expect(page.getByText('Wrong codes before a new code is needed is now 2 codes.')).toBeVisible();

  // Far down the page, a refused value keeps its text, is flagged, takes focus and has the message beside it.
  const lockout = page.getByLabel('Wrong codes in a row before the account locks (codes)');
  const lockoutForm = page.locator('form').filter({ has: lockout });
  const saveLockout = page.getByRole('button', { name: 'Save wrong codes in a row before the account locks' });
  await lockout.fill('12');
  await saveLockout.click();
  await expect(lockoutForm.getByRole('alert')).toContainText(
    'Wrong codes in a row before the account locks: enter a whole number from 3 to 10 codes. 12 is looser than the safe floor of 10',
  );
  await expect(lockoutForm.getByRole('alert')).toBeInViewport();
  await expect(lockout).toBeFocused();
  await expect(lockout).toHaveValue('12');
  await expect(lockout).toHaveAttribute('aria-invalid', 'true');
  await expect(lockout).toHaveAttribute('aria-describedby', /setting-wrong_codes_per_account_lockout-result/);
  await expect(page.getByText(/[a-z]+_[a-z]+_[a-z]+/)).toHaveCount(0);

  await lockout.fill('ten');
  await saveLockout.click();
  await expect(lockoutForm.getByRole('alert')).toHaveText('Wrong codes in a row before the account locks: enter a whole number from 3 to 10 codes.');

  await lockout.fill('9');
  await saveLockout.click();
  await expect(lockoutForm.getByRole('status')).toHaveText('Wrong codes in a row before the account locks is now 9 codes.');
  await expect(lockoutForm.getByRole('status')).toBeFocused();
  await expect(lockout).toHaveAttribute('aria-invalid', 'false');

  const reception = await stack.startWorkstation('reception');
  const receptionPage = await browser.newPage();
  await receptionPage.goto(reception.url);
  await trustServer(receptionPage, stack);
  await submitPassword(receptionPage, 'demo.frontdesk', 'demo-frontdesk-pass');
  const code = await readTextedCode(stack, '+15550100003');
  const wrongCode = code === '123456' ? '654321' : '123456';
  await enterCode(receptionPage, wrongCode);
  await expect(receptionPage.getByRole('alert')).toContainText('That code is not correct.');
  await enterCode(receptionPage, wrongCode);
  await expect(receptionPage.getByRole('alert')).toContainText('Too many wrong codes. Send a new code to try again.');

  await receptionPage.close();
  await reception.stop();

  // The field shows the networks as the server stored them, with the host bits cleared.
  const networks = page.getByLabel('Trusted networks');
  const networksForm = page.locator('form').filter({ has: networks });
  await networks.fill('203.0.113.5/24');
  await page.getByRole('button', { name: 'Save trusted networks' }).click();
  await expect(networksForm.getByRole('status')).toContainText('Trusted networks saved: 203.0.113.0/24.');
  await expect(networks).toHaveValue('203.0.113.0/24');

  await networks.fill('office');
  await page.getByRole('button', { name: 'Save trusted networks' }).click();
  await expect(networksForm.getByRole('alert')).toContainText('Trusted networks: "office" is not an IPv4 or IPv6 CIDR block');
  await expect(networks).toHaveAttribute('aria-invalid', 'true');
  await expect(networks).toBeFocused();

  await networks.fill('');
  await page.getByRole('button', { name: 'Save trusted networks' }).click();
  await expect(networksForm.getByRole('status')).toHaveText('The practice has no trusted networks now.');
  await office.stop();
});
