/// <reference lib="dom" />
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

test('signs in with a code sent through the SMS provider', async ({ page }) => {
  const workstation = await stack.startWorkstation('front-desk-1');
  await page.goto(workstation.url);
  await trustServer(page, stack);

  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');

  await expect(page.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await expect(page.getByText('***-***-0003')).toBeVisible();
  const code = await readTextedCode(stack, '+15550100003');
  await enterCode(page, code);

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await expect(page.getByText('Front desk', { exact: true })).toBeVisible();
  await workstation.stop();
});

test('offers email when the SMS provider fails, and the emailed code works', async ({ page }) => {
  const workstation = await stack.startWorkstation('front-desk-2');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  stack.sms.setFailure('server-error');

  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');

  await expect(page.getByRole('alert')).toContainText('could not be sent');
  await page.getByRole('button', { name: 'Send by email instead' }).click();
  const code = await readEmailedCode(stack, 'frontdesk@demo-clinic.example');
  await enterCode(page, code);
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  stack.sms.setFailure('none');
  await workstation.stop();
});

test('completes sign-in with the keyboard alone, and every control has a label', async ({ page }) => {
  const workstation = await stack.startWorkstation('front-desk-3');
  await page.goto(workstation.url);
  await trustServer(page, stack);
  await expect(page.getByLabel('Username')).toBeFocused();

  await page.keyboard.type('demo.frontdesk');
  await page.keyboard.press('Tab');
  await page.keyboard.type('demo-frontdesk-pass');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Verification code')).toBeFocused();
  expect(await findUnlabelledControls(page)).toEqual([]);
  const code = await readTextedCode(stack, '+15550100003');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  expect(await findUnlabelledControls(page)).toEqual([]);
  await workstation.stop();
});

/** Lists inputs and buttons that have no accessible name, described by their HTML. */
function findUnlabelledControls(page: import('@playwright/test').Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('input, button, select, textarea'))
      .filter((control) => {
        const labelled =
          (control as HTMLInputElement).labels?.length ||
          control.getAttribute('aria-label') ||
          control.getAttribute('aria-labelledby');
        const named = control.tagName === 'BUTTON' && control.textContent?.trim();
        return !labelled && !named;
      })
      .map((control) => control.outerHTML.slice(0, 120)),
  );
}
