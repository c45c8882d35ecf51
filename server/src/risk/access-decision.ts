import type { GeoLocation } from '../geo/geo-locator';
import { isAddressInNetwork, toLearnedNetwork, type IpAddress, type IpNetwork } from '../network/ip-address';

/** The practice's normal access pattern as seen by one user's sign-in. */
export interface AccessPattern {
  /** Networks the practice administrator listed; they always count as the practice's own. */
  trustedNetworks: readonly IpNetwork[];
  /** Networks and places of this user's successful sign-ins within the rolling window. */
  user: LearnedAccess;
  /** Networks and places of every practice member's successful sign-ins within the window. */
  practice: LearnedAccess;
}

export interface LearnedAccess {
  /** Learned networks as CIDR text, `/24` for IPv4 and `/48` for IPv6. */
  networks: ReadonlySet<string>;
  places: readonly Place[];
}

export interface Place {
  countryCode: string;
  /** Empty when the database has no region for the address. */
  region: string;
}

/** Origin of a sign-in: the client address and its offline geolocation. */
export interface SignInOrigin {
  address: IpAddress | null;
  location: GeoLocation | null;
}

export type UsualAccessBasis = 'local' | 'trusted_network' | 'known_network' | 'known_region';
export type UnusualAccessReason = 'unknown_address' | 'no_pattern_yet' | 'unknown_location' | 'new_country' | 'new_region';

export type AccessAssessment =
  | { isUsual: true; basis: UsualAccessBasis }
  | { isUsual: false; reason: UnusualAccessReason };

/**
 * Decides whether a sign-in origin lies inside the access pattern. The rule, in order:
 * 1. no usable client address: unusual;
 * 2. a private, loopback or link-local address: usual, because it never crossed the internet;
 * 3. inside an admin-configured trusted network: usual;
 * 4. its /24 (IPv4) or /48 (IPv6) was learned from this user or from anyone in the practice: usual;
 * 5. its country and region were learned from this user, or, for a user with no sign-in in the
 *    window yet, from anyone in the practice: usual;
 * 6. anything else is unusual. With no trusted network and nothing learned yet (a new practice),
 *    that is every public address, reported as `no_pattern_yet`.
 */
export function assessSignInOrigin(pattern: AccessPattern, origin: SignInOrigin): AccessAssessment {
  const { address, location } = origin;
  if (address === null) {
    return { isUsual: false, reason: 'unknown_address' };
  }
  if (location?.kind === 'local') {
    return { isUsual: true, basis: 'local' };
  }
  if (pattern.trustedNetworks.some((network) => isAddressInNetwork(address, network))) {
    return { isUsual: true, basis: 'trusted_network' };
  }
  const network = toLearnedNetwork(address).text;
  if (pattern.user.networks.has(network) || pattern.practice.networks.has(network)) {
    return { isUsual: true, basis: 'known_network' };
  }

  const hasPracticePattern = pattern.trustedNetworks.length > 0 || pattern.practice.networks.size > 0;
  if (!hasPracticePattern) {
    return { isUsual: false, reason: 'no_pattern_yet' };
  }
  if (location === null || location.countryCode === null) {
    return { isUsual: false, reason: 'unknown_location' };
  }
  const place: Place = { countryCode: location.countryCode, region: location.region ?? '' };
  const knownPlaces = pattern.user.networks.size > 0 ? pattern.user.places : pattern.practice.places;
  if (knownPlaces.some((known) => known.countryCode === place.countryCode && known.region === place.region)) {
    return { isUsual: true, basis: 'known_region' };
  }
  const isKnownCountry = knownPlaces.some((known) => known.countryCode === place.countryCode);
  return { isUsual: false, reason: isKnownCountry ? 'new_region' : 'new_country' };
}
