// Proof-of-possession keys and proofs in real Chromium: WebCrypto, IndexedDB, jose.
import { base64url, CompactSign, calculateJwkThumbprint, compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientAuthError, createAuthFetch, ErrorCode, isPopSupported, PublicClientApplication } from '../../src/index.js';
import { createDpopProof } from '../../src/pop/dpopProof.js';
import { PopKeyStore } from '../../src/pop/keyStore.js';
import { PopKeys } from '../../src/pop/popKeys.js';
import { createSignedHttpRequest, requestConfirmation } from '../../src/pop/signedHttpRequest.js';

const clientId = `pop-test-${crypto.randomUUID()}`;
afterAll(() => new PopKeyStore(clientId).rotate());

/** Every record of keyward's key database, read with the IndexedDB API. */
async function rawKeyRecords(): Promise<unknown[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open('keyward-keys');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const request = db.transaction('keys').objectStore('keys').getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

describe('isPopSupported', () => {
  it('is true in Chromium on http://127.0.0.1 or localhost (a secure context)', () => {
    expect(window.isSecureContext).toBe(true);
    expect(isPopSupported()).toBe(true);
    expect(new PublicClientApplication({ clientId: 'c', oidcAuthority: 'http://127.0.0.1:9' }).isPopSupported()).toBe(true);
  });

  it('is false where WebCrypto is missing', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true });
    try {
      expect(isPopSupported()).toBe(false);
    } finally {
      Object.defineProperty(globalThis, 'crypto', original);
    }
  });
});

describe('keys', () => {
  it('are non-extractable CryptoKeys in IndexedDB, reused after a reload, rotated on demand', async () => {
    const store = new PopKeyStore(clientId);
    const [pop, dpop] = await Promise.all([store.get('pop'), store.get('dpop')]);
    expect(pop.alg).toBe('RS256');
    expect(dpop.alg).toBe('ES256');
    for (const key of [pop, dpop]) {
      expect(key.privateKey.extractable).toBe(false);
      await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow();
      await expect(crypto.subtle.exportKey('pkcs8', key.privateKey)).rejects.toThrow();
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk));
    }
    const records = (await rawKeyRecords()) as { privateKey: unknown; publicKey: unknown }[];
    const ours = records.filter((r) => r.privateKey === undefined || r.privateKey instanceof CryptoKey);
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const record of ours) {
      expect(record.privateKey).toBeInstanceOf(CryptoKey);
      expect((record.privateKey as CryptoKey).extractable).toBe(false);
    }

    // A new store (as after a reload) finds the same keys.
    const reloaded = new PopKeyStore(clientId);
    expect((await reloaded.get('pop')).thumbprint).toBe(pop.thumbprint);
    expect((await reloaded.get('dpop')).thumbprint).toBe(dpop.thumbprint);

    await reloaded.rotate();
    const fresh = new PopKeyStore(clientId);
    expect((await fresh.get('dpop')).thumbprint).not.toBe(dpop.thumbprint);
  });

  it('are deleted at sign-out by a page that never loaded the signing code (PopKeys.rotate before any bound request)', async () => {
    const stored = await new PopKeyStore(clientId).get('dpop');
    const pop = await new PopKeyStore(clientId).get('pop');
    // A new page: the client's PopKeys has not loaded pop/popCrypto.ts yet; sign-out rotates.
    await new PopKeys(clientId).rotate();
    const after = new PopKeyStore(clientId);
    expect(await after.has('dpop')).toBe(false);
    expect(await after.has('pop')).toBe(false);
    expect((await after.get('dpop')).thumbprint).not.toBe(stored.thumbprint);
    expect((await after.get('pop')).thumbprint).not.toBe(pop.thumbprint);
  });

  it('load once per client: every bound request after the first reuses the loaded module and key', async () => {
    const keys = new PopKeys(clientId);
    const first = await keys.load();
    const [second, key] = await Promise.all([keys.load(), keys.get('dpop')]);
    expect(second).toBe(first);
    expect(key).toBe(await first.store.get('dpop'));
  });
});

describe('proofs', () => {
  it('DPoP proof: typ dpop+jwt, public jwk, htm/htu/iat/jti, nonce and ath when given; verifies with its own key', async () => {
    const key = await new PopKeyStore(clientId).get('dpop');
    const accessToken = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
    const proof = await createDpopProof(key, { htm: 'get', htu: 'https://api.example.com/items?x=1#f', nonce: 'n-1', accessToken });
    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    await compactVerify(proof, await importJWK(header.jwk!, 'ES256'));
    const claims = decodeJwt(proof);
    expect(claims).toMatchObject({ htm: 'GET', htu: 'https://api.example.com/items', nonce: 'n-1' });
    // RFC 9449 7.1 example: ath of that access token.
    expect(claims.ath).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
    expect(typeof claims.jti).toBe('string');
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    const second = decodeJwt(await createDpopProof(key, { htm: 'GET', htu: 'https://api.example.com/items' }));
    expect(second.jti).not.toBe(claims.jti);
    expect(second).not.toHaveProperty('ath');
    expect(second).not.toHaveProperty('nonce');
  });

  it('refuses bad DPoP input before signing (docs/protocol.md check 29)', async () => {
    const key = await new PopKeyStore(clientId).get('dpop');
    for (const input of [
      { htm: 'GET', htu: 'http://api.example.com/' },
      { htm: 'GET', htu: 'https://user:pw@api.example.com/' },
      { htm: 'GE T', htu: 'https://api.example.com/' },
      { htm: 'GET', htu: 'https://api.example.com/', nonce: '' },
    ]) {
      const error = await createDpopProof(key, input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ClientAuthError);
      expect((error as ClientAuthError).errorCode).toBe(ErrorCode.invalidRequest);
    }
  });

  it('MSAL Signed HTTP Request: header kid, at/ts/m/u/p/q/nonce/cnf.jwk, signed by the PoP key; req_cnf as MSAL sends it', async () => {
    const key = await new PopKeyStore(clientId).get('pop');
    const shr = await createSignedHttpRequest(key, {
      accessToken: 'at-value',
      method: 'post',
      url: 'https://api.contoso.com:8443/v1/items?a=1&b=2',
      nonce: 'nonce-1',
      claims: { extra: 'x' },
    });
    const header = decodeProtectedHeader(shr);
    expect(header.typ).toBe('pop');
    expect(header.alg).toBe('RS256');
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(header.kid!)))).toEqual({ kid: key.thumbprint });
    const payload = decodeJwt(shr);
    expect(payload).toMatchObject({
      at: 'at-value',
      m: 'POST',
      u: 'api.contoso.com:8443',
      p: '/v1/items',
      q: [[], 'a=1&b=2'],
      nonce: 'nonce-1',
      cnf: { jwk: key.publicJwk },
      client_claims: '{"extra":"x"}',
    });
    await compactVerify(shr, await importJWK(key.publicJwk, 'RS256'));
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(requestConfirmation(key))))).toEqual({ kid: key.thumbprint, xms_ksl: 'sw' });
  });
});

describe('signing without CompactSign, per-key header and ath cache', () => {
  const segments = (jws: string) => jws.split('.') as [string, string, string];
  const sha256 = async (text: string) => base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));

  it('a Signed HTTP Request is byte for byte what jose CompactSign makes of the same header and payload (RS256 is deterministic)', async () => {
    const key = await new PopKeyStore(clientId).get('pop');
    const shr = await createSignedHttpRequest(key, { accessToken: 'at', method: 'GET', url: 'https://api.contoso.com/é?q=ü', claims: { name: 'Zoë' } });
    const [, payload] = segments(shr);
    const header = decodeProtectedHeader(shr);
    const expected = await new CompactSign(base64url.decode(payload)).setProtectedHeader({ typ: 'pop', alg: 'RS256', kid: header.kid }).sign(key.privateKey);
    expect(shr).toBe(expected);
    expect(decodeJwt(shr).client_claims).toBe('{"name":"Zoë"}');
  });

  it('a DPoP proof has the header jose CompactSign writes and a raw 64-byte ES256 signature that verifies', async () => {
    const key = await new PopKeyStore(clientId).get('dpop');
    const proof = await createDpopProof(key, { htm: 'GET', htu: 'https://api.example.com/' });
    const reference = await new CompactSign(new TextEncoder().encode('{}'))
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk })
      .sign(key.privateKey);
    expect(segments(proof)[0]).toBe(segments(reference)[0]);
    expect(base64url.decode(segments(proof)[2])).toHaveLength(64);
    await compactVerify(proof, await importJWK(key.publicJwk, 'ES256'));
  });

  it('after key rotation, proofs carry and are signed by the new key only (the old key header is not reused from memory)', async () => {
    const store = new PopKeyStore(clientId);
    const [oldPop, oldDpop] = await Promise.all([store.get('pop'), store.get('dpop')]);
    await createSignedHttpRequest(oldPop, { accessToken: 'at', method: 'GET', url: 'https://api.contoso.com/' });
    await createDpopProof(oldDpop, { htm: 'GET', htu: 'https://api.example.com/', accessToken: 'at' });
    await store.rotate();
    const [pop, dpop] = await Promise.all([store.get('pop'), store.get('dpop')]);
    expect(pop.thumbprint).not.toBe(oldPop.thumbprint);
    expect(dpop.thumbprint).not.toBe(oldDpop.thumbprint);

    const shr = await createSignedHttpRequest(pop, { accessToken: 'at', method: 'GET', url: 'https://api.contoso.com/' });
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(decodeProtectedHeader(shr).kid!)))).toEqual({ kid: pop.thumbprint });
    expect(decodeJwt(shr).cnf).toEqual({ jwk: pop.publicJwk });
    await compactVerify(shr, await importJWK(pop.publicJwk, 'RS256'));
    await expect(compactVerify(shr, await importJWK(oldPop.publicJwk, 'RS256'))).rejects.toThrow();

    const proof = await createDpopProof(dpop, { htm: 'GET', htu: 'https://api.example.com/', accessToken: 'at' });
    expect(decodeProtectedHeader(proof).jwk).toEqual(dpop.publicJwk);
    expect(decodeJwt(proof).ath).toBe(await sha256('at'));
    await compactVerify(proof, await importJWK(dpop.publicJwk, 'ES256'));
    await expect(compactVerify(proof, await importJWK(oldDpop.publicJwk, 'ES256'))).rejects.toThrow();
  });

  it('ath follows the access token of each proof (the remembered hash is only reused for the same token)', async () => {
    const key = await new PopKeyStore(clientId).get('dpop');
    const ath = async (accessToken: string) => decodeJwt(await createDpopProof(key, { htm: 'GET', htu: 'https://api.example.com/', accessToken })).ath;
    for (const token of ['token-a', 'token-a', 'token-b', 'token-a']) expect(await ath(token)).toBe(await sha256(token));
  });
});

describe('createAuthFetch retries', () => {
  const challenge = `Bearer realm="", error="insufficient_claims", claims="${btoa('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}')}"`;
  const account = { homeAccountId: 'h', environment: 'e', tenantId: 't', username: 'u', localAccountId: 'l', authorityType: 'Generic' as const };

  /** A client (the public AuthFetchClient interface) that records what it was asked for. */
  function recordingClient() {
    const calls: { claimsChallenge?: string }[] = [];
    return {
      calls,
      getAccounts: async () => [account],
      acquireTokenSilent: async (_scopes: string[], _account: typeof account, options?: { claimsChallenge?: string }) => {
        calls.push({ ...(options?.claimsChallenge !== undefined && { claimsChallenge: options.claimsChallenge }) });
        return { accessToken: `token-${calls.length}`, tokenType: 'Bearer' } as never;
      },
    };
  }

  it('answers a claims challenge with one re-acquisition and one retry, then returns the second 401', async () => {
    const client = recordingClient();
    const seen: string[] = [];
    const fetchImpl = (async (request: Request) => {
      seen.push(`${request.headers.get('authorization')} ${await request.text()}`);
      return new Response('{}', { status: 401, headers: { 'www-authenticate': challenge } });
    }) as typeof fetch;
    const response = await createAuthFetch(client, { scopes: ['s'], fetch: fetchImpl, allowedOrigins: ['https://api.example.com'] })(
      'https://api.example.com/x',
      { method: 'POST', body: 'payload' },
    );
    expect(response.status).toBe(401);
    expect(seen).toEqual(['Bearer token-1 payload', 'Bearer token-2 payload']);
    expect(client.calls).toEqual([{}, { claimsChallenge: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}' }]);
  });

  it('never retries a request whose body is a one-shot stream', async () => {
    const client = recordingClient();
    let calls = 0;
    const fetchImpl = (async () => {
      calls++;
      return new Response('{}', { status: 401, headers: { 'www-authenticate': challenge } });
    }) as typeof fetch;
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('once'));
        controller.close();
      },
    });
    const response = await createAuthFetch(client, { scopes: ['s'], fetch: fetchImpl, allowedOrigins: ['https://api.example.com'] })(
      'https://api.example.com/x',
      { method: 'POST', body, duplex: 'half' } as RequestInit,
    );
    expect(response.status).toBe(401);
    expect(calls).toBe(1);
    expect(client.calls).toHaveLength(1);
  });
});
