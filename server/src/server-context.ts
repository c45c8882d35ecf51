import type { Clock } from './clock';
import type { Db } from './db/database';
import type { CodeDeliverer } from './delivery/types';
import type { PasswordHasher } from './auth/password-hash';
import type { RandomIntSource } from './otp/otp-code';
import type { Logger } from './logging/logger';
import type { GeoLocator } from './geo/geo-locator';
import type { RateLimitRule } from './rate-limit/rate-limit';
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
  /** Per-IP limit on the sign-in routes; `authRequestsPerIp` unless `rateLimits.perIpPerMinute` is set. */
  authRequestsPerIp: RateLimitRule;
  geoLocator: GeoLocator;
  /** Days of successful sign-ins that make up the learned part of the access pattern. */
  accessPatternWindowDays: number;
}
