import type { KeyObject, X509Certificate } from 'node:crypto';
import { ConfigurationError, ErrorCode } from '../../errors.js';
import { nodeCrypto } from '../node.js';
import type { CertificateCredential } from './types.js';

/** What signing a client assertion needs: the key, the algorithm, and the certificate headers. */
export interface SigningMaterial {
  key: KeyObject;
  alg: 'RS256' | 'PS256';
  /** base64url SHA-1 thumbprint of the certificate (`x5t`). */
  x5t?: string;
  /** base64url SHA-256 thumbprint (`x5t#S256`), with PS256. */
  x5tS256?: string;
  /** The chain, leaf first, base64 DER (`x5c`, RFC 7515 4.1.6); only when asked for. */
  x5c?: string[];
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Loads a PEM private key. OpenSSL's reasons are not passed on: they can quote parts of the
 * input, and the input is key material. An encrypted key that does not open is a passphrase
 * problem (missing or wrong); anything else that does not parse is a malformed key.
 */
export function loadPrivateKey(pem: unknown, passphrase: string | undefined, what = '"privateKey"'): KeyObject {
  if (typeof pem !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new ConfigurationError(
      ErrorCode.credentialKeyMalformed,
      `${what} is not a PEM private key: pass the text of a PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY") key file.`,
    );
  }
  const encrypted = /ENCRYPTED/.test(pem);
  try {
    return nodeCrypto().createPrivateKey(passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase });
  } catch {
    if (encrypted) {
      throw new ConfigurationError(
        ErrorCode.credentialPassphraseIncorrect,
        passphrase === undefined
          ? `${what} is encrypted: pass its "passphrase".`
          : `${what} could not be decrypted with the given "passphrase": it is the wrong passphrase for this key.`,
      );
    }
    throw new ConfigurationError(
      ErrorCode.credentialKeyMalformed,
      `${what} could not be read as a PEM private key (damaged or an unsupported format). Export it again as PKCS#8 PEM.`,
    );
  }
}

/** Parses a PEM certificate chain, leaf first. */
export function parseCertificateChain(pem: unknown, what = '"publicCertificate"'): X509Certificate[] {
  const blocks = typeof pem === 'string' ? (pem.match(pemBlock) ?? []) : [];
  if (blocks.length === 0) {
    throw new ConfigurationError(
      ErrorCode.credentialCertificateMalformed,
      `${what} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). Pass the certificate, or its chain leaf first, in PEM.`,
    );
  }
  const { X509Certificate: Certificate } = nodeCrypto();
  return blocks.map((block, index) => {
    try {
      return new Certificate(block);
    } catch {
      throw new ConfigurationError(
        ErrorCode.credentialCertificateMalformed,
        `Certificate ${index + 1} in ${what} could not be parsed. Check that the PEM text is complete.`,
      );
    }
  });
}

/** The leaf must belong to the key and be valid now: Entra would refuse it anyway, later and less clearly. */
export function checkCertificate(leaf: X509Certificate, key: KeyObject, what: string, now = Date.now()): void {
  if (!leaf.checkPrivateKey(key)) {
    throw new ConfigurationError(
      ErrorCode.credentialKeyCertificateMismatch,
      `The private key does not belong to the certificate in ${what} (${leaf.subject.replace(/\n/g, ', ')}). Pair the key with the certificate it was issued with.`,
    );
  }
  if (Date.parse(leaf.validTo) <= now) {
    throw new ConfigurationError(
      ErrorCode.credentialCertificateExpired,
      `The certificate in ${what} expired on ${new Date(leaf.validTo).toISOString()}. Renew it, upload the new one to the app registration, and use it here.`,
    );
  }
  if (Date.parse(leaf.validFrom) > now) {
    throw new ConfigurationError(
      ErrorCode.credentialCertificateNotYetValid,
      `The certificate in ${what} is not valid before ${new Date(leaf.validFrom).toISOString()}. Check the clock, or wait until then.`,
    );
  }
}

/** Signing material from a key and its certificate chain (PEM or PKCS#12 forms). */
export function materialFromCertificate(key: KeyObject, chain: X509Certificate[], sendChain: boolean, usePs256: boolean): SigningMaterial {
  const { createHash } = nodeCrypto();
  const leaf = chain[0]!;
  const material: SigningMaterial = { key, alg: usePs256 ? 'PS256' : 'RS256', x5t: createHash('sha1').update(leaf.raw).digest('base64url') };
  if (usePs256) material.x5tS256 = createHash('sha256').update(leaf.raw).digest('base64url');
  if (sendChain) material.x5c = chain.map((certificate) => certificate.raw.toString('base64'));
  return material;
}

/** A hex thumbprint (separators allowed) as bytes, or a typed error naming the expected shape. */
function thumbprintBytes(value: unknown, name: string, hexDigits: number): Buffer {
  const hex = typeof value === 'string' ? value.replace(/[\s:]/g, '') : '';
  if (!new RegExp(`^[0-9a-fA-F]{${hexDigits}}$`).test(hex)) {
    throw new ConfigurationError(
      ErrorCode.credentialThumbprintInvalid,
      `"${name}" must be the certificate's ${hexDigits === 40 ? 'SHA-1' : 'SHA-256'} thumbprint as ${hexDigits} hexadecimal digits (as the Entra portal shows it), not base64 or a certificate.`,
    );
  }
  return Buffer.from(hex, 'hex');
}

/** Forms 2 and 3: a PEM key with a thumbprint, optionally with the certificate chain for `x5c`. */
export function certificateCredential(credential: CertificateCredential): SigningMaterial {
  const key = loadPrivateKey(credential.privateKey, credential.passphrase);
  const usePs256 = credential.thumbprintSha256 !== undefined;
  const sha1 = credential.thumbprint === undefined ? undefined : thumbprintBytes(credential.thumbprint, 'thumbprint', 40);
  const sha256 = usePs256 ? thumbprintBytes(credential.thumbprintSha256, 'thumbprintSha256', 64) : undefined;
  if (credential.publicCertificate !== undefined) {
    const chain = parseCertificateChain(credential.publicCertificate);
    checkCertificate(chain[0]!, key, '"publicCertificate"');
    const material = materialFromCertificate(key, chain, true, usePs256);
    const { createHash } = nodeCrypto();
    const given = sha256 ?? sha1;
    const actual = createHash(sha256 ? 'sha256' : 'sha1')
      .update(chain[0]!.raw)
      .digest();
    if (given && !given.equals(actual)) {
      throw new ConfigurationError(
        ErrorCode.credentialThumbprintInvalid,
        'The thumbprint given is not the thumbprint of the first certificate in "publicCertificate" (the leaf must come first).',
      );
    }
    return material;
  }
  if (!sha1 && !sha256) {
    throw new ConfigurationError(
      ErrorCode.credentialThumbprintInvalid,
      'A "privateKey" credential needs the certificate\'s "thumbprint" (or "thumbprintSha256"), or its "publicCertificate".',
    );
  }
  const material: SigningMaterial = { key, alg: usePs256 ? 'PS256' : 'RS256' };
  if (sha1) material.x5t = sha1.toString('base64url');
  if (sha256) material.x5tS256 = sha256.toString('base64url');
  return material;
}
