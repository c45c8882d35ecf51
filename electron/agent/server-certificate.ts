import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { BridgeResult, ServerCertificate } from '../shared/bridge';
import { bridgeFailure, bridgeSuccess } from './bridge-result';

export interface ProbedServerCertificate {
  certificate: ServerCertificate;
  /**
   * The certificates the server presented, leaf first, as PEM. Saved as the trust anchor once
   * the person confirms the leaf's fingerprint.
   */
  chainPem: string;
}

export interface ServerAddress {
  /** The origin, like `https://ehr.clinic.example:8443`; the form every setting stores. */
  origin: string;
  hostname: string;
  port: number;
}

const probeTimeoutMs = 10_000;
const maxServerUrlLength = 2048;

/**
 * Connects to the server and reads the certificate it presents, so the person can compare its
 * SHA-256 fingerprint with the one the server printed when it started.
 */
export async function probeServerCertificate(serverUrl: string): Promise<BridgeResult<ProbedServerCertificate>> {
  const address = parseServerAddress(serverUrl);
  if (address === null) {
    return bridgeFailure('SERVER_ADDRESS_INVALID');
  }

  return new Promise((resolve) => {
    // Verification is off for this one connection only, and that is safe: the socket sends no
    // application data, only reads the presented certificate and is then destroyed, and nothing
    // is trusted until the person confirms the fingerprint. From then on the saved certificate is
    // the only trust anchor, and every API call verifies it (see api-client.ts).
    const socket = tls.connect({
      host: address.hostname,
      port: address.port,
      servername: net.isIP(address.hostname) === 0 ? address.hostname : undefined,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: false,
    });
    socket.setTimeout(probeTimeoutMs);

    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      socket.destroy();
      const probed = describePresentedChain(address.origin, peer);
      resolve(probed === null ? bridgeFailure('SERVER_UNREACHABLE') : bridgeSuccess(probed));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(bridgeFailure('SERVER_UNREACHABLE'));
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(bridgeFailure('SERVER_UNREACHABLE'));
    });
  });
}

/**
 * Parses a server address typed by a person. Only `https://host[:port]` is accepted, with an
 * optional trailing `/`: no credentials, path, query or fragment. Returns null when invalid.
 */
export function parseServerAddress(serverUrl: string): ServerAddress | null {
  const trimmed = serverUrl.trim();
  if (trimmed === '' || trimmed.length > maxServerUrlLength) {
    return null;
  }

  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  const hasExtraParts =
    url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '';
  // URL() drops an empty `?` or `#`, so the raw text is checked for them as well.
  const hasStrayMarks = /[?#]/.test(trimmed);
  if (url.protocol !== 'https:' || url.hostname === '' || hasExtraParts || hasStrayMarks) {
    return null;
  }

  return {
    origin: url.origin,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 443 : Number(url.port),
  };
}

/** Formats a SHA-256 fingerprint as colon-separated uppercase hex pairs, whatever its input form. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[\s:]/g, '').toUpperCase();
  return hex.match(/.{1,2}/g)?.join(':') ?? '';
}

export function isSameFingerprint(left: string, right: string): boolean {
  const normalizedLeft = normalizeFingerprint(left);
  return normalizedLeft !== '' && normalizedLeft === normalizeFingerprint(right);
}

/** Reads the first certificate of a PEM bundle, or returns null when the text contains none. */
export function readFirstCertificate(pem: string): X509Certificate | null {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (match === null) {
    return null;
  }
  try {
    return new X509Certificate(match[0]);
  } catch {
    return null;
  }
}

function describePresentedChain(origin: string, peer: tls.DetailedPeerCertificate): ProbedServerCertificate | null {
  if (peer.raw === undefined) {
    return null;
  }

  const leaf = new X509Certificate(peer.raw);
  const certificate: ServerCertificate = {
    serverUrl: origin,
    fingerprint: normalizeFingerprint(leaf.fingerprint256),
    subject: readCommonName(peer.subject),
    issuer: readCommonName(peer.issuer),
    validFrom: new Date(leaf.validFrom).toISOString(),
    validTo: new Date(leaf.validTo).toISOString(),
  };
  return { certificate, chainPem: collectChainPem(peer) };
}

/**
 * Collects the presented chain as PEM, leaf first. OpenSSL, as Node 20 configures it, accepts a
 * CA-signed leaf only with a chain up to a self-signed root, so the issuers the server sent are
 * kept as well as the leaf.
 *
 * NOTE: a server that sends its leaf and intermediates but not the root cannot be trusted this
 * way. The IT person presets such a workstation with CLINICGATE_SERVER_CA_FILE instead.
 */
function collectChainPem(peer: tls.DetailedPeerCertificate): string {
  const pems: string[] = [];
  const seen = new Set<string>();
  let current: tls.DetailedPeerCertificate | undefined = peer;
  while (current?.raw !== undefined && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    pems.push(new X509Certificate(current.raw).toString().trim());
    current = current.issuerCertificate;
  }
  return `${pems.join('\n')}\n`;
}

function readCommonName(name: tls.Certificate | undefined): string {
  const commonName = name?.CN as string | string[] | undefined;
  if (Array.isArray(commonName)) {
    return commonName.join(', ');
  }
  return commonName ?? '';
}
