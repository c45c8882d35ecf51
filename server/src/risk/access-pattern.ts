import type { Db } from '../db/database';
import type { GeoLocator } from '../geo/geo-locator';
import { parseIpAddress, parseIpNetwork, toLearnedNetwork, type IpNetwork } from '../network/ip-address';
import { assessSignInOrigin, type AccessAssessment, type AccessPattern, type LearnedAccess, type SignInOrigin } from './access-decision';

export const dayMs = 24 * 60 * 60_000;

/** A sign-in origin with its assessment, ready for the MFA decision, the audit row and the notice. */
export interface AssessedOrigin extends SignInOrigin {
  assessment: AccessAssessment;
}

interface LearnedRow {
  user_id: string;
  network: string;
  country_code: string;
  region: string;
}

/** Locates `ip` and checks it against the practice's trusted networks and its recent sign-ins. */
export function assessSignInAccess(
  db: Db,
  geoLocator: GeoLocator,
  input: { practiceId: string; userId: string; ip: string | null; windowDays: number; now: number },
): AssessedOrigin {
  const origin = locateSignInOrigin(geoLocator, input.ip);
  const pattern = loadAccessPattern(db, input);
  return { ...origin, assessment: assessSignInOrigin(pattern, origin) };
}

export function locateSignInOrigin(geoLocator: GeoLocator, ip: string | null): SignInOrigin {
  const address = ip === null ? null : parseIpAddress(ip);
  return { address, location: address === null ? null : geoLocator.locate(address) };
}

/** Reads the trusted networks and what successful sign-ins established within the window. */
export function loadAccessPattern(db: Db, input: { practiceId: string; userId: string; windowDays: number; now: number }): AccessPattern {
  const since = input.now - input.windowDays * dayMs;
  const rows = db
    .prepare('SELECT user_id, network, country_code, region FROM sign_in_locations WHERE practice_id = ? AND last_seen_at >= ?')
    .all(input.practiceId, since) as LearnedRow[];
  return {
    trustedNetworks: listTrustedNetworks(db, input.practiceId),
    user: toLearnedAccess(rows.filter((row) => row.user_id === input.userId)),
    practice: toLearnedAccess(rows),
  };
}

/**
 * Adds a successful sign-in to the pattern, or moves the window forward for a known origin. Local
 * and unknown addresses are not learned, because the rule accepts local ones anyway.
 */
export function recordSignInLocation(db: Db, input: { practiceId: string; userId: string; origin: SignInOrigin; now: number }): void {
  const { address, location } = input.origin;
  if (address === null || location === null || location.kind === 'local') {
    return;
  }
  db.prepare(
    `INSERT INTO sign_in_locations (practice_id, user_id, network, country_code, region, first_seen_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id, network, country_code, region) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
  ).run(input.practiceId, input.userId, toLearnedNetwork(address).text, location.countryCode ?? '', location.region ?? '', input.now, input.now);
}

export function listTrustedNetworks(db: Db, practiceId: string): IpNetwork[] {
  const rows = db.prepare('SELECT network FROM practice_trusted_networks WHERE practice_id = ? ORDER BY network').all(practiceId) as Array<{
    network: string;
  }>;
  return rows.map((row) => parseIpNetwork(row.network)).filter((network): network is IpNetwork => network !== null);
}

/** Replaces the practice's trusted networks; call inside the transaction that audits the change. */
export function replaceTrustedNetworks(db: Db, input: { practiceId: string; networks: readonly IpNetwork[]; now: number }): void {
  db.prepare('DELETE FROM practice_trusted_networks WHERE practice_id = ?').run(input.practiceId);
  const insert = db.prepare('INSERT OR IGNORE INTO practice_trusted_networks (practice_id, network, created_at) VALUES (?, ?, ?)');
  for (const network of input.networks) {
    insert.run(input.practiceId, network.text, input.now);
  }
}

function toLearnedAccess(rows: readonly LearnedRow[]): LearnedAccess {
  return {
    networks: new Set(rows.map((row) => row.network)),
    places: rows.filter((row) => row.country_code !== '').map((row) => ({ countryCode: row.country_code, region: row.region })),
  };
}

/** Facts about an assessed origin for audit rows: the network and place, never more precise than a city. */
export function toAccessAuditDetails(origin: AssessedOrigin): Record<string, string | null> {
  const { address, location, assessment } = origin;
  const isPublic = location?.kind === 'public';
  let network: string | null = null;
  if (address !== null) {
    network = isPublic ? toLearnedNetwork(address).text : 'local';
  }
  return {
    accessCheck: assessment.isUsual ? assessment.basis : assessment.reason,
    network,
    country: isPublic ? location.countryCode : null,
    region: isPublic ? location.region : null,
    city: isPublic ? location.city : null,
  };
}
