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
    'Saved the changes for Frankie Front Desk. Text codes now go to ***-***-0142.',
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
