import { isIP } from 'node:net';

/** An IPv4 or IPv6 address as bytes. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are stored as IPv4. */
export interface IpAddress {
  version: 4 | 6;
  bytes: Uint8Array;
  /** Canonical text: dotted decimal, or lower-case IPv6 with the longest zero run shortened to `::`. */
  text: string;
}

/** A CIDR block with its host bits cleared, for example `203.0.113.0/24` or `2001:db8::/48`. */
export interface IpNetwork {
  address: IpAddress;
  prefixLength: number;
  text: string;
}

/** Prefix lengths that group addresses into one learned network: a /24 for IPv4, a /48 for IPv6. */
export const learnedPrefixLength = { 4: 24, 6: 48 } as const;

/**
 * Private, loopback and link-local ranges. An address in one of them reached the server without
 * crossing the internet, so it has no geographic location.
 */
const localNetworks: readonly IpNetwork[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
].map((text) => parseIpNetwork(text) as IpNetwork);

/** Parses an IPv4 or IPv6 address (an IPv6 zone such as `%eth0` is dropped); returns null when it is not one. */
export function parseIpAddress(text: string): IpAddress | null {
  const withoutZone = text.trim().replace(/%[0-9A-Za-z._~-]+$/, '');
  const version = isIP(withoutZone);
  if (version === 4) {
    return toIpAddress(4, Uint8Array.from(withoutZone.split('.').map(Number)));
  }
  if (version !== 6) {
    return null;
  }
  const bytes = parseIpv6Bytes(withoutZone);
  if (bytes === null) {
    return null;
  }
  const isIpv4Mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return isIpv4Mapped ? toIpAddress(4, bytes.slice(12)) : toIpAddress(6, bytes);
}

/** Parses a CIDR block such as `203.0.113.0/24`; a bare address is a block of one. Host bits are cleared. */
export function parseIpNetwork(text: string): IpNetwork | null {
  const [addressText, prefixText, ...rest] = text.trim().split('/');
  if (addressText === undefined || rest.length > 0) {
    return null;
  }
  const address = parseIpAddress(addressText);
  if (address === null) {
    return null;
  }
  const maxPrefix = address.bytes.length * 8;
  if (prefixText !== undefined && !/^[0-9]{1,3}$/.test(prefixText)) {
    return null;
  }
  const prefixLength = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefixLength > maxPrefix) {
    return null;
  }
  return toIpNetwork(address, prefixLength);
}

export function isAddressInNetwork(address: IpAddress, network: IpNetwork): boolean {
  if (address.version !== network.address.version) {
    return false;
  }
  const masked = maskBytes(address.bytes, network.prefixLength);
  return masked.every((byte, index) => byte === network.address.bytes[index]);
}

export function isLocalAddress(address: IpAddress): boolean {
  return localNetworks.some((network) => isAddressInNetwork(address, network));
}

/** Returns the /24 (IPv4) or /48 (IPv6) block that contains `address`. */
export function toLearnedNetwork(address: IpAddress): IpNetwork {
  return toIpNetwork(address, learnedPrefixLength[address.version]);
}

function toIpNetwork(address: IpAddress, prefixLength: number): IpNetwork {
  const networkAddress = toIpAddress(address.version, maskBytes(address.bytes, prefixLength));
  return { address: networkAddress, prefixLength, text: `${networkAddress.text}/${prefixLength}` };
}

function toIpAddress(version: 4 | 6, bytes: Uint8Array): IpAddress {
  return { version, bytes, text: version === 4 ? bytes.join('.') : formatIpv6(bytes) };
}

function maskBytes(bytes: Uint8Array, prefixLength: number): Uint8Array {
  return bytes.map((byte, index) => {
    const bitsInByte = Math.min(Math.max(prefixLength - index * 8, 0), 8);
    return byte & ((0xff << (8 - bitsInByte)) & 0xff);
  });
}

// `isIP` has already accepted the text, so this only expands `::` and an embedded IPv4 tail.
function parseIpv6Bytes(text: string): Uint8Array | null {
  const [head = '', tail, ...rest] = text.split('::');
  if (rest.length > 0) {
    return null;
  }
  const headGroups = splitIpv6Groups(head);
  const tailGroups = tail === undefined ? [] : splitIpv6Groups(tail);
  if (headGroups === null || tailGroups === null) {
    return null;
  }
  const missing = 8 - headGroups.length - tailGroups.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) {
    return null;
  }
  const groups = [...headGroups, ...new Array<number>(missing).fill(0), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

function splitIpv6Groups(part: string): number[] | null {
  if (part === '') {
    return [];
  }
  const groups: number[] = [];
  for (const piece of part.split(':')) {
    if (piece.includes('.')) {
      const octets = piece.split('.').map(Number);
      if (octets.length !== 4) {
        return null;
      }
      const [a = 0, b = 0, c = 0, d = 0] = octets;
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      groups.push(Number.parseInt(piece, 16));
    }
  }
  return groups;
}

// RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as `::`.
function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, index) => ((bytes[index * 2] ?? 0) << 8) | (bytes[index * 2 + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) {
      length += 1;
    }
    if (length > bestLength && length >= 2) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) {
    return hex.join(':');
  }
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
