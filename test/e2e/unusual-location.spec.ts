import { expect, test } from '@playwright/test';
import { startDemoStack, type DemoStack } from './helpers/demo-stack';
import { startForwardingProxy, type ForwardingProxy } from './helpers/forwarding-proxy';
import { enterCode, readEmailedCode, submitPassword, trustServer } from './helpers/screens';

// DB-IP places this address in London, England; it only ever appears in a header.
const londonAddress = '81.2.69.142';

let stack: DemoStack;
let proxy: ForwardingProxy;

test.beforeAll(async () => {
  stack = await startDemoStack({ serverEnv: { CLINICGATE_TRUSTED_PROXIES: '127.0.0.1/32' } });
  proxy = await startForwardingProxy({ serverUrl: stack.serverUrl, serverDataDir: stack.serverDataDir });
});

test.afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
});

test('remembered workstation abroad is asked for a code', async ({ page }) => {
  const workstation = await stack.startWorkstation('telehealth-laptop');
  await page.goto(workstation.url);
  await trustServer(page, stack, proxy.url);
  await submitPassword(page, 'demo.clinician', 'demo-clinician-pass');
  await enterCode(page, await readEmailedCode(stack, 'clinician@demo-clinic.example'));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  await submitPassword(page, 'demo.clinician', 'demo-clinician-pass');

  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();

  proxy.forwardedFor = londonAddress;
  await submitPassword(page, 'demo.clinician', 'demo-clinician-pass');

  await expect(page.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await expect(page.getByText('This sign-in is from an unusual location')).toBeVisible();
  await enterCode(page, await readEmailedCode(stack, 'clinician@demo-clinic.example'));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await expect
    .poll(() => stack.smtp.messages.some((message) => message.subject.includes('unusual location') && message.text.includes('London, England, United Kingdom')))
    .toBe(true);
  await workstation.stop();
});

test('lists and revokes this workstation', async ({ page }) => {
  proxy.forwardedFor = null;
  const workstation = await stack.startWorkstation('exam-room-5');
  await page.goto(workstation.url);
  await trustServer(page, stack, proxy.url);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await enterCode(page, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();

  await page.getByRole('button', { name: 'Trusted workstations' }).click();

  await expect(page.getByRole('heading', { name: 'Trusted workstations' })).toBeVisible();
  const row = page.getByRole('listitem').filter({ hasText: 'This workstation' });
  await expect(row).toContainText('Local network');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('you will be signed out here');
  await page.getByRole('button', { name: 'Revoke workstation' }).click();

  await expect(page.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible();
  await expect(page.getByText('You revoked this workstation')).toBeVisible();
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await expect(page.getByText('This workstation is not remembered for your account')).toBeVisible();
  await workstation.stop();
});
