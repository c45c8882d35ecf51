import { expect, type Page } from '@playwright/test';
import { extractCode } from '../../helpers/extract-code';
import type { DemoStack } from './demo-stack';

/** Goes through the first-run screen: enters the server address and trusts its certificate. */
export async function trustServer(page: Page, stack: DemoStack): Promise<void> {
  await page.getByLabel('Server address').fill(stack.serverUrl);
  await page.getByRole('button', { name: 'Connect' }).click();

  await expect(page.getByLabel('Certificate fingerprint')).toContainText(stack.serverFingerprint.slice(0, 11));
  const shown = (await page.getByLabel('Certificate fingerprint').innerText()).replace(/\s+/g, '');
  expect(shown.replace(/:/g, '')).toBe(stack.serverFingerprint.replace(/:/g, ''));
  await page.getByRole('button', { name: 'Trust this server' }).click();

  await expect(page.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible();
}

export async function submitPassword(page: Page, username: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Reads the newest code for `address` from the SMTP server on loopback. */
export async function readEmailedCode(stack: DemoStack, address: string): Promise<string> {
  const message = await stack.smtp.waitForMessage(address);
  return extractCode(message.text);
}

/** Reads the newest code for `mobile` from the SMS provider stand-in. */
export async function readTextedCode(stack: DemoStack, mobile: string): Promise<string> {
  const message = await stack.sms.waitForMessage(mobile);
  return extractCode(message.body);
}

export async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Verification code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}
