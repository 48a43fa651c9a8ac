import type { KeyObject, X509Certificate } from 'node:crypto';
import type * as Forge from 'node-forge';
import { ConfigurationError, ErrorCode } from '../../errors.js';
import { nodeCrypto, nodeFs, nodeModule } from '../node.js';
import { checkCertificate, materialFromCertificate, type SigningMaterial } from './certificate.js';
import type { PfxCredential } from './types.js';

/*
 * PKCS#12 parsing uses node-forge. Node's crypto has no PFX parser, and files in the wild
 * use two encryption families: PBES2 (PBKDF2 + AES, what OpenSSL 3 and Windows write today)
 * and the PKCS#12 PBE with 3DES/RC2 and its own key derivation (RFC 7292 B.2, what older
 * Windows exports and Azure Key Vault downloads use), plus the HMAC integrity check. A reader
 * of our own would be an ASN.1 walker and two KDFs, a few hundred lines of security-sensitive
 * code to maintain; forge is mature, pure JavaScript, and already handles all of it.
 * It is an optional peer dependency, loaded through createRequire only when a PFX credential is
 * constructed, so no other entry (and no browser bundle) ever loads it, and a browser app never installs it.
 */
function forge(): typeof Forge {
  // The CommonJS build has no import.meta (its bundler leaves an empty object there) but has __filename.
  const here = typeof __filename === 'string' ? __filename : import.meta.url;
  try {
    return nodeModule().createRequire(here)('node-forge') as typeof Forge;
  } catch (cause) {
    // An optional peer dependency: a browser app (or a server using only secrets and PEM keys) never installs it.
    throw new ConfigurationError(
      ErrorCode.nodeForgeMissing,
      'Reading a PFX (PKCS#12) credential ("privateKeyPfxPath") needs the "node-forge" package: npm install node-forge. PEM keys and client secrets do not need it.',
      { cause },
    );
  }
}

const unreadable = (path: string, reason: string): ConfigurationError =>
  new ConfigurationError(ErrorCode.credentialPfxUnreadable, `The PFX file "${path}" ${reason}`);

/** Form 5: the key and certificate of a PKCS#12 file; the thumbprint is computed, `x5c` sent when asked. */
export function pfxCredential(credential: PfxCredential): SigningMaterial {
  const path = credential.privateKeyPfxPath;
  if (typeof path !== 'string' || path === '') throw unreadable(String(path), 'is not a path: pass "privateKeyPfxPath" as a file path.');
  let bytes: Buffer;
  try {
    bytes = nodeFs().readFileSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw unreadable(path, code === 'ENOENT' ? 'does not exist.' : `cannot be read (${code ?? 'I/O error'}).`);
  }
  const f = forge();
  let pfx: Forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = f.asn1.fromDer(f.util.createBuffer(bytes.toString('binary')));
    pfx = f.pkcs12.pkcs12FromAsn1(asn1, false, credential.passphrase ?? '');
  } catch (error) {
    // forge says "Invalid password?" when the integrity MAC does not verify with the password.
    if (/password/i.test((error as Error).message ?? '')) {
      throw new ConfigurationError(
        ErrorCode.credentialPassphraseIncorrect,
        `The PFX file "${path}" could not be opened with the given "passphrase": it is the wrong password for this file.`,
      );
    }
    throw unreadable(path, 'is not a readable PKCS#12 file (damaged, or not a .pfx / .p12).');
  }
  const key = keyOf(f, pfx, path);
  const certificates = certificatesOf(f, pfx);
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(key));
  if (!leaf) {
    if (certificates.length === 0) throw unreadable(path, 'holds no certificate: export it with its certificate.');
    checkCertificate(certificates[0]!, key, `the PFX file "${path}"`); // throws the mismatch error
  }
  const chain = [leaf!, ...certificates.filter((certificate) => certificate !== leaf)];
  checkCertificate(chain[0]!, key, `the PFX file "${path}"`);
  return materialFromCertificate(key, chain, credential.publicCertificate === true, false);
}

function keyOf(f: typeof Forge, pfx: Forge.pkcs12.Pkcs12Pfx, path: string): KeyObject {
  const bags = [
    ...(pfx.getBags({ bagType: f.pki.oids.pkcs8ShroudedKeyBag! })[f.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(pfx.getBags({ bagType: f.pki.oids.keyBag! })[f.pki.oids.keyBag!] ?? []),
  ];
  const bag = bags[0];
  if (!bag) throw unreadable(path, 'holds no private key: export it with its private key.');
  const { createPrivateKey } = nodeCrypto();
  try {
    // forge decodes RSA keys itself; others (EC) come back as the PrivateKeyInfo ASN.1.
    if (bag.key) return createPrivateKey({ key: f.pki.privateKeyToPem(bag.key), format: 'pem' });
    if (bag.asn1) return createPrivateKey({ key: Buffer.from(f.asn1.toDer(bag.asn1).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  } catch {
    // fall through to the typed error
  }
  throw unreadable(path, 'holds a private key that could not be read.');
}

function certificatesOf(f: typeof Forge, pfx: Forge.pkcs12.Pkcs12Pfx): X509Certificate[] {
  const { X509Certificate: Certificate } = nodeCrypto();
  const bags = pfx.getBags({ bagType: f.pki.oids.certBag! })[f.pki.oids.certBag!] ?? [];
  return bags.flatMap((bag) => {
    const asn1 = bag.cert ? f.pki.certificateToAsn1(bag.cert) : bag.asn1;
    if (!asn1) return [];
    try {
      return [new Certificate(Buffer.from(f.asn1.toDer(asn1).getBytes(), 'binary'))];
    } catch {
      return [];
    }
  });
}
