import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import type { OtpChannel, Role } from '../../../electron/shared/api';

export interface User {
  id: string;
  practiceId: string;
  username: string;
  displayName: string;
  email: string | null;
  mobile: string | null;
  role: Role;
  passwordHash: string;
  preferredChannel: OtpChannel;
  status: 'active' | 'deactivated';
  lockedUntil: number | null;
  lockoutLevel: number;
  consecutiveCodeFailures: number;
  createdAt: number;
  /** True until the person chooses a password with the emailed setup code (or a password reset). */
  isPasswordSetupPending: boolean;
}

export interface NewUser {
  practiceId: string;
  username: string;
  displayName: string;
  email: string | null;
  mobile: string | null;
  role: Role;
  passwordHash: string;
  preferredChannel: OtpChannel;
  createdAt: number;
  /** False unless given: accounts created with a known password, such as the demo seed's, are ready to use. */
  isPasswordSetupPending?: boolean;
}

interface UserRow {
  id: string;
  practice_id: string;
  username: string;
  display_name: string;
  email: string | null;
  mobile: string | null;
  role: Role;
  password_hash: string;
  preferred_channel: OtpChannel;
  status: 'active' | 'deactivated';
  locked_until: number | null;
  lockout_level: number;
  consecutive_code_failures: number;
  created_at: number;
  password_setup_pending: number;
}

export const e164Pattern = /^\+[1-9][0-9]{6,14}$/;

/** Key that makes usernames unique regardless of case and Unicode compatibility forms. */
export function toUsernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export function createUser(db: Db, input: NewUser): User {
  const user: User = {
    ...input,
    id: randomUUID(),
    status: 'active',
    lockedUntil: null,
    lockoutLevel: 0,
    consecutiveCodeFailures: 0,
    isPasswordSetupPending: input.isPasswordSetupPending ?? false,
  };
  db.prepare(
    `INSERT INTO users
       (id, practice_id, username, username_key, display_name, email, mobile, role, password_hash, preferred_channel, created_at,
        password_setup_pending)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    user.id,
    user.practiceId,
    user.username,
    toUsernameKey(user.username),
    user.displayName,
    user.email,
    user.mobile,
    user.role,
    user.passwordHash,
    user.preferredChannel,
    user.createdAt,
    user.isPasswordSetupPending ? 1 : 0,
  );
  return user;
}

export function findUserByUsername(db: Db, username: string): User | undefined {
  const row = db.prepare('SELECT * FROM users WHERE username_key = ?').get(toUsernameKey(username)) as UserRow | undefined;
  return row === undefined ? undefined : toUser(row);
}

export function findUserById(db: Db, id: string): User | undefined {
  const row = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  return row === undefined ? undefined : toUser(row);
}

export function updateUserPasswordHash(db: Db, userId: string, passwordHash: string): void {
  db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, userId);
}

/** Clears every lockout and the wrong-code counter, as an admin unlock does. */
export function unlockUser(db: Db, userId: string): void {
  db.prepare('UPDATE users SET locked_until = NULL, lockout_level = 0, consecutive_code_failures = 0 WHERE id = ?').run(userId);
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    practiceId: row.practice_id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    mobile: row.mobile,
    role: row.role,
    passwordHash: row.password_hash,
    preferredChannel: row.preferred_channel,
    status: row.status,
    lockedUntil: row.locked_until,
    lockoutLevel: row.lockout_level,
    consecutiveCodeFailures: row.consecutive_code_failures,
    createdAt: row.created_at,
    isPasswordSetupPending: row.password_setup_pending === 1,
  };
}
