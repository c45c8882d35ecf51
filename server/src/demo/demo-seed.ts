import type { OtpChannel, Role } from '../../../electron/shared/api';
import type { PasswordHasher } from '../auth/password-hash';
import { runImmediate, type Db } from '../db/database';
import type { Logger } from '../logging/logger';
import { createPractice, findPracticeByName } from '../practices/practice-repository';
import { createUser, findUserByUsername } from '../users/user-repository';

export const demoPracticeName = 'Demo Clinic';

interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  preferredChannel: OtpChannel;
  email: string;
  mobile: string;
}

/** Demo accounts with published passwords; they exist only when the server starts in demo mode. */
export const demoUsers: readonly DemoUser[] = [
  { username: 'demo.admin', displayName: 'Dana Admin', role: 'practice_admin', password: 'demo-admin-pass', preferredChannel: 'email', email: 'admin@demo-clinic.example', mobile: '+15550100001' },
  { username: 'demo.clinician', displayName: 'Casey Clinician', role: 'clinician', password: 'demo-clinician-pass', preferredChannel: 'email', email: 'clinician@demo-clinic.example', mobile: '+15550100002' },
  { username: 'demo.frontdesk', displayName: 'Frankie Front Desk', role: 'front_desk', password: 'demo-frontdesk-pass', preferredChannel: 'sms', email: 'frontdesk@demo-clinic.example', mobile: '+15550100003' },
];

/** Creates the demo practice and users unless they exist; running it again changes nothing. */
export async function seedDemoPractice(db: Db, hasher: PasswordHasher, now: number, logger: Logger): Promise<void> {
  const missing = demoUsers.filter((user) => findUserByUsername(db, user.username) === undefined);
  const hashes = new Map<string, string>();
  for (const user of missing) {
    hashes.set(user.username, await hasher.hashPassword(user.password));
  }

  const createdCount = runImmediate(db, () => {
    const practice = findPracticeByName(db, demoPracticeName) ?? createPractice(db, { name: demoPracticeName, createdAt: now });
    let created = 0;
    for (const user of missing) {
      const passwordHash = hashes.get(user.username);
      if (passwordHash === undefined || findUserByUsername(db, user.username) !== undefined) {
        continue;
      }
      createUser(db, {
        practiceId: practice.id,
        username: user.username,
        displayName: user.displayName,
        email: user.email,
        mobile: user.mobile,
        role: user.role,
        passwordHash,
        preferredChannel: user.preferredChannel,
        createdAt: now,
      });
      created += 1;
    }
    return created;
  });

  logger.warn(
    { practice: demoPracticeName, usernames: demoUsers.map((user) => user.username), createdCount },
    'demo mode: demo accounts with published passwords exist; do not use them for real patient data',
  );
}
