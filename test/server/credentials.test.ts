// The five credential forms of keyward/server: what each adds to a token request, what a
// signed client assertion holds, and the typed errors a bad credential gets at construction.
import { createPublicKey } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfidentialClientApplication, type ClientCredential } from '../../src/server/index.js';
import { clientAuthenticationFor } from '../../src/server/credentials/index.js';
import { derBase64, encryptedPkcs1, encryptedPkcs8, makePfx, makeTestPki, thumbprintHex, writeTempFile, x5tOf } from './testCredentials.js';

const CLIENT = 'daemon-app';
const ENDPOINT = 'https://login.microsoftonline.com/tenant/oauth2/v2.0/token';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
let pki: ReturnType<typeof makeTestPki>;

// Three RSA keys and forge-made certificates: seconds on a loaded machine, beyond the 10 s hook default.
beforeAll(() => {
  pki = makeTestPki();
}, 120_000);

async function fields(credential: ClientCredential, clientClaims?: Record<string, unknown>): Promise<Record<string, string>> {
  return clientAuthenticationFor(credential, CLIENT, clientClaims)(ENDPOINT);
}

/** The assertion's header and payload, after checking its signature with the leaf certificate's key. */
async function verified(form: Record<string, string>): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
  expect(form.client_assertion_type).toBe(ASSERTION_TYPE);
  const assertion = form.client_assertion!;
  await compactVerify(assertion, createPublicKey(pki.leafKey.pkcs8));
  return { header: decodeProtectedHeader(assertion) as Record<string, unknown>, payload: decodeJwt(assertion) };
}

function constructError(credential: unknown): { errorCode?: string; message: string; name: string } {
  try {
    new ConfidentialClientApplication({
      clientId: CLIENT,
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      clientCredential: credential as ClientCredential,
    });
  } catch (error) {
    return error as { errorCode?: string; message: string; name: string };
  }
  throw new Error('constructed');
}

describe('credential forms', { timeout: 60_000 }, () => {
  it('a secret string is sent as client_secret', async () => {
    expect(await fields('s3cret')).toEqual({ client_secret: 's3cret' });
  });

  it('a PEM key with a SHA-1 thumbprint signs an RS256 assertion with x5t and the default claims, fresh every time', async () => {
    const credential = { privateKey: pki.leafKey.pkcs8, thumbprint: thumbprintHex(pki.leaf) };
    const before = Math.floor(Date.now() / 1000);
    const first = await verified(await fields(credential));
    const second = await verified(await fields(credential));
    expect(first.header).toEqual({ alg: 'RS256', typ: 'JWT', x5t: x5tOf(pki.leaf) });
    expect(first.payload).toMatchObject({ aud: ENDPOINT, iss: CLIENT, sub: CLIENT });
    const { iat, nbf, exp, jti } = first.payload as { iat: number; nbf: number; exp: number; jti: string };
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(nbf).toBe(iat);
    expect(exp - iat).toBe(600);
    expect(jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.payload.jti).not.toBe(jti);
  });

  it('accepts PKCS#1, encrypted PKCS#8 and encrypted PKCS#1 keys, and a thumbprint with colons', async () => {
    const colons = thumbprintHex(pki.leaf).match(/../g)!.join(':');
    for (const privateKey of [pki.leafKey.pkcs1, encryptedPkcs8(pki.leafKey, 'pw'), encryptedPkcs1(pki.leafKey, 'pw')]) {
      const { header } = await verified(await fields({ privateKey, thumbprint: colons, passphrase: 'pw' }));
      expect(header.x5t).toBe(x5tOf(pki.leaf));
    }
  });

  it('a SHA-256 thumbprint signs with PS256 and sends x5t#S256', async () => {
    const { header } = await verified(await fields({ privateKey: pki.leafKey.pkcs8, thumbprintSha256: thumbprintHex(pki.leaf, 'sha256') }));
    expect(header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': x5tOf(pki.leaf, 'sha256') });
  });

  it('publicCertificate sends the chain as x5c, leaf first, and the thumbprint is computed', async () => {
    const { header } = await verified(await fields({ privateKey: pki.leafKey.pkcs8, publicCertificate: `${pki.leaf}\n${pki.ca}` }));
    expect(header.x5c).toEqual([derBase64(pki.leaf), derBase64(pki.ca)]);
    expect(header.x5t).toBe(x5tOf(pki.leaf));
  });

  it('clientClaims add claims and override defaults', async () => {
    const { payload } = await verified(
      await fields({ privateKey: pki.leafKey.pkcs8, thumbprint: thumbprintHex(pki.leaf) }, { client_ip: '10.0.0.1', aud: 'https://other/' }),
    );
    expect(payload).toMatchObject({ client_ip: '10.0.0.1', aud: 'https://other/', iss: CLIENT });
  });

  it('a client assertion is sent as given; a function is called per request', async () => {
    expect(await fields({ clientAssertion: 'a.b.c' })).toEqual({ client_assertion_type: ASSERTION_TYPE, client_assertion: 'a.b.c' });
    let n = 0;
    const rotating = clientAuthenticationFor({ clientAssertion: async () => `jwt-${++n}` }, CLIENT, undefined);
    expect((await rotating(ENDPOINT)).client_assertion).toBe('jwt-1');
    expect((await rotating(ENDPOINT)).client_assertion).toBe('jwt-2');
    const failing = clientAuthenticationFor(
      {
        clientAssertion: () => {
          throw new Error('vault down');
        },
      },
      CLIENT,
      undefined,
    );
    await expect(failing(ENDPOINT)).rejects.toMatchObject({ errorCode: 'client_assertion_failed' });
    const empty = clientAuthenticationFor({ clientAssertion: () => '' }, CLIENT, undefined);
    await expect(empty(ENDPOINT)).rejects.toMatchObject({ errorCode: 'client_assertion_failed' });
  });

  it.each(['aes256', '3des'] as const)('a PFX (%s) gives its key and certificate; x5c only with publicCertificate: true', async (algorithm) => {
    const path = makePfx(pki.leafKey, [pki.ca, pki.leaf], 'pfx-pw', algorithm);
    const plain = await verified(await fields({ privateKeyPfxPath: path, passphrase: 'pfx-pw' }));
    expect(plain.header).toEqual({ alg: 'RS256', typ: 'JWT', x5t: x5tOf(pki.leaf) });
    const withChain = await verified(await fields({ privateKeyPfxPath: path, passphrase: 'pfx-pw', publicCertificate: true }));
    expect(withChain.header.x5c).toEqual([derBase64(pki.leaf), derBase64(pki.ca)]);
  });
});

describe('construction errors name the problem and never echo key material', { timeout: 60_000 }, () => {
  const cases: [string, () => unknown, string][] = [
    [
      'wrong passphrase (PKCS#8)',
      () => ({ privateKey: encryptedPkcs8(pki.leafKey, 'right'), thumbprint: thumbprintHex(pki.leaf), passphrase: 'wrong-pass' }),
      'credential_passphrase_incorrect',
    ],
    [
      'missing passphrase (PKCS#1)',
      () => ({ privateKey: encryptedPkcs1(pki.leafKey, 'right'), thumbprint: thumbprintHex(pki.leaf) }),
      'credential_passphrase_incorrect',
    ],
    [
      'malformed PEM key',
      () => ({ privateKey: pki.leafKey.pkcs8.replace(/[A-Za-z]{20}/, 'AAAAAAAAAAAAAAAAAAAA'), thumbprint: thumbprintHex(pki.leaf) }),
      'credential_key_malformed',
    ],
    ['not a PEM key', () => ({ privateKey: 'hello', thumbprint: thumbprintHex(pki.leaf) }), 'credential_key_malformed'],
    [
      'malformed certificate',
      () => ({ privateKey: pki.leafKey.pkcs8, publicCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }),
      'credential_certificate_malformed',
    ],
    ['key not matching the certificate', () => ({ privateKey: pki.otherKey.pkcs8, publicCertificate: pki.leaf }), 'credential_key_certificate_mismatch'],
    ['expired certificate', () => ({ privateKey: pki.leafKey.pkcs8, publicCertificate: pki.expired }), 'credential_certificate_expired'],
    ['certificate not yet valid', () => ({ privateKey: pki.leafKey.pkcs8, publicCertificate: pki.future }), 'credential_certificate_not_yet_valid'],
    ['thumbprint in base64', () => ({ privateKey: pki.leafKey.pkcs8, thumbprint: x5tOf(pki.leaf) }), 'credential_thumbprint_invalid'],
    ['no thumbprint', () => ({ privateKey: pki.leafKey.pkcs8 }), 'credential_thumbprint_invalid'],
    [
      'thumbprint of another certificate',
      () => ({ privateKey: pki.leafKey.pkcs8, thumbprint: thumbprintHex(pki.ca), publicCertificate: pki.leaf }),
      'credential_thumbprint_invalid',
    ],
    ['missing PFX', () => ({ privateKeyPfxPath: '/nonexistent/app.pfx' }), 'credential_pfx_unreadable'],
    ['PFX that is not PKCS#12', () => ({ privateKeyPfxPath: writeTempFile('not a pfx') }), 'credential_pfx_unreadable'],
    [
      'PFX with a wrong passphrase',
      () => ({ privateKeyPfxPath: makePfx(pki.leafKey, [pki.leaf], 'right'), passphrase: 'wrong-pass' }),
      'credential_passphrase_incorrect',
    ],
    [
      'PFX whose key does not match its certificate',
      () => ({ privateKeyPfxPath: makePfx(pki.otherKey, [pki.leaf], 'pw'), passphrase: 'pw' }),
      'credential_key_certificate_mismatch',
    ],
    [
      'PFX with an expired certificate',
      () => ({ privateKeyPfxPath: makePfx(pki.leafKey, [pki.expired], 'pw'), passphrase: 'pw' }),
      'credential_certificate_expired',
    ],
    ['an unknown shape', () => ({ key: 'x' }), 'credential_invalid'],
    ['an empty secret', () => '', 'credential_invalid'],
  ];
  it.each(cases)('%s', (_name, credential, code) => {
    const made = credential();
    const error = constructError(made);
    expect(error.name).toBe('ConfigurationError');
    expect(error.errorCode).toBe(code);
    const text = JSON.stringify({ ...error, message: error.message });
    // No passphrase, no base64 key or certificate body (DER starts "MII"), no slice of any key.
    expect(text).not.toMatch(/wrong-pass|MII/);
    for (const pem of [pki.leafKey.pkcs8, pki.otherKey.pkcs8, pki.leafKey.pkcs1]) expect(text).not.toContain(pem.slice(100, 140));
  });
});
