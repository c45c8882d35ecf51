import { describe, expect, it } from 'vitest';
import { defaultGeoipSettings, openGeoLocator } from '../../server/src/geo/geo-locator';
import { describeLocation } from '../../server/src/geo/location-text';
import {
  isAddressInNetwork,
  isLocalAddress,
  parseIpAddress,
  parseIpNetwork,
  toLearnedNetwork,
  type IpAddress,
  type IpNetwork,
} from '../../server/src/network/ip-address';

const address = (text: string): IpAddress => parseIpAddress(text) as IpAddress;
const network = (text: string): IpNetwork => parseIpNetwork(text) as IpNetwork;

describe('ip addresses and networks', () => {
  it('reads IPv4-mapped IPv6 as IPv4', () => {
    expect(address('::ffff:203.0.113.9')).toMatchObject({ version: 4, text: '203.0.113.9' });
  });

  it('writes IPv6 in canonical form', () => {
    expect(address('2001:0DB8:0000:0000:0000:0000:0000:0001').text).toBe('2001:db8::1');
    expect(address('fe80::1%eth0').text).toBe('fe80::1');
  });

  it('rejects text that is not an address', () => {
    expect(parseIpAddress('203.0.113')).toBeNull();
    expect(parseIpAddress('unknown')).toBeNull();
    expect(parseIpNetwork('203.0.113.0/33')).toBeNull();
    expect(parseIpNetwork('2001:db8::/129')).toBeNull();
    expect(parseIpNetwork('203.0.113.0/24/1')).toBeNull();
    expect(parseIpNetwork('203.0.113.0/x')).toBeNull();
  });

  it('clears host bits of a CIDR block', () => {
    expect(network('203.0.113.77/24').text).toBe('203.0.113.0/24');
    expect(network('2001:db8:abcd:12::1/48').text).toBe('2001:db8:abcd::/48');
    expect(network('10.1.2.3').text).toBe('10.1.2.3/32');
  });

  it('matches addresses against networks of their own version', () => {
    expect(isAddressInNetwork(address('172.31.255.1'), network('172.16.0.0/12'))).toBe(true);
    expect(isAddressInNetwork(address('172.32.0.1'), network('172.16.0.0/12'))).toBe(false);
    expect(isAddressInNetwork(address('::ffff:10.0.0.1'), network('10.0.0.0/8'))).toBe(true);
    expect(isAddressInNetwork(address('2001:db8::1'), network('0.0.0.0/0'))).toBe(false);
  });

  it('groups learned networks by /24 and /48', () => {
    expect(toLearnedNetwork(address('198.51.100.200')).text).toBe('198.51.100.0/24');
    expect(toLearnedNetwork(address('2001:db8:1:ff::1')).text).toBe('2001:db8:1::/48');
  });

  it('treats private, loopback and link-local addresses as local', () => {
    for (const text of ['10.2.3.4', '172.20.0.1', '192.168.0.10', '127.0.0.1', '169.254.1.1', '::1', 'fd12:3456::1', 'fe80::1']) {
      expect(isLocalAddress(address(text)), text).toBe(true);
    }
    for (const text of ['8.8.8.8', '100.64.0.1', '2001:4860:4860::8888']) {
      expect(isLocalAddress(address(text)), text).toBe(false);
    }
  });
});

describe('offline geolocation', () => {
  const locator = openGeoLocator(defaultGeoipSettings());

  it('places IPv4 addresses by country and region', () => {
    expect(locator.locate(address('8.8.8.8'))).toMatchObject({ kind: 'public', countryCode: 'US', region: 'California' });
    expect(locator.locate(address('81.2.69.142'))).toMatchObject({ kind: 'public', countryCode: 'GB', region: 'England' });
  });

  it('places IPv6 addresses', () => {
    expect(locator.locate(address('2a00:1450:4009:81f::200e'))).toMatchObject({ kind: 'public', countryCode: 'GB', region: 'England' });
  });

  it('reports private addresses as local', () => {
    expect(locator.locate(address('10.0.0.7'))).toEqual({ kind: 'local' });
    expect(describeLocation(locator.locate(address('10.0.0.7')))).toBe('Local network');
  });

  it('describes a place in words', () => {
    expect(describeLocation(locator.locate(address('81.2.69.142')))).toBe('London, England, United Kingdom');
  });

  it('names the setting when a database file is missing', () => {
    expect(() => openGeoLocator({ ipv4File: '/nonexistent/city.mmdb', ipv6File: '/nonexistent/city6.mmdb' })).toThrow(/geoip\.ipv4File/);
  });
});
