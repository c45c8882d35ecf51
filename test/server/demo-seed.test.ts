import { Writable } from 'node:stream';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { databasePath, openDatabase } from '../../server/src/db/database';
import { seedDemoPractice } from '../../server/src/demo/demo-seed';
import { createLogger } from '../../server/src/logging/logger';
import { makeTempDir, testConfig } from './support/harness';

describe('demo seed', () => {
  it('creates the demo practice and users once and warns each time', async () => {
    const dataDir = makeTempDir();
    const db = openDatabase(databasePath(dataDir));
    const hasher = await createPasswordHasher(testConfig(dataDir).argon2);
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) });
    const logger = createLogger('info', stream);

    await seedDemoPractice(db, hasher, Date.UTC(2026, 0, 5), logger);
    await seedDemoPractice(db, hasher, Date.UTC(2026, 0, 6), logger);

    const users = db.prepare('SELECT username, role, email, mobile, preferred_channel FROM users ORDER BY username').all();
    const practices = db.prepare('SELECT name FROM practices').all();
    const frontDesk = db.prepare("SELECT password_hash FROM users WHERE username = 'demo.frontdesk'").get() as { password_hash: string };
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(practices).toEqual([{ name: 'Demo Clinic' }]);
    expect(users).toEqual([
      { username: 'demo.admin', role: 'practice_admin', email: 'admin@demo-clinic.example', mobile: '+15550100001', preferred_channel: 'email' },
      { username: 'demo.clinician', role: 'clinician', email: 'clinician@demo-clinic.example', mobile: '+15550100002', preferred_channel: 'email' },
      { username: 'demo.frontdesk', role: 'front_desk', email: 'frontdesk@demo-clinic.example', mobile: '+15550100003', preferred_channel: 'sms' },
    ]);
    expect(await hasher.verifyPassword(frontDesk.password_hash, 'demo-frontdesk-pass')).toBe(true);
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.msg).toContain('do not use them for real patient data');
  });
});
