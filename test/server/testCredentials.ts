/**
 * Test-only certificates, keys and PKCS#12 files, made fresh for each run (nothing is
 * committed): RSA keys from node:crypto, X.509 certificates and PFX files from node-forge.
 */
import { createHash, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

const DAY = 24 * 60 * 60 * 1000;

export interface TestKey {
  key: KeyObject;
  /** Unencrypted PKCS#8 PEM. */
  pkcs8: string;
  pkcs1: string;
  forgeKey: forge.pki.rsa.PrivateKey;
}

export function makeKey(): TestKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { key: privateKey, pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pkcs1, forgeKey: forge.pki.privateKeyFromPem(pkcs1) };
}

export function encryptedPkcs8(key: TestKey, passphrase: string): string {
  return key.key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
}

export function encryptedPkcs1(key: TestKey, passphrase: string): string {
  return key.key.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
}

export interface CertificateOptions {
  subject: string;
  key: TestKey;
  /** Signs the certificate; default: self-signed. */
  issuer?: { subject: string; key: TestKey };
  notBefore?: Date;
  notAfter?: Date;
  ca?: boolean;
}

let serial = 1;
/** A PEM X.509 certificate. */
export function makeCertificate(options: CertificateOptions): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(options.key.forgeKey.n, options.key.forgeKey.e);
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 365 * DAY);
  cert.setSubject([{ name: 'commonName', value: options.subject }]);
  cert.setIssuer([{ name: 'commonName', value: options.issuer?.subject ?? options.subject }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: options.ca ?? false }]);
  cert.sign((options.issuer?.key ?? options.key).forgeKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Writes a PKCS#12 file (3DES, what older Windows exports use; or AES-256 / PBES2, today's default) and returns its path. */
export function makePfx(key: TestKey, chain: string[], password: string, algorithm: '3des' | 'aes256' = 'aes256'): string {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    key.forgeKey,
    chain.map((pem) => forge.pki.certificateFromPem(pem)),
    password,
    { algorithm },
  );
  const path = join(mkdtempSync(join(tmpdir(), 'keyward-pfx-')), 'test.pfx');
  writeFileSync(path, Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  return path;
}

/** A file that is not PKCS#12. */
export function writeTempFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'keyward-pfx-')), 'broken.pfx');
  writeFileSync(path, content);
  return path;
}

/** SHA-1 thumbprint, hex (as the Entra portal shows it). */
export function thumbprintHex(pem: string, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  return createHash(algorithm).update(new X509Certificate(pem).raw).digest('hex').toUpperCase();
}

/** base64url thumbprint, as `x5t` carries it. */
export function x5tOf(pem: string, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  return createHash(algorithm).update(new X509Certificate(pem).raw).digest('base64url');
}

export const derBase64 = (pem: string): string => new X509Certificate(pem).raw.toString('base64');

/** A CA, a leaf issued by it (with the leaf's key), another unrelated key, and an expired and a future certificate. */
export function makeTestPki() {
  const caKey = makeKey();
  const ca = makeCertificate({ subject: 'keyward test CA', key: caKey, ca: true });
  const leafKey = makeKey();
  const leaf = makeCertificate({ subject: 'keyward test app', key: leafKey, issuer: { subject: 'keyward test CA', key: caKey } });
  const otherKey = makeKey();
  const expired = makeCertificate({
    subject: 'keyward expired',
    key: leafKey,
    notBefore: new Date(Date.now() - 30 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  const future = makeCertificate({ subject: 'keyward future', key: leafKey, notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 30 * DAY) });
  return { caKey, ca, leafKey, leaf, otherKey, expired, future };
}
