import { isIP } from 'node:net';

/**
 * Reports whether a host name or address always refers to this machine: `localhost`,
 * an address in 127.0.0.0/8, or `::1`. Other names are not resolved, so a name that
 * happens to resolve to a loopback address does not count.
 */
export function isLoopbackHost(host: string): boolean {
  const bareHost = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bareHost === 'localhost') {
    return true;
  }

  const ipVersion = isIP(bareHost);
  if (ipVersion === 4) {
    return bareHost.startsWith('127.');
  }
  if (ipVersion === 6) {
    return bareHost === '::1' || bareHost === '0:0:0:0:0:0:0:1';
  }
  return false;
}
