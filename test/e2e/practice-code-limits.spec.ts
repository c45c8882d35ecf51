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
  await expect(page.getByRole('alert')).toContainText(
    'wrong_codes_per_challenge: expected a whole number from 1 to 5, got "6". 6 is looser than the safe floor of 5',
  );

  await wrongCodes.fill('2');
  await page.getByRole('button', { name: 'Save wrong codes before a new code is needed' }).click();
  await expect(page.getByText('Wrong codes before a new code is needed is now 2 codes.')).toBeVisible();

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
  await office.stop();
});
