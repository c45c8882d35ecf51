import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1X509 from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';

const ecdsaWithSha256 = '1.2.840.10045.4.3.2';
const defaultHostnames = ['localhost', '127.0.0.1'];
const validityMs = 24 * 60 * 60 * 1000;
// Leaves start a little in the past so that a peer with a slightly slow clock accepts them.
const backdateMs = 60 * 60 * 1000;

/**
 * Creates a throwaway certificate authority (ECDSA P-256) that issues TLS server
 * certificates, so tests run real TLS with verification on: servers use a leaf from
 * `issue`, and clients trust `caCertPem` through their `ca` option.
 *
 * Everything runs synchronously. @peculiar/x509 builds the names and extensions, and
 * node:crypto signs, because the library's own certificate generator is async only.
 */
export function createTestCertificateAuthority(): TestCertificateAuthority {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = `CN=ClinicGate test CA ${randomBytes(4).toString('hex')}`;
  const caKeyId = computeKeyId(caKeys.publicKey);
  const caCertPem = signCertificate({
    subject: caName,
    issuer: caName,
    subjectPublicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectKeyIdentifierExtension(caKeyId),
    ],
  });

  return {
    caCertPem,
    issue(hostnames: string[]): IssuedCertificate {
      const names = hostnames.length > 0 ? hostnames : defaultHostnames;
      const leafKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const certPem = signCertificate({
        subject: `CN=${names[0] ?? 'localhost'}`,
        issuer: caName,
        subjectPublicKey: leafKeys.publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(names.map(toGeneralName)),
          new x509.SubjectKeyIdentifierExtension(computeKeyId(leafKeys.publicKey)),
          new x509.AuthorityKeyIdentifierExtension(caKeyId),
        ],
      });
      const keyPem = leafKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      return { keyPem, certPem };
    },
  };
}

function signCertificate(request: CertificateRequest): string {
  const now = Date.now();
  const signatureAlgorithm = new asn1X509.AlgorithmIdentifier({ algorithm: ecdsaWithSha256 });
  const serialNumber = randomBytes(16);
  // DER wants a positive, minimally encoded INTEGER: the first byte must be 0x01-0x7f.
  serialNumber[0] = ((serialNumber[0] ?? 0) & 0x3f) | 0x40;

  const tbsCertificate = new asn1X509.TBSCertificate({
    version: asn1X509.Version.v3,
    serialNumber: toArrayBuffer(serialNumber),
    signature: signatureAlgorithm,
    issuer: AsnConvert.parse(new x509.Name(request.issuer).toArrayBuffer(), asn1X509.Name),
    validity: new asn1X509.Validity({ notBefore: new Date(now - backdateMs), notAfter: new Date(now + validityMs) }),
    subject: AsnConvert.parse(new x509.Name(request.subject).toArrayBuffer(), asn1X509.Name),
    subjectPublicKeyInfo: AsnConvert.parse(request.subjectPublicKey.export({ type: 'spki', format: 'der' }), asn1X509.SubjectPublicKeyInfo),
    extensions: new asn1X509.Extensions(request.extensions.map((extension) => AsnConvert.parse(extension.rawData, asn1X509.Extension))),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbsCertificate));

  const certificate = new asn1X509.Certificate({
    tbsCertificate,
    signatureAlgorithm,
    signatureValue: toArrayBuffer(sign('sha256', tbsDer, request.signingKey)),
  });
  return new X509Certificate(Buffer.from(AsnConvert.serialize(certificate))).toString();
}

// The SHA-1 of the public key bits (RFC 5280, section 4.2.1.2, method 1), in hex.
function computeKeyId(publicKey: KeyObject): string {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), asn1X509.SubjectPublicKeyInfo);
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest('hex');
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

interface CertificateRequest {
  subject: string;
  issuer: string;
  subjectPublicKey: KeyObject;
  signingKey: KeyObject;
  extensions: x509.Extension[];
}

export interface TestCertificateAuthority {
  caCertPem: string;
  /**
   * Issues a server certificate whose subject alternative names are `hostnames`
   * (IP addresses and DNS names). An empty list means `localhost` and `127.0.0.1`.
   */
  issue(hostnames: string[]): IssuedCertificate;
}

export interface IssuedCertificate {
  keyPem: string;
  certPem: string;
}

function toGeneralName(name: string): x509.JsonGeneralName {
  return isIP(name) === 0 ? { type: 'dns', value: name } : { type: 'ip', value: name };
}
