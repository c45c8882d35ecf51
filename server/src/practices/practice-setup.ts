import type { Role } from '../../../electron/shared/api';
import { checkNewPassword, describePasswordRejection } from '../auth/password-policy';
import type { PasswordHasher } from '../auth/password-hash';
import { runImmediate, type Db } from '../db/database';
import { createUser, e164Pattern, findUserByUsername, type User } from '../users/user-repository';
import { createPractice, defaultPracticeSettings, type Practice } from './practice-repository';

export interface PracticeSetupInput {
  practiceName: string;
  admin: { username: string; displayName: string; email: string; mobile: string; password: string };
}

export type PracticeSetupResult = { ok: true; practice: Practice; admin: User } | { ok: false; problems: string[] };

export const usernamePattern = /^[\p{L}\p{N}._@-]{1,64}$/u;
export const emailPattern = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** Creates a practice and its first administrator in one transaction, after checking every field. */
export async function setUpPractice(db: Db, hasher: PasswordHasher, input: PracticeSetupInput, now: number): Promise<PracticeSetupResult> {
  const problems = checkPracticeSetup(db, input);
  if (problems.length > 0) {
    return { ok: false, problems };
  }
  const passwordHash = await hasher.hashPassword(input.admin.password);
  return runImmediate(db, () => {
    if (findUserByUsername(db, input.admin.username) !== undefined) {
      return { ok: false, problems: [usernameTakenMessage(input.admin.username)] };
    }
    const practice = createPractice(db, { name: input.practiceName.trim(), createdAt: now });
    const admin = createUser(db, {
      practiceId: practice.id,
      username: input.admin.username,
      displayName: input.admin.displayName.trim(),
      email: input.admin.email,
      mobile: input.admin.mobile,
      role: 'practice_admin' satisfies Role,
      passwordHash,
      preferredChannel: 'email',
      createdAt: now,
    });
    return { ok: true, practice, admin };
  });
}

function checkPracticeSetup(db: Db, input: PracticeSetupInput): string[] {
  const problems: string[] = [];
  const { admin } = input;
  if (!isDisplayText(input.practiceName, 200)) {
    problems.push('--name: expected the practice name, 1 to 200 characters without control characters.');
  }
  if (!usernamePattern.test(admin.username)) {
    problems.push(`--admin-username: expected 1 to 64 letters, digits, dots, dashes, underscores or @; received ${JSON.stringify(admin.username)}.`);
  } else if (findUserByUsername(db, admin.username) !== undefined) {
    problems.push(usernameTakenMessage(admin.username));
  }
  if (!isDisplayText(admin.displayName, 100)) {
    problems.push('--admin-name: expected the administrator\'s name, 1 to 100 characters without control characters.');
  }
  if (admin.email.length > 254 || !emailPattern.test(admin.email)) {
    problems.push(`--admin-email: expected an email address like name@clinic.example; received ${JSON.stringify(admin.email)}.`);
  }
  if (!e164Pattern.test(admin.mobile)) {
    problems.push(`--admin-mobile: expected an E.164 mobile number like +15550100001; received ${JSON.stringify(admin.mobile)}.`);
  }
  const passwordCheck = checkNewPassword(admin.password, {
    minLength: defaultPracticeSettings.minPasswordLength,
    username: admin.username,
    email: admin.email,
    practiceName: input.practiceName,
  });
  if (!passwordCheck.ok) {
    problems.push(describePasswordRejection(passwordCheck));
  }
  return problems;
}

function usernameTakenMessage(username: string): string {
  return `The username ${JSON.stringify(username)} is already taken (usernames are unique across the server, ignoring case). Choose another one.`;
}

function isDisplayText(value: string, maxLength: number): boolean {
  const trimmed = value.trim();
  return trimmed.length >= 1 && Array.from(trimmed).length <= maxLength && !/\p{Cc}/u.test(trimmed);
}
