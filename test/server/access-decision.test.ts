import { describe, expect, it } from 'vitest';
import type { GeoLocation } from '../../server/src/geo/geo-locator';
import { parseIpAddress, parseIpNetwork, type IpNetwork } from '../../server/src/network/ip-address';
import { assessSignInOrigin, type AccessPattern, type LearnedAccess, type Place } from '../../server/src/risk/access-decision';

const nothingLearned: LearnedAccess = { networks: new Set(), places: [] };

function learned(networks: string[], places: Place[]): LearnedAccess {
  return { networks: new Set(networks), places };
}

function pattern(overrides: Partial<AccessPattern> = {}): AccessPattern {
  return { trustedNetworks: [], user: nothingLearned, practice: nothingLearned, ...overrides };
}

function networks(...texts: string[]): IpNetwork[] {
  return texts.map((text) => parseIpNetwork(text) as IpNetwork);
}

function origin(ip: string, location: GeoLocation | null) {
  return { address: parseIpAddress(ip), location };
}

const portland: Place = { countryCode: 'US', region: 'Oregon' };
const inOregon: GeoLocation = { kind: 'public', countryCode: 'US', region: 'Oregon', city: 'Portland' };
const inCalifornia: GeoLocation = { kind: 'public', countryCode: 'US', region: 'California', city: 'Mountain View' };
const inEngland: GeoLocation = { kind: 'public', countryCode: 'GB', region: 'England', city: 'London' };

describe('access pattern decision', () => {
  it('accepts a local address with no pattern at all', () => {
    const result = assessSignInOrigin(pattern(), origin('192.168.1.20', { kind: 'local' }));

    expect(result).toEqual({ isUsual: true, basis: 'local' });
  });

  it('accepts an address inside a trusted network', () => {
    const clinic = pattern({ trustedNetworks: networks('203.0.113.0/24') });

    const result = assessSignInOrigin(clinic, origin('203.0.113.77', inOregon));

    expect(result).toEqual({ isUsual: true, basis: 'trusted_network' });
  });

  it('accepts an IPv6 address inside a trusted /48', () => {
    const clinic = pattern({ trustedNetworks: networks('2001:db8:40::/48') });

    const inside = assessSignInOrigin(clinic, origin('2001:db8:40:7::15', inOregon));
    const outside = assessSignInOrigin(clinic, origin('2001:db8:41::15', inEngland));

    expect(inside).toEqual({ isUsual: true, basis: 'trusted_network' });
    expect(outside).toEqual({ isUsual: false, reason: 'new_country' });
  });

  it('accepts a network the user signed in from before', () => {
    const known = pattern({ user: learned(['198.51.100.0/24'], [portland]), practice: learned(['198.51.100.0/24'], [portland]) });

    const result = assessSignInOrigin(known, origin('198.51.100.200', inEngland));

    expect(result).toEqual({ isUsual: true, basis: 'known_network' });
  });

  it('accepts a network another practice member established', () => {
    const known = pattern({ user: learned(['192.0.2.0/24'], [portland]), practice: learned(['192.0.2.0/24', '198.51.100.0/24'], [portland]) });

    const result = assessSignInOrigin(known, origin('198.51.100.9', inOregon));

    expect(result).toEqual({ isUsual: true, basis: 'known_network' });
  });

  it('matches a learned IPv6 network by its /48', () => {
    const known = pattern({ user: learned(['2001:db8:1::/48'], [portland]), practice: learned(['2001:db8:1::/48'], [portland]) });

    const sameNetwork = assessSignInOrigin(known, origin('2001:db8:1:ff::1', inEngland));
    const nextNetwork = assessSignInOrigin(known, origin('2001:db8:2::1', inEngland));

    expect(sameNetwork).toEqual({ isUsual: true, basis: 'known_network' });
    expect(nextNetwork).toEqual({ isUsual: false, reason: 'new_country' });
  });

  it('accepts a new network in a region the user knows', () => {
    const known = pattern({ user: learned(['192.0.2.0/24'], [portland]), practice: learned(['192.0.2.0/24'], [portland]) });

    const result = assessSignInOrigin(known, origin('198.51.100.9', inOregon));

    expect(result).toEqual({ isUsual: true, basis: 'known_region' });
  });

  it('flags a new region in a known country', () => {
    const known = pattern({ user: learned(['192.0.2.0/24'], [portland]), practice: learned(['192.0.2.0/24'], [portland]) });

    const result = assessSignInOrigin(known, origin('8.8.8.8', inCalifornia));

    expect(result).toEqual({ isUsual: false, reason: 'new_region' });
  });

  it('flags a new country', () => {
    const known = pattern({ user: learned(['192.0.2.0/24'], [portland]), practice: learned(['192.0.2.0/24'], [portland]) });

    const result = assessSignInOrigin(known, origin('81.2.69.142', inEngland));

    expect(result).toEqual({ isUsual: false, reason: 'new_country' });
  });

  it('uses practice places only for a user without history', () => {
    const colleagueInCalifornia = learned(['192.0.2.0/24'], [{ countryCode: 'US', region: 'California' }]);
    const newcomer = pattern({ practice: colleagueInCalifornia });
    const regular = pattern({ user: learned(['198.51.100.0/24'], [portland]), practice: colleagueInCalifornia });

    const forNewcomer = assessSignInOrigin(newcomer, origin('8.8.8.8', inCalifornia));
    const forRegular = assessSignInOrigin(regular, origin('8.8.8.8', inCalifornia));

    expect(forNewcomer).toEqual({ isUsual: true, basis: 'known_region' });
    expect(forRegular).toEqual({ isUsual: false, reason: 'new_region' });
  });

  it('flags every public address before a pattern exists', () => {
    const result = assessSignInOrigin(pattern(), origin('8.8.8.8', inCalifornia));

    expect(result).toEqual({ isUsual: false, reason: 'no_pattern_yet' });
  });

  it('flags a public address the database cannot place', () => {
    const known = pattern({ user: learned(['192.0.2.0/24'], [portland]), practice: learned(['192.0.2.0/24'], [portland]) });

    const result = assessSignInOrigin(known, origin('198.51.100.9', { kind: 'public', countryCode: null, region: null, city: null }));

    expect(result).toEqual({ isUsual: false, reason: 'unknown_location' });
  });

  it('flags a missing client address', () => {
    const result = assessSignInOrigin(pattern({ trustedNetworks: networks('0.0.0.0/0') }), { address: null, location: null });

    expect(result).toEqual({ isUsual: false, reason: 'unknown_address' });
  });
});
