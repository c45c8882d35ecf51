import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../audit/audit-log';
import { isAddressInNetwork, parseIpAddress, parseIpNetwork, type IpNetwork } from '../network/ip-address';

/**
 * Returns the request's origin. The client IP is `request.ip`: the socket address, or, when the
 * socket address is a trusted proxy, the rightmost `X-Forwarded-For` hop that is not one (see
 * `createProxyTrust`). An address that does not parse, such as a proxy's garbled header, is null.
 */
export function requestOrigin(request: FastifyRequest, deviceFingerprint: string | null): RequestOrigin {
  const address = parseIpAddress(request.ip ?? '');
  return { ip: address?.text ?? null, deviceFingerprint };
}

/**
 * Builds Fastify's `trustProxy` check from the `trustedProxies` CIDR blocks. Fastify walks from the
 * socket address leftward through `X-Forwarded-For` while each hop is trusted, so a header from a
 * client that is not a listed proxy changes nothing. Returns false when no proxy is listed.
 */
export function createProxyTrust(trustedProxies: readonly string[]): false | ((address: string) => boolean) {
  const networks = trustedProxies.map(parseIpNetwork).filter((network): network is IpNetwork => network !== null);
  if (networks.length === 0) {
    return false;
  }
  return (address) => {
    const parsed = parseIpAddress(address);
    return parsed !== null && networks.some((network) => isAddressInNetwork(parsed, network));
  };
}
