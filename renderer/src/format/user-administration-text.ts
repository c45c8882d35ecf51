import type { UpdatedPracticeUser, UpdatePracticeUserInput } from '../../../electron/shared/bridge';

/** Builds the notice the Users screen shows after an administrator saved a user's name or contacts. */
export function describeSavedUserChange(user: UpdatedPracticeUser, change: UpdatePracticeUserInput): string {
  const sentences = [`Saved the changes for ${user.displayName}.`];
  if (change.email !== undefined) {
    sentences.push(`Email codes now go to ${user.email ?? 'the new address'}.`);
  }
  if (change.mobile === null) {
    sentences.push('The mobile number is removed, so codes go by email.');
  } else if (change.mobile !== undefined) {
    sentences.push(`Text codes now go to ${user.mobile ?? 'the new number'}.`);
  }
  if (change.email !== undefined || change.mobile !== undefined) {
    sentences.push('The previous contact details get a notice about the change.');
  }
  if (user.setupEmailSent !== undefined) {
    sentences.push(describeSetupCodeAfterEmailChange(user, user.setupEmailSent));
  }
  return sentences.join(' ');
}

function describeSetupCodeAfterEmailChange(user: UpdatedPracticeUser, isSetupEmailSent: boolean): string {
  if (isSetupEmailSent) {
    return `A new setup code was emailed to ${user.email ?? 'the new address'}, and the setup code sent to the old address no longer works.`;
  }
  if (user.status === 'deactivated') {
    return `The setup code sent to the old address no longer works. To send one to the new address, reactivate ${user.displayName} and use "Send a new setup code".`;
  }
  return 'The new address did not receive a setup code, and the setup code sent to the old address no longer works. Use "Send a new setup code" to try again.';
}
