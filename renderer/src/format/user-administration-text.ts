import type { PracticeUserAction } from '../../../electron/shared/api';
import type { UpdatedPracticeUser, UpdatePracticeUserInput } from '../../../electron/shared/bridge';

/** Builds the notice the Users screen shows after an administrator saved a user's name or contacts. */
export function describeSavedUserChange(user: UpdatedPracticeUser, change: UpdatePracticeUserInput): string {
  const sentences = [`Saved the changes for ${user.displayName}.`];
  if (change.mobile === null) {
    sentences.push('The mobile number is removed.');
  }
  if (change.email !== undefined || change.mobile !== undefined) {
    sentences.push(describeCodeDestinations(user));
    sentences.push('The previous contact details get a notice about the change.');
  }
  if (user.setupEmailSent !== undefined) {
    sentences.push(describeSetupCodeAfterEmailChange(user, user.setupEmailSent));
  }
  return sentences.join(' ');
}

/**
 * Describes where sign-in codes go, from the saved user as the server returned it: the preferred
 * channel first, then the other channel, which the person can pick on the code screen instead.
 */
function describeCodeDestinations(user: UpdatedPracticeUser): string {
  const destinations = [
    { name: 'email', destination: user.email },
    { name: 'text message', destination: user.mobile },
  ].filter((entry): entry is { name: string; destination: string } => entry.destination !== null);
  if (user.preferredChannel === 'sms') {
    destinations.reverse();
  }
  const [first, second] = destinations;
  if (first === undefined) {
    return 'No email address or mobile number is on file, so no sign-in code can be sent.';
  }
  if (user.preferredChannel === undefined) {
    // An older server does not say which channel comes first, so the text does not claim one.
    const secondClause = second === undefined ? '' : `, and codes by ${second.name} go to ${second.destination}`;
    return `Codes by ${first.name} go to ${first.destination}${secondClause}.`;
  }
  const alternative = second === undefined ? '' : ` ${user.displayName} can choose ${second.name} to ${second.destination} on the code screen instead.`;
  return `Sign-in codes go by ${first.name} to ${first.destination}.${alternative}`;
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

/** Builds the notice the Users screen shows beside a user after an administrator action on them. */
export function describeUserActionResult(action: PracticeUserAction, displayName: string, sessionsEnded: number): string {
  let ended = '';
  if (sessionsEnded === 1) {
    ended = ' 1 session ended.';
  } else if (sessionsEnded > 1) {
    ended = ` ${sessionsEnded} sessions ended.`;
  }
  switch (action) {
    case 'deactivate':
      return `${displayName} is deactivated and can no longer sign in.${ended}`;
    case 'reactivate':
      return `${displayName} is active again and can sign in.`;
    case 'unlock':
      return `${displayName} is unlocked and can sign in again.`;
    case 'revoke-sessions':
      return `${displayName} is signed out everywhere, and their next sign-in on any workstation needs a code.${ended}`;
  }
}

/** Builds the line the Users screen shows when a search returns no users. */
export function describeEmptyUserList(search: string): string {
  const trimmed = search.trim();
  return trimmed === '' ? 'The practice has no users yet.' : `No users match "${trimmed}". The search looks at names and usernames.`;
}
