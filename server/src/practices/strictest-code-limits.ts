import type { Db } from '../db/database';
import { defaultPracticeSettings, type PracticeCodeLimits } from './practice-repository';

/**
 * Returns the strictest code and password limits that any practice on this server has chosen.
 *
 * The sign-in password step and the password reset flow apply these to every username or email
 * address, instead of the practice's own values. Both run before the person has proven anything,
 * and both must reply to an unknown name exactly as to a real one. If a real account
 * followed its practice's stricter limits while an unknown name followed the product defaults,
 * a shorter cooldown, an earlier lock or an earlier rate limit would reveal that the account
 * exists. With one limit for every name, the replies stay the same. On a server with one practice
 * this is that practice's value; with several, a practice gets the strictest value any of them set.
 */
export function findStrictestCodeLimits(db: Db): PracticeCodeLimits {
  const row = db
    .prepare(
      `SELECT MAX(resend_cooldown_seconds) AS resendCooldownSeconds, MIN(code_sends_per_hour) AS codeSendsPerHour,
         MIN(wrong_codes_per_challenge) AS wrongCodesPerChallenge,
         MIN(wrong_codes_per_account_lockout) AS wrongCodesPerAccountLockout,
         MIN(failed_passwords_per_account) AS failedPasswordsPerAccount
       FROM practices`,
    )
    .get() as { [Key in keyof PracticeCodeLimits]: number | null };
  return {
    resendCooldownSeconds: row.resendCooldownSeconds ?? defaultPracticeSettings.resendCooldownSeconds,
    codeSendsPerHour: row.codeSendsPerHour ?? defaultPracticeSettings.codeSendsPerHour,
    wrongCodesPerChallenge: row.wrongCodesPerChallenge ?? defaultPracticeSettings.wrongCodesPerChallenge,
    wrongCodesPerAccountLockout: row.wrongCodesPerAccountLockout ?? defaultPracticeSettings.wrongCodesPerAccountLockout,
    failedPasswordsPerAccount: row.failedPasswordsPerAccount ?? defaultPracticeSettings.failedPasswordsPerAccount,
  };
}
