import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { runImmediate, type Db } from '../db/database';
import { parseIpNetwork, type IpNetwork } from '../network/ip-address';
import { findPracticeById, findPracticeByName } from '../practices/practice-repository';
import { listTrustedNetworks, replaceTrustedNetworks } from './access-pattern';

export const maxTrustedNetworks = 200;

/**
 * Shortest prefix accepted per IP version. A wider block would count most of the internet as the
 * practice's own and switch the unusual-location check off. For scale, an IPv4 /8 is the size of
 * block IANA gave each regional internet registry, and an IPv6 /32 is the usual allocation to a
 * whole ISP, so even these limits are far wider than a clinic needs.
 */
export const minTrustedPrefixLength = { 4: 8, 6: 32 } as const;

export type TrustedNetworksChange =
  | { ok: true; oldNetworks: string[]; newNetworks: string[] }
  | { ok: false; problems: string[] };

/**
 * Replaces a practice's trusted networks (an empty list clears them) and audits the old and new
 * lists as `settings.changed`. Every entry must be an IPv4 or IPv6 CIDR block no wider than
 * `minTrustedPrefixLength` allows; host bits are cleared.
 */
export function setTrustedNetworks(
  db: Db,
  change: {
    /** The practice by name (server command); ignored when `practiceId` is given (Security pane). */
    practiceName?: string;
    practiceId?: string;
    networks: readonly string[];
    changedBy: string;
    now: number;
    /** The signed-in administrator who made the change in the app; absent for the server command. */
    actorUserId?: string;
    origin?: RequestOrigin;
  },
): TrustedNetworksChange {
  const problems: string[] = [];
  const parsed: IpNetwork[] = [];
  for (const text of change.networks) {
    const network = parseIpNetwork(text);
    if (network === null) {
      problems.push(`${JSON.stringify(text)} is not an IPv4 or IPv6 CIDR block; write it like 203.0.113.0/24 or 2001:db8::/48.`);
      continue;
    }
    const minPrefixLength = minTrustedPrefixLength[network.address.version];
    if (network.prefixLength < minPrefixLength) {
      problems.push(
        `${JSON.stringify(text)} is too wide to trust: it would switch off the unusual-location check for most of the internet. ` +
          `Use a prefix of /${minPrefixLength} or longer for IPv${network.address.version}, like the clinic's own ${network.address.version === 4 ? '203.0.113.0/24' : '2001:db8::/48'}.`,
      );
      continue;
    }
    parsed.push(network);
  }
  if (parsed.length > maxTrustedNetworks) {
    problems.push(`At most ${maxTrustedNetworks} trusted networks are allowed; received ${parsed.length}.`);
  }
  if (problems.length > 0) {
    return { ok: false, problems };
  }

  return runImmediate(db, () => {
    const practice = change.practiceId === undefined ? findPracticeByName(db, change.practiceName ?? '') : findPracticeById(db, change.practiceId);
    if (practice === undefined) {
      return { ok: false, problems: [`No practice named ${JSON.stringify(change.practiceName ?? change.practiceId)} exists on this server.`] };
    }
    const oldNetworks = listTrustedNetworks(db, practice.id).map((network) => network.text);
    replaceTrustedNetworks(db, { practiceId: practice.id, networks: parsed, now: change.now });
    const newNetworks = listTrustedNetworks(db, practice.id).map((network) => network.text);
    appendAuditEvent(db, {
      occurredAt: change.now,
      origin: change.origin ?? { ip: null, deviceFingerprint: null },
      practiceId: practice.id,
      userId: change.actorUserId ?? null,
      event: 'settings.changed',
      outcome: 'success',
      details: {
        setting: 'trusted_networks',
        oldValue: oldNetworks.join(' '),
        newValue: newNetworks.join(' '),
        changedBy: change.changedBy,
        via: change.actorUserId === undefined ? 'server_command' : 'settings_pane',
      },
    });
    return { ok: true, oldNetworks, newNetworks };
  });
}
