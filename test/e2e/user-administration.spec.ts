import { expect, test, type Page } from '@playwright/test';
import { startDemoStack, type DemoStack } from './helpers/demo-stack';
import { enterCode, readEmailedCode, readTextedCode, submitPassword, trustServer } from './helpers/screens';

const oldMobile = '+15550100003';
const newMobile = '+15035550142';
const frontDeskEmail = 'frontdesk@demo-clinic.example';

let stack: DemoStack;

test.beforeAll(async () => {
  stack = await startDemoStack();
});

test.afterAll(async () => {
  await stack?.stop();
});

async function signInFrontDeskWithCode(page: Page, mobile: string): Promise<void> {
  await submitPassword(page, 'demo.frontdesk', 'demo-frontdesk-pass');
  await expect(page.getByRole('heading', { name: 'Enter your verification code' })).toBeVisible();
  await enterCode(page, await readTextedCode(stack, mobile));
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
}

/** Returns the next security notice to `address`, skipping code emails and other notices. */
async function readContactChangedEmail(address: string): Promise<{ subject: string; text: string }> {
  for (;;) {
    const message = await stack.smtp.waitForMessage(address);
    if (message.subject.includes('contact details')) {
      return message;
    }
  }
}

test("admin changes a user's mobile and forgets one of their workstations", async ({ page, browser }) => {
  test.setTimeout(180_000);
  // The front counter learns that its session ended from the agent's background check, every 2 s here.
  const frontCounter = await stack.startWorkstation('front-counter', { CLINICGATE_SESSION_CHECK_SECONDS: '2' });
  await page.goto(frontCounter.url);
  await trustServer(page, stack);
  await signInFrontDeskWithCode(page, oldMobile);
  await page.getByRole('button', { name: 'Trusted workstations' }).click();
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('Workstation label').fill('Front counter');
  await page.getByRole('button', { name: 'Save label' }).click();
  await expect(page.getByRole('heading', { name: 'Front counter' })).toBeVisible();

  // "Back" returns where the list was opened from: Home here, Profile the second time.
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('heading', { name: 'Signed in' })).toBeVisible();
  await page.getByRole('button', { name: 'Profile' }).click();
  await page.getByRole('button', { name: 'Trusted workstations' }).click();
  await expect(page.getByRole('heading', { name: 'Front counter' })).toBeVisible();
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('heading', { name: 'Profile' })).toBeVisible();

  const backOffice = await stack.startWorkstation('back-office');
  const backOfficePage = await browser.newPage();
  await backOfficePage.goto(backOffice.url);
  await trustServer(backOfficePage, stack);
  await signInFrontDeskWithCode(backOfficePage, oldMobile);

  const adminOffice = await stack.startWorkstation('admin-office');
  const adminPage = await browser.newPage();
  await adminPage.goto(adminOffice.url);
  await trustServer(adminPage, stack);
  await submitPassword(adminPage, 'demo.admin', 'demo-admin-pass');
  await enterCode(adminPage, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await adminPage.getByRole('button', { name: 'Users' }).click();
  const frontDeskItem = adminPage.getByRole('listitem').filter({ has: adminPage.getByRole('heading', { name: 'Frankie Front Desk' }) });
  await expect(frontDeskItem).toContainText('***-***-0003');

  await frontDeskItem.getByRole('button', { name: 'Edit Frankie Front Desk' }).click();
  await frontDeskItem.getByLabel('New mobile').fill(newMobile);
  await frontDeskItem.getByRole('button', { name: 'Save changes' }).click();

  await expect(adminPage.getByRole('status').filter({ hasText: 'Saved the changes' })).toContainText(
    'Saved the changes for Frankie Front Desk. Sign-in codes go by text message to ***-***-0142.',
  );
  await expect(frontDeskItem).toContainText('***-***-0142');
  const textNotice = await stack.sms.waitForMessage(oldMobile);
  expect(textNotice.body).toBe(
    'ClinicGate: your practice administrator changed the mobile number on your Demo Clinic account. If you did not ask for this, contact your practice.',
  );
  const emailNotice = await readContactChangedEmail(frontDeskEmail);
  expect(emailNotice.text).toContain('Your practice administrator changed the mobile number for sign-in codes on your ClinicGate account to ***-***-0142.');
  expect(emailNotice.text).not.toMatch(/(?<!\d)\d{6}(?!\d)/);

  await frontDeskItem.getByRole('button', { name: 'Workstations of Frankie Front Desk' }).click();
  const workstationList = adminPage.getByRole('list', { name: 'Remembered workstations of Frankie Front Desk' });
  await expect(workstationList.getByRole('listitem')).toHaveCount(2);
  const frontCounterItem = workstationList.getByRole('listitem').filter({ has: adminPage.getByRole('heading', { name: 'Front counter' }) });
  await frontCounterItem.getByRole('button', { name: 'Forget' }).click();
  await frontCounterItem.getByRole('button', { name: 'Forget workstation' }).click();

  await expect(frontDeskItem.getByRole('status')).toHaveText(
    "Front counter is forgotten, so Frankie Front Desk's next sign-in there needs a code. 1 session on it ended.",
  );
  await expect(workstationList.getByRole('listitem')).toHaveCount(1);
  await expect(workstationList.getByRole('heading', { name: 'Front counter' })).toHaveCount(0);

  // The forgotten workstation is signed out, and its next sign-in needs a code, which now goes to the new number.
  await expect(page.getByRole('heading', { name: 'Sign in to ClinicGate' })).toBeVisible({ timeout: 30_000 });
  await signInFrontDeskWithCode(page, newMobile);

  await backOfficePage.close();
  await adminPage.close();
  await adminOffice.stop();
  await backOffice.stop();
  await frontCounter.stop();
});

test('admin confirms changes to a user and sees each result beside it', async ({ page }) => {
  const adminDesk = await stack.startWorkstation('admin-desk');
  await page.goto(adminDesk.url);
  await trustServer(page, stack);
  await submitPassword(page, 'demo.admin', 'demo-admin-pass');
  await enterCode(page, await readEmailedCode(stack, 'admin@demo-clinic.example'));
  await page.getByRole('button', { name: 'Users' }).click();

  const search = page.getByLabel('Search by name or username');
  await search.fill('nobody-here');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'No users match' })).toHaveText(
    'No users match "nobody-here". The search looks at names and usernames.',
  );
  await search.fill('');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const caseyItem = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Casey Clinician' }) });
  await expect(caseyItem).toBeVisible();

  // Add a user: a blank name is caught before sending, and a field the server rejects is flagged with its message.
  await page.locator('#new-user-username').fill('lee.billing');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.locator('#new-user-displayName')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#new-user-displayName')).toBeFocused();
  await expect(page.locator('#new-user-displayName-problem')).toHaveText("Enter the person's name, 1 to 100 characters.");
  await page.locator('#new-user-displayName').fill('Lee Billing');
  await page.locator('#new-user-email').fill('not-an-email');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.locator('#new-user-email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#new-user-email')).toBeFocused();
  await expect(page.locator('#new-user-email-problem')).toContainText('Enter an email address like name@clinic.example.');
  await expect(page.locator('#new-user-displayName')).toHaveAttribute('aria-invalid', 'false');

  // Edit: a blank name is flagged in the form.
  await caseyItem.getByRole('button', { name: 'Edit Casey Clinician' }).click();
  const nameField = caseyItem.getByLabel('Name', { exact: true });
  await nameField.fill('  ');
  await caseyItem.getByRole('button', { name: 'Save changes' }).click();
  await expect(nameField).toHaveAttribute('aria-invalid', 'true');
  await expect(nameField).toBeFocused();
  await expect(caseyItem.getByText("Enter the person's name, 1 to 100 characters.")).toBeVisible();
  await caseyItem.getByRole('button', { name: 'Cancel' }).click();

  // A new role needs a confirmation, and "Keep" leaves the role as it was.
  const role = caseyItem.getByLabel('Role', { exact: true });
  await role.selectOption('billing');
  const roleConfirmation = caseyItem.getByRole('alertdialog', { name: "Change Casey Clinician's role to Billing?" });
  await expect(roleConfirmation).toContainText('The new role applies at once');
  await roleConfirmation.getByRole('button', { name: 'Keep Clinician' }).click();
  await expect(role).toHaveValue('clinician');
  await expect(role).toBeFocused();
  await role.selectOption('billing');
  await roleConfirmation.getByRole('button', { name: 'Change role' }).click();
  await expect(caseyItem.getByRole('status')).toHaveText("Casey Clinician's role is now Billing.");
  await expect(caseyItem.getByRole('status')).toBeFocused();

  await caseyItem.getByRole('button', { name: 'Deactivate', exact: true }).click();
  const deactivation = caseyItem.getByRole('alertdialog', { name: 'Deactivate Casey Clinician?' });
  await expect(deactivation).toContainText('is signed out on every workstation at once');
  await deactivation.getByRole('button', { name: 'Deactivate and sign out' }).click();
  await expect(caseyItem.getByRole('status')).toHaveText('Casey Clinician is deactivated and can no longer sign in.');
  await expect(caseyItem.getByText('Deactivated', { exact: true })).toBeVisible();
  await caseyItem.getByRole('button', { name: 'Reactivate' }).click();
  await expect(caseyItem.getByRole('status')).toHaveText('Casey Clinician is active again and can sign in.');

  await caseyItem.getByRole('button', { name: 'Sign out and forget workstations' }).click();
  const signOut = caseyItem.getByRole('alertdialog', { name: 'Sign out Casey Clinician and forget their workstations?' });
  await signOut.getByRole('button', { name: 'Sign out and forget', exact: true }).click();
  await expect(caseyItem.getByRole('status')).toHaveText(
    'Casey Clinician is signed out everywhere, and their next sign-in on any workstation needs a code.',
  );
  await expect(caseyItem.getByRole('status')).toBeFocused();
  await adminDesk.stop();
});
