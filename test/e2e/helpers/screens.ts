import { expect, type Page } from '@playwright/test';
import { extractCode } from '../../helpers/extract-code';
import type { DemoStack } from './demo-stack';

/**
 * Goes through the first-run screen: enters the server address and trusts its certificate.
 * `serverUrl` points the workstation elsewhere, such as a reverse proxy presenting the server's certificate.
 */
export async function trustServer(page: Page, stack: DemoStack, serverUrl = stack.serverUrl): Promise<void> {
  await page.getByLabel('Server address').fill(serverUrl);
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

/**
 * Reads the next code email for `address` from the SMTP server on loopback. Security notices to
 * the same address (a remembered workstation, an unusual-location sign-in) are skipped.
 */
export async function readEmailedCode(stack: DemoStack, address: string): Promise<string> {
  for (;;) {
    const message = await stack.smtp.waitForMessage(address);
    if (isCodeEmail(message)) {
      return extractCode(message.text);
    }
  }
}

/** Tells code emails from security notices by their subject. */
export function isCodeEmail(message: { subject: string }): boolean {
  return message.subject.startsWith('Your ClinicGate ');
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
