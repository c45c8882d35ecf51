import type { Clock } from './clock';
import type { Db } from './db/database';
import type { CodeDeliverer } from './delivery/types';
import type { PasswordHasher } from './auth/password-hash';
import type { RandomIntSource } from './otp/otp-code';
import type { Logger } from './logging/logger';
import type { OtpChannel } from '../../electron/shared/api';

/** Everything the sign-in services need, built once per app. */
export interface ServerContext {
  db: Db;
  clock: Clock;
  hasher: PasswordHasher;
  otpSecret: Buffer;
  deliverers: Record<OtpChannel, CodeDeliverer>;
  deliveryTimeoutMs: number;
  randomInt: RandomIntSource;
  logger: Logger;
}
