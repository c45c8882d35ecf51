import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { OtpChannel } from '../../../electron/shared/api';
import { DeliveryError } from './types';

const pemCertificateHeader = '-----BEGIN CERTIFICATE-----';

/**
 * Reads the PEM file of an extra certificate authority and returns Node's bundled root
 * certificates plus the certificates in that file, ready for the `ca` option of
 * `tls.connect`. Passing only the file would make Node trust nothing else.
 * Throws a `misconfigured` DeliveryError when the file cannot be read or contains no certificate.
 */
export function readTrustedCertificates(channel: OtpChannel, caFile: string): string[] {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (error) {
    const errorCode = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new DeliveryError(
      channel,
      'misconfigured',
      `Could not read the CA file ${caFile} (${errorCode}). Check that the path in caFile exists and is readable.`,
    );
  }

  if (!pem.includes(pemCertificateHeader)) {
    throw new DeliveryError(
      channel,
      'misconfigured',
      `The CA file ${caFile} contains no PEM certificate. Set caFile to a file that starts with "${pemCertificateHeader}".`,
    );
  }

  return [...rootCertificates, pem];
}

/** Reports whether a Node.js TLS error code means that the peer's certificate failed verification. */
export function isCertificateVerificationError(code: string): boolean {
  return code.includes('CERT') || code.includes('SIGNATURE') || code.includes('ISSUER');
}
