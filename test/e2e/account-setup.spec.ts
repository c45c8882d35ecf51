import { expect, test } from '@playwright/test';
import { startDemoStack, type DemoStack } from './helpers/demo-stack';
import { enterCode, readEmailedCode, submitPassword, trustServer } from './helpers/screens';

const newUserEmail = 'robin.reception@demo-clinic.example';
const newUserPassword = 'copper lantern meadow 47';

let stack: DemoStack;

test.beforeAll(async () => {
  stack = await startDemoStack();
});

test.afterAll(async () => {
  await stack?.stop();
});

test('a new user sets their own password with the emailed setup code', async ({ context }) => {
  const office = await stack.startWorkstation('office-1');
  const reception = await stack.startWorkstation('reception-2');
  const adminPage = await context.newPage();
  const newUserPage = await context.newPage();

  // The practice administrator adds the person in Users; nobody types a password for them.
  await adminPage.goto(office.url);
  await trustServer(adminPage, stack);
  await submitPassword(adminPage, 'demo.admin', 'demo-admin-pass');
  await enterCode(adminPage, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await adminPage.getByRole('button', { name: 'Users' }).click();
  await adminPage.locator('#new-user-username').fill('robin.reception');
  await adminPage.locator('#new-user-displayName').fill('Robin Reception');
  await adminPage.locator('#new-user-email').fill(newUserEmail);
  await adminPage.locator('#new-user-role').selectOption('front_desk');
  await adminPage.getByRole('button', { name: 'Add user' }).click();
  await expect(adminPage.getByText('Robin Reception was created. A welcome email with a setup code')).toBeVisible();
  const robinCard = adminPage.getByRole('listitem').filter({ has: adminPage.getByRole('heading', { name: /Robin Reception/ }) });
  await expect(robinCard.getByText('Setup pending')).toBeVisible();

  // The welcome email names the practice and username and carries the setup code in two groups.
  const welcome = await stack.smtp.waitForMessage(newUserEmail);
  expect(welcome.subject).toBe('Welcome to ClinicGate at Demo Clinic: set up your account');
  expect(welcome.text).toContain('Username:    robin.reception');
  expect(welcome.text).toContain('expires in 72 hours');
  const groups = /Setup code: +(\d{4}) (\d{4})/.exec(welcome.text);
  expect(groups).not.toBeNull();
  const setupCode = `${groups?.[1]} ${groups?.[2]}`;

  // The password does not work yet; the sign-in screen says only what a wrong password says.
  await newUserPage.goto(reception.url);
  await trustServer(newUserPage, stack);
  await submitPassword(newUserPage, 'robin.reception', newUserPassword);
  await expect(newUserPage.getByText('The username or password is incorrect.')).toBeVisible();

  // "New here?" leads to the setup screen; a wrong code is explained, the emailed one is accepted.
  await newUserPage.getByRole('button', { name: 'New here? Set up your account' }).click();
  await expect(newUserPage.getByRole('heading', { name: 'Set up your account' })).toBeVisible();
  await expect(newUserPage.getByText('a welcome email with an 8-digit setup code')).toBeVisible();
  await newUserPage.getByLabel('Username or email').fill('robin.reception');
  await newUserPage.getByLabel('Setup code').fill('1111 1111');
  await newUserPage.getByRole('button', { name: 'Continue' }).click();
  await expect(newUserPage.getByText('The username or setup code is not correct.')).toBeVisible();
  await expect(newUserPage.getByText('You have 4 more tries before this setup code stops working.')).toBeVisible();
  await newUserPage.getByLabel('Setup code').fill(setupCode);
  await newUserPage.getByRole('button', { name: 'Continue' }).click();

  // The password step has the same rules and strength hint as a password reset.
  await expect(newUserPage.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
  await expect(newUserPage.getByText('At least 12 characters')).toBeVisible();
  await newUserPage.getByLabel('New password', { exact: true }).fill('password1234');
  await expect(newUserPage.getByText(/Strength: (Very weak|Weak)\./)).toBeVisible();
  await newUserPage.getByLabel('Confirm new password').fill('password1234');
  await newUserPage.getByRole('button', { name: 'Set password' }).click();
  await expect(newUserPage.getByText('That password is on the list of common and breached passwords')).toBeVisible();
  await newUserPage.getByLabel('New password', { exact: true }).fill(newUserPassword);
  await newUserPage.getByLabel('Confirm new password').fill(newUserPassword);
  await newUserPage.getByRole('button', { name: 'Set password' }).click();

  // Setup signs no one in: the person signs in with the new password and the emailed sign-in code.
  await expect(newUserPage.getByText('Your password is set. Sign in with the username robin.reception and your new password.')).toBeVisible();
  await submitPassword(newUserPage, 'robin.reception', newUserPassword);
  await expect(newUserPage.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await enterCode(newUserPage, await readEmailedCode(stack, newUserEmail));
  await expect(newUserPage.getByRole('heading', { name: 'Signed in' })).toBeVisible();

  // The administrator's list no longer shows the setup as pending.
  await adminPage.getByLabel('Search by name or username').fill('robin');
  await adminPage.getByRole('button', { name: 'Search' }).click();
  await expect(robinCard.getByText('robin.reception', { exact: true })).toBeVisible();
  await expect(robinCard.getByText('Setup pending')).toHaveCount(0);
  await expect(robinCard.getByRole('button', { name: 'Send Robin Reception a new setup code' })).toHaveCount(0);

  await office.stop();
  await reception.stop();
});

test('an administrator sends a new setup code that replaces the old one', async ({ page }) => {
  // The practice's resend cooldown (30 s) runs from the welcome email, so this test waits it out once.
  test.setTimeout(150_000);
  const office = await stack.startWorkstation('office-3');
  await page.goto(office.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await enterCode(page, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await page.getByRole('button', { name: 'Users' }).click();
  await page.locator('#new-user-username').fill('sam.billing');
  await page.locator('#new-user-displayName').fill('Sam Billing');
  await page.locator('#new-user-email').fill('sam.billing@demo-clinic.example');
  await page.locator('#new-user-role').selectOption('billing');
  await page.getByRole('button', { name: 'Add user' }).click();
  const firstEmail = await stack.smtp.waitForMessage('sam.billing@demo-clinic.example');

  // Right after the welcome email, the screen shows the server's cooldown message with the wait.
  await page.getByRole('button', { name: 'Send Sam Billing a new setup code' }).click();
  const cooldownAlert = page.getByRole('alert').filter({ hasText: 'A code was just sent. Wait before asking for another.' });
  await expect(cooldownAlert).toContainText(/You can try again in about \d+ seconds\./);
  const waitSeconds = Number(/about (\d+) seconds/.exec(await cooldownAlert.innerText())?.[1]);
  expect(waitSeconds).toBeGreaterThan(0);
  expect(waitSeconds).toBeLessThanOrEqual(30);
  await page.waitForTimeout(waitSeconds * 1000 + 500);

  await page.getByRole('button', { name: 'Send Sam Billing a new setup code' }).click();

  await expect(page.getByText('A new setup code was emailed to Sam Billing. The previous code no longer works.')).toBeVisible();
  const secondEmail = await stack.smtp.waitForMessage('sam.billing@demo-clinic.example');
  const codeOf = (text: string) => /Setup code: +(\d{4} \d{4})/.exec(text)?.[1] ?? '';
  expect(codeOf(secondEmail.text)).toMatch(/^\d{4} \d{4}$/);
  expect(codeOf(secondEmail.text)).not.toBe(codeOf(firstEmail.text));
  await office.stop();
});

test('an administrator corrects the email of a user waiting for setup', async ({ page }) => {
  const office = await stack.startWorkstation('office-4');
  await page.goto(office.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await enterCode(page, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await page.getByRole('button', { name: 'Users' }).click();
  await page.locator('#new-user-username').fill('kim.clinician');
  await page.locator('#new-user-displayName').fill('Kim Clinician');
  await page.locator('#new-user-email').fill('kim@demo-clinc.example');
  await page.locator('#new-user-role').selectOption('clinician');
  await page.getByRole('button', { name: 'Add user' }).click();
  await stack.smtp.waitForMessage('kim@demo-clinc.example');
  const kimCard = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Kim Clinician/ }) });

  // The corrected address gets a new welcome email at once, without waiting for the resend cooldown.
  await kimCard.getByRole('button', { name: 'Edit Kim Clinician' }).click();
  await expect(kimCard.getByText('A new email also receives a new setup code')).toBeVisible();
  await kimCard.getByLabel('New email').fill('kim@demo-clinic.example');
  await kimCard.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved the changes' })).toContainText(
    'A new setup code was emailed to k•••@demo-clinic.example, and the setup code sent to the old address no longer works.',
  );
  const corrected = await stack.smtp.waitForMessage('kim@demo-clinic.example');
  expect(corrected.subject).toBe('Welcome to ClinicGate at Demo Clinic: set up your account');

  // When the email to the new address fails, the screen tells the administrator what to do next.
  stack.smtp.setFailure('reject');
  try {
    await kimCard.getByRole('button', { name: 'Edit Kim Clinician' }).click();
    await kimCard.getByLabel('New email').fill('kim.c@demo-clinic.example');
    await kimCard.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved the changes' })).toContainText(
      'The new address did not receive a setup code, and the setup code sent to the old address no longer works. Use "Send a new setup code" to try again.',
    );
  } finally {
    stack.smtp.setFailure('none');
  }
  await expect(kimCard.getByText('Setup pending')).toBeVisible();
  await office.stop();
});
