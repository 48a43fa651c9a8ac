// Proof of possession end to end: DPoP against the real oidc-provider, MSAL AT-PoP against the
// local Entra authority, and a resource server that verifies every proof with jose.
import { base64url, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_A } from '../idp/entra/createEntraIdp.mjs';
import { createResourceServer, type ResourceServer } from '../resource/createResourceServer.mjs';
import { LOGIN_HOST, openEntraApp, startEntraE2E, type EntraE2E } from './entraFixtures';
import { cacheContents, openApp, popupSignIn, SCOPES, type Settled } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';

/** Calls the resource through `createAuthFetch` in the page; returns status and body. */
function authFetch(
  page: Page,
  url: string,
  scheme: 'bearer' | 'pop' | 'dpop',
  method = 'GET',
): Promise<Settled<{ status: number; body: { ok: boolean; verified?: string[]; error?: string } }>> {
  return page.evaluate(
    ({ url, scheme, method, scopes }) =>
      window.settle(
        (async () => {
          const fetchWithAuth = window.keyward.createAuthFetch(window.app, { scopes, scheme, allowedOrigins: [new URL(url).origin] });
          const response = await fetchWithAuth(url, { method });
          return { status: response.status, body: await response.json() };
        })(),
      ),
    { url, scheme, method, scopes: SCOPES },
  );
}

describe('DPoP (RFC 9449) with oidc-provider', () => {
  let e2e: E2E;
  let api: ResourceServer;
  beforeAll(async () => {
    e2e = await startE2E({ idpOptions: { dpopNonce: true } });
    api = await createResourceServer({
      issuers: [{ issuer: e2e.idp.issuer, jwks: e2e.idp.jwks, audience: 'api://demo' }],
      corsOrigins: [e2e.app.origin],
      dpopNonce: true,
    });
  });
  afterAll(async () => {
    await api?.close();
    await e2e?.close();
  });

  it('sign-in, refresh and resource calls all carry valid proofs; each nonce challenge gets exactly one retry; the key survives a reload', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { dpop: true }, { cache: 'indexeddb' });
    e2e.idp.reset();
    const authorizeRequests = recordRequests(context, `${e2e.idp.issuer}/auth?`);
    const signIn = await popupSignIn(page, { login: 'dana' });
    expect(signIn.error).toBeUndefined();
    expect(signIn.result!.tokenType).toBe('DPoP');
    const jkt = (decodeJwt(signIn.result!.accessToken).cnf as { jkt: string }).jkt;

    // The authorization request bound the code to the same key (RFC 9449 10).
    expect(new URL(authorizeRequests[0]!.url).searchParams.get('dpop_jkt')).toBe(jkt);
    const codeRequests = e2e.idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code');
    // First redemption: the provider demanded a nonce; the one retry carried it and succeeded.
    expect(codeRequests.map((r) => [r.status, r.dpop])).toEqual([
      [400, true],
      [200, true],
    ]);
    const proof = decodeProtectedHeader(codeRequests[1]!.headers.dpop!);
    expect(proof.typ).toBe('dpop+jwt');
    expect(await calculateJwkThumbprint(proof.jwk as JWK)).toBe(jkt);
    expect(decodeJwt(codeRequests[1]!.headers.dpop!)).toMatchObject({ htm: 'POST', htu: `${e2e.idp.issuer}/token` });
    expect(decodeJwt(codeRequests[1]!.headers.dpop!).nonce).toBeTruthy();

    // Refresh: the nonce is remembered, so no second challenge; the refresh token is bound to the same key.
    e2e.idp.reset();
    const refreshed = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.settle(window.app.acquireTokenSilent(scopes, account!, { forceRefresh: true }));
    }, SCOPES);
    expect(refreshed.error).toBeUndefined();
    expect(e2e.idp.tokenRequests.map((r) => [r.grant_type, r.status, r.dpop])).toEqual([['refresh_token', 200, true]]);
    expect((decodeJwt(refreshed.result!.accessToken).cnf as { jkt: string }).jkt).toBe(jkt);

    // Resource calls: the API demands a nonce once, then accepts proofs with ath.
    const first = await authFetch(page, api.url('/items'), 'dpop');
    expect(first.result).toMatchObject({ status: 200, body: { ok: true } });
    expect(api.requests.map((r) => [r.scheme, r.status])).toEqual([
      ['DPoP', 401],
      ['DPoP', 200],
    ]);
    expect(api.requests[1]!.verified.join(' ')).toMatch(/ath/);
    const second = await authFetch(page, api.url('/items?page=2'), 'dpop', 'POST');
    expect(second.result?.status).toBe(200);
    expect(api.requests.slice(2).map((r) => r.status)).toEqual([200]);

    // A reload keeps the same non-extractable key: a fresh token is bound to the same thumbprint.
    await page.reload();
    await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
    const afterReload = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.app.acquireTokenSilent(scopes, account!, { forceRefresh: true });
    }, SCOPES);
    expect((decodeJwt(afterReload!.accessToken).cnf as { jkt: string }).jkt).toBe(jkt);

    // The refresh token is DPoP-bound now: a Bearer token cannot come from it, and keyward says so.
    const bearer = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.settle(window.app.acquireTokenSilent(scopes, account!, { authScheme: { type: 'bearer' }, forceRefresh: true }));
    }, SCOPES);
    expect(bearer.error).toMatchObject({ name: 'ClientAuthError', errorCode: 'token_type_mismatch' });
    await context.close();
  });

  it('the refresh token is refused by the provider when presented without the proof', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { dpop: true });
    expect((await popupSignIn(page, { login: 'eli' })).error).toBeUndefined();
    const refreshToken = Object.values((await cacheContents(page)).RefreshToken)[0]!;
    expect(refreshToken.key_id).toBeTruthy();
    const stolen = await fetch(`${e2e.idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken.secret, client_id: 'spa' }),
    });
    expect(stolen.status).toBe(400);
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_grant');
    // The rightful holder still refreshes with its key.
    const ok = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.settle(window.app.acquireTokenSilent(scopes, account!, { forceRefresh: true }));
    }, SCOPES);
    expect(ok.error).toBeUndefined();
    await context.close();
  });

  it('losing the key (storage cleared) drops the bound refresh token: a clean interactive sign-in, not a loop', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { dpop: true }, { cache: 'indexeddb' });
    expect((await popupSignIn(page, { login: 'finn' })).error).toBeUndefined();
    // Clear the key store as a browser's "clear site data" would (the page holds the database open, so clear rather than delete).
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('keyward-keys');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('keys', 'readwrite');
            tx.objectStore('keys').clear();
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    await page.reload();
    await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
    e2e.idp.reset();
    const outcome = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.settle(window.app.acquireTokenSilent(scopes, account!, { forceRefresh: true }));
    }, SCOPES);
    expect(outcome).toEqual({ result: null });
    expect(e2e.idp.tokenRequests).toEqual([]); // no doomed request with the orphaned token
    expect(Object.keys((await cacheContents(page)).RefreshToken)).toEqual([]);
    const again = await popupSignIn(page, { login: 'finn' });
    expect(again.error).toBeUndefined();
    expect(again.result!.tokenType).toBe('DPoP');
    await context.close();
  });
});

describe('MSAL AT-PoP with the Entra authority', () => {
  let e2e: EntraE2E;
  let api: ResourceServer;
  const authority = `${LOGIN_HOST}/${TENANT_A}`;
  beforeAll(async () => {
    e2e = await startEntraE2E();
    api = await createResourceServer({
      issuers: [{ issuer: e2e.idp.issuer(TENANT_A), jwks: e2e.idp.jwks, audience: 'api://demo' }],
      corsOrigins: [e2e.app.origin],
    });
  });
  afterAll(async () => {
    await api?.close();
    await e2e?.close();
  });

  it('requests token_type=pop with the exact req_cnf; the API accepts the SHR and rejects another method, URL or a replay', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority });
    const url = api.url('/v1/items?a=1');
    e2e.idp.reset();
    const signedIn = await page.evaluate(
      ({ scopes, url }) =>
        window.settle(window.app.acquireTokenByUsernamePassword('pia', 'pw-pia', scopes, { authScheme: { type: 'pop', method: 'GET', url } })),
      { scopes: SCOPES, url },
    );
    expect(signedIn.error).toBeUndefined();
    expect(signedIn.result!.tokenType).toBe('pop');

    const request = e2e.idp.tokenRequests.at(-1)!;
    expect(request.body.token_type).toBe('pop');
    const shrPayload = decodeJwt(signedIn.result!.accessToken) as { at: string; cnf: { jwk: JWK }; m: string; u: string; p: string };
    const kid = await calculateJwkThumbprint(shrPayload.cnf.jwk);
    expect(request.body.req_cnf).toBe(base64url.encode(JSON.stringify({ kid, xms_ksl: 'sw' })));
    expect(decodeJwt(shrPayload.at).cnf).toEqual({ kid });
    expect(shrPayload).toMatchObject({ m: 'GET', u: new URL(url).host, p: '/v1/items' });

    // The API verifies it.
    const call = (shr: string, method: string, target: string) =>
      page.evaluate(async ({ shr, method, target }) => (await fetch(target, { method, headers: { authorization: `PoP ${shr}` } })).status, {
        shr,
        method,
        target,
      });
    expect(await call(signedIn.result!.accessToken, 'GET', url)).toBe(200);
    expect(await call(signedIn.result!.accessToken, 'GET', url)).toBe(401); // replayed nonce
    const fresh = await page.evaluate(
      async ({ scopes, url }) => {
        const [account] = await window.app.getAccounts();
        return window.app.acquireTokenSilent(scopes, account!, { authScheme: { type: 'pop', method: 'GET', url } });
      },
      { scopes: SCOPES, url },
    );
    expect(fresh!.fromCache).toBe(true); // the PoP token is cached; a fresh SHR is minted per call
    expect(fresh!.accessToken).not.toBe(signedIn.result!.accessToken);
    expect(await call(fresh!.accessToken, 'POST', url)).toBe(401); // another method
    const another = await page.evaluate(
      async ({ scopes, url }) => {
        const [account] = await window.app.getAccounts();
        return window.app.acquireTokenSilent(scopes, account!, { authScheme: { type: 'pop', method: 'GET', url } });
      },
      { scopes: SCOPES, url },
    );
    expect(await call(another!.accessToken, 'GET', api.url('/v1/other'))).toBe(401); // another URL
    expect(api.requests.map((r) => r.status)).toEqual([200, 401, 401, 401]);

    // createAuthFetch signs each request itself.
    expect((await authFetch(page, api.url('/v1/items'), 'pop')).result?.status).toBe(200);

    // The cache keeps PoP and Bearer apart: a Bearer request never gets the PoP token.
    const cache = await cacheContents(page);
    expect(Object.values(cache.AccessToken).map((t) => [t.credential_type, t.token_type, t.key_id])).toEqual([['AccessToken_With_AuthScheme', 'pop', kid]]);
    const bearer = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.app.acquireTokenSilent(scopes, account!);
    }, SCOPES);
    expect(bearer!.fromCache).toBe(false);
    expect(bearer!.tokenType).toBe('Bearer');
    expect(decodeJwt(bearer!.accessToken).cnf).toBeUndefined();
    await context.close();
  });

  it('createAuthFetch: a 401 claims challenge leads to one re-acquisition with those claims and one retry; a second 401 goes back to the caller', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority });
    expect((await popupSignIn(page, { login: 'quin' })).error).toBeUndefined();
    const challenge = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
    api.setClaimsChallenge(challenge);
    api.reset();
    e2e.idp.reset();
    const satisfied = await authFetch(page, api.url('/claims'), 'bearer');
    expect(satisfied.result?.status).toBe(200);
    expect(api.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(e2e.idp.tokenRequests.map((r) => [r.grant_type, r.body.claims])).toEqual([['refresh_token', challenge]]);

    // A challenge the provider cannot satisfy: one re-acquisition, one retry, then the 401 is the caller's.
    api.setClaimsChallenge('{"access_token":{"xms_never":{"essential":true}}}');
    api.reset();
    e2e.idp.reset();
    const refused = await authFetch(page, api.url('/claims'), 'bearer');
    expect(refused.result?.status).toBe(401);
    expect(api.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(e2e.idp.tokenRequests).toHaveLength(1);
    api.setClaimsChallenge(undefined);
    await context.close();
  });
});
