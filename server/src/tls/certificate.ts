import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { ServerConfig } from '../config';

export interface ServerCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  /** SHA-256 of the DER certificate as colon-separated uppercase hex pairs. */
  fingerprint: string;
  wasGenerated: boolean;
}

/** 825 days is the longest validity that macOS and iOS accept for a TLS server certificate. */
export const selfSignedValidityDays = 825;

/**
 * Returns the configured certificate, or on first start generates a self-signed one
 * (EC P-256, SAN localhost, 127.0.0.1, ::1 and the OS hostname) under `<dataDir>/tls`
 * and reuses it on later starts.
 */
export async function loadOrCreateCertificate(config: Pick<ServerConfig, 'dataDir' | 'tls'>, now = new Date()): Promise<ServerCertificate> {
  if (config.tls.certFile !== null && config.tls.keyFile !== null) {
    return readCertificate(config.tls.certFile, config.tls.keyFile, false);
  }
  const directory = path.join(config.dataDir, 'tls');
  const certFile = path.join(directory, 'server.crt');
  const keyFile = path.join(directory, 'server.key');
  if (existsSync(certFile) && existsSync(keyFile)) {
    return readCertificate(certFile, keyFile, false);
  }

  const generated = await generateSelfSignedCertificate(now);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, generated.key, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, generated.cert, { mode: 0o644 });
  return readCertificate(certFile, keyFile, true);
}

export function formatCertificateFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256.toUpperCase();
}

async function generateSelfSignedCertificate(now: Date): Promise<{ cert: string; key: string }> {
  const hostname = os.hostname();
  const dnsNames = ['localhost', ...(hostname !== '' && hostname !== 'localhost' ? [hostname] : [])];
  const result = await generate([{ name: 'commonName', value: 'ClinicGate server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + selfSignedValidityDays * 24 * 60 * 60_000),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dnsNames.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private };
}

function readCertificate(certFile: string, keyFile: string, wasGenerated: boolean): ServerCertificate {
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  return { cert, key, certFile, keyFile, fingerprint: formatCertificateFingerprint(cert), wasGenerated };
}
