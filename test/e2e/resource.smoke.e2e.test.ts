// Proves the proof-of-possession rig without keyward: real tokens from the
// generic IdP (DPoP, RFC 9449) and from the local Entra authority (MSAL AT-PoP,
// req_cnf), then test/resource/createResourceServer.mjs accepting and rejecting
// Bearer, DPoP and PoP (Signed HTTP Request) calls built by hand with jose.
// Chromium is used for the two sign-ins and to show what a page can see (CORS).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_AUDIENCE, createIdp, type Idp } from '../idp/createIdp.mjs';
import { createEntraIdp, TENANT_A, type EntraIdp } from '../idp/entra/createEntraIdp.mjs';
import { CLAIMS_CHALLENGE_AUTHORIZATION_URI, claimsChallengeHeader, createResourceServer, type ResourceServer } from '../resource/createResourceServer.mjs';
import { launchBrowser, newContext } from './harness/browser';
import { completeLogin } from './harness/login';
import { appOutDir } from './harness/paths';
import { startStaticServer, type StaticServer } from './harness/staticServer';

const SCOPE = 'openid profile offline_access api://demo/read';
const ENTRA_TOKEN = `https://login.microsoftonline.com/${TENANT_A}/oauth2/v2.0/token`;
const CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';

type Json = Record<string, any>;
interface Fetched {
  status: number;
  body: Json;
  headers: Record<string, string>;
}
interface KeyPair {
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  jwk: JWK;
  thumbprint: string;
}

let app: StaticServer;
let idp: Idp; // defaults: DPoP available, not required, no nonces
let strictIdp: Idp; // dpopNonce + dpopBoundClient
let entra: EntraIdp;
let rs: ResourceServer;
let rsNonce: ResourceServer; // dpopNonce: true
let browser: Browser;
let context: BrowserContext; // sign-ins (routed: loopback only)
let plainContext: BrowserContext; // page fetches, no Playwright routing (see beforeAll)
let page: Page;

// Keys (ES256 for DPoP as MSAL.js uses; RS256/2048 for AT-PoP as msal-browser uses) and tokens.
let dpopKey: KeyPair;
let otherEcKey: KeyPair;
let popKey: KeyPair;
let otherRsaKey: KeyPair;
let dpopAt: string; // generic IdP, cnf.jkt = dpopKey
let popAt: string; // Entra, cnf.kid = popKey
let bearerAt: string; // Entra, unbound

const now = () => Math.floor(Date.now() / 1000);
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

async function keyPair(alg: 'ES256' | 'RS256'): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { publicKey, privateKey, jwk, thumbprint: await calculateJwkThumbprint(jwk) };
}

/** RFC 9449 4.2 proof; `claims` overrides/extends the defaults, `header` the protected header. */
function dpopProof(key: KeyPair, claims: JWTPayload & { htm: string; htu: string }, header: Json = {}): Promise<string> {
  return new SignJWT({ jti: randomUUID(), iat: now(), ...claims })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, ...header })
    .sign(key.privateKey);
}

/** MSAL Signed HTTP Request (docs/protocol.md A10); `cnfKey` is the key named in cnf.jwk (default: the signer). */
function signedHttpRequest(key: KeyPair, at: string, url: string, method: string, extra: Json = {}, cnfKey: KeyPair = key): Promise<string> {
  const u = new URL(url);
  const payload: Json = { at, ts: now(), m: method, u: u.host, p: u.pathname, nonce: randomUUID(), cnf: { jwk: cnfKey.jwk } };
  if (u.search) payload.q = [[], u.search.slice(1)];
  const kid = Buffer.from(JSON.stringify({ kid: cnfKey.thumbprint })).toString('base64url');
  return new SignJWT({ ...payload, ...extra }).setProtectedHeader({ typ: 'pop', alg: 'RS256', kid }).sign(key.privateKey);
}

async function call(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Fetched> {
  const response = await fetch(url, { method: init.method ?? 'GET', headers: init.headers });
  return { status: response.status, body: (await response.json()) as Json, headers: Object.fromEntries(response.headers) };
}

const dpopCall = async (url: string, at: string, key: KeyPair, proofClaims: Json = {}, method = 'GET', scheme = 'DPoP') => {
  const u = new URL(url);
  const proof = await dpopProof(key, { htm: method, htu: `${u.origin}${u.pathname}`, ath: sha256(at), ...proofClaims });
  return { proof, ...(await call(url, { method, headers: { Authorization: `${scheme} ${at}`, DPoP: proof } })) };
};

async function form(url: string, body: Record<string, string>, dpop?: string): Promise<Fetched> {
  const response = await fetch(url, { method: 'POST', headers: dpop ? { DPoP: dpop } : {}, body: new URLSearchParams(body) });
  return { status: response.status, body: (await response.json()) as Json, headers: Object.fromEntries(response.headers) };
}

async function entraToken(body: Record<string, string>): Promise<Fetched> {
  const response = await entra.fetch(ENTRA_TOKEN, { method: 'POST', body: new URLSearchParams({ client_id: 'spa', ...body }) });
  return { status: response.status, body: (await response.json()) as Json, headers: Object.fromEntries(response.headers) };
}

const reqCnf = (kid: string) => Buffer.from(JSON.stringify({ kid, xms_ksl: 'sw' })).toString('base64url');
const ropc = (extra: Record<string, string> = {}) => entraToken({ grant_type: 'password', username: 'alice', password: 'pw-alice', scope: SCOPE, ...extra });

/** Signs in on `target` in Chromium (PKCE built here) and returns the code + verifier. */
async function signIn(target: Idp): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${target.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    scope: SCOPE,
    redirect_uri: `${app.origin}/`,
    code_challenge: sha256(verifier),
    code_challenge_method: 'S256',
    state: 'st',
    nonce: 'no',
  }).toString();
  const p = await context.newPage();
  await p.goto(url.href);
  await completeLogin(p);
  await p.waitForURL((u) => u.origin === app.origin && u.searchParams.has('code'));
  const code = new URL(p.url()).searchParams.get('code')!;
  await p.close();
  return { code, verifier };
}

const codeForm = (c: { code: string; verifier: string }) => ({
  grant_type: 'authorization_code',
  client_id: 'spa',
  code: c.code,
  code_verifier: c.verifier,
  redirect_uri: `${app.origin}/`,
});

/** fetch() in the page on the app origin: a real CORS request; returns the headers the page may read. */
function pageFetch(url: string, init: { method?: string; headers?: Record<string, string>; form?: Record<string, string> }): Promise<Fetched> {
  return page.evaluate(
    async ({ url, init }) => {
      const response = await fetch(url, {
        method: init.form ? 'POST' : (init.method ?? 'GET'),
        headers: init.headers,
        body: init.form ? new URLSearchParams(init.form) : undefined,
      });
      return { status: response.status, body: await response.json(), headers: Object.fromEntries(response.headers) };
    },
    { url, init },
  );
}

beforeAll(async () => {
  app = await startStaticServer(appOutDir);
  const common = { redirectUris: [`${app.origin}/`], corsOrigins: [app.origin] };
  [idp, strictIdp, entra, browser, dpopKey, otherEcKey, popKey, otherRsaKey] = await Promise.all([
    createIdp(common),
    createIdp({ ...common, dpopNonce: true, dpopBoundClient: true }),
    createEntraIdp({ redirectUris: [`${app.origin}/`] }),
    launchBrowser(),
    keyPair('ES256'),
    keyPair('ES256'),
    keyPair('RS256'),
    keyPair('RS256'),
  ]);
  const issuers = [
    { issuer: idp.issuer, jwksUri: `${idp.issuer}/jwks`, audience: API_AUDIENCE },
    { issuer: strictIdp.issuer, jwksUri: `${strictIdp.issuer}/jwks`, audience: API_AUDIENCE },
    { issuer: entra.issuer(TENANT_A), jwks: entra.jwks, audience: API_AUDIENCE },
  ];
  [rs, rsNonce] = await Promise.all([
    createResourceServer({ issuers, corsOrigins: [app.origin] }),
    createResourceServer({ issuers, corsOrigins: [app.origin], dpopNonce: true }),
  ]);
  context = await newContext(browser);
  // With request interception on (context.route), Playwright answers CORS preflights itself
  // and they never reach the server. The page that proves CORS therefore uses a context
  // without routes; chromiumArgs' resolver rules still keep it on loopback.
  plainContext = await browser.newContext();
  page = await plainContext.newPage();
  await page.goto(`${app.origin}/`);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([idp?.close(), strictIdp?.close(), entra?.close(), rs?.close(), rsNonce?.close(), app?.close()]);
});

describe('generic IdP (oidc-provider) DPoP', () => {
  it('a proof at the token endpoint gives token_type DPoP, cnf.jkt and a key-bound refresh token', async () => {
    const tokenEndpoint = `${idp.issuer}/token`;
    const proof = () => dpopProof(dpopKey, { htm: 'POST', htu: tokenEndpoint });
    const first = await form(tokenEndpoint, codeForm(await signIn(idp)), await proof());
    expect(first.status).toBe(200);
    expect(first.body.token_type).toBe('DPoP');
    expect(decodeJwt(first.body.access_token)).toMatchObject({ aud: API_AUDIENCE, cnf: { jkt: dpopKey.thumbprint } });
    expect(idp.tokenRequests[0]).toMatchObject({ grant_type: 'authorization_code', dpop: true, status: 200, token_type: 'DPoP' });
    expect(idp.tokenRequests[0]!.headers.dpop).toMatch(/^ey/);

    // The refresh token is bound to the key (public client): no proof, or another key's proof, fails.
    const refresh = { grant_type: 'refresh_token', client_id: 'spa', refresh_token: first.body.refresh_token };
    const noProof = await form(tokenEndpoint, refresh);
    expect(noProof).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'grant request is invalid' } });
    const otherKey = await form(tokenEndpoint, refresh, await dpopProof(otherEcKey, { htm: 'POST', htu: tokenEndpoint }));
    expect(otherKey).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'grant request is invalid' } });
    // The reason stays server-side.
    expect(idp.events.filter((e) => e.type === 'grant.error').map((e) => e.detail.detail)).toEqual(['failed jkt verification', 'failed jkt verification']);
    expect(idp.tokenRequests.slice(1).map((r) => [r.dpop, r.status, r.error])).toEqual([
      [false, 400, 'invalid_grant'],
      [true, 400, 'invalid_grant'],
    ]);

    // The right key still works (the failed attempts did not consume the token).
    const refreshed = await form(tokenEndpoint, refresh, await proof());
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token_type).toBe('DPoP');
    dpopAt = refreshed.body.access_token;
    expect(decodeJwt(dpopAt).cnf).toEqual({ jkt: dpopKey.thumbprint });
  });

  it('dpopNonce + dpopBoundClient: use_dpop_nonce with a DPoP-Nonce the page can read; refresh needs a proof', async () => {
    const tokenEndpoint = `${strictIdp.issuer}/token`;
    const grant = codeForm(await signIn(strictIdp));
    // From the page: the preflight must allow the DPoP header, and DPoP-Nonce must be exposed.
    const noNonce = await pageFetch(tokenEndpoint, { form: grant, headers: { DPoP: await dpopProof(dpopKey, { htm: 'POST', htu: tokenEndpoint }) } });
    expect(noNonce.status).toBe(400);
    expect(noNonce.body).toMatchObject({ error: 'use_dpop_nonce', error_description: 'nonce is required in the DPoP proof' });
    const nonce = noNonce.headers['dpop-nonce'];
    expect(nonce).toMatch(/^[\w-]{43}$/);
    const ok = await pageFetch(tokenEndpoint, { form: grant, headers: { DPoP: await dpopProof(dpopKey, { htm: 'POST', htu: tokenEndpoint, nonce }) } });
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('DPoP');
    expect(decodeJwt(ok.body.access_token).cnf).toEqual({ jkt: dpopKey.thumbprint });
    expect(strictIdp.tokenRequests.map((r) => [r.dpop, r.status, r.error ?? r.token_type, Boolean(r.dpopNonce)])).toEqual([
      [true, 400, 'use_dpop_nonce', true],
      [true, 200, 'DPoP', false],
    ]);
    expect(strictIdp.tokenRequests[0]!.headers.origin).toBe(app.origin);

    const refresh = { grant_type: 'refresh_token', client_id: 'spa', refresh_token: ok.body.refresh_token };
    expect(await form(tokenEndpoint, refresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const wrongKey = await form(tokenEndpoint, refresh, await dpopProof(otherEcKey, { htm: 'POST', htu: tokenEndpoint, nonce }));
    expect(wrongKey).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(
      strictIdp.events
        .filter((e) => e.type === 'grant.error')
        .map((e) => e.detail.detail)
        .slice(-2),
    ).toEqual(['DPoP proof JWT not provided', 'failed jkt verification']);
    const refreshed = await form(tokenEndpoint, refresh, await dpopProof(dpopKey, { htm: 'POST', htu: tokenEndpoint, nonce }));
    expect(refreshed).toMatchObject({ status: 200, body: { token_type: 'DPoP' } });
  });
});

describe('Entra authority: MSAL AT-PoP (req_cnf)', () => {
  it('token_type=pop + req_cnf -> token_type "pop" and cnf.kid, on ROPC and refresh; Bearer otherwise', async () => {
    const pop = await ropc({ token_type: 'pop', req_cnf: reqCnf(popKey.thumbprint) });
    expect(pop.status).toBe(200);
    expect(pop.body.token_type).toBe('pop');
    popAt = pop.body.access_token;
    expect(decodeJwt(popAt)).toMatchObject({ aud: API_AUDIENCE, cnf: { kid: popKey.thumbprint } });
    expect(entra.tokenRequests.at(-1)).toMatchObject({
      grant_type: 'password',
      token_type: 'pop',
      req_cnf: reqCnf(popKey.thumbprint),
      popKid: popKey.thumbprint,
      status: 200,
    });

    const refreshed = await entraToken({
      grant_type: 'refresh_token',
      refresh_token: pop.body.refresh_token,
      scope: SCOPE,
      token_type: 'pop',
      req_cnf: reqCnf(popKey.thumbprint),
    });
    expect(refreshed.body.token_type).toBe('pop');
    expect(decodeJwt(refreshed.body.access_token).cnf).toEqual({ kid: popKey.thumbprint });

    const bearer = await ropc();
    expect(bearer.body.token_type).toBe('Bearer');
    bearerAt = bearer.body.access_token;
    expect(decodeJwt(bearerAt).cnf).toBeUndefined();
    expect(entra.tokenRequests.at(-1)).toMatchObject({ token_type: undefined, req_cnf: undefined, popKid: undefined });
  });

  it('a malformed or missing req_cnf is an Entra-shaped invalid_request', async () => {
    for (const req_cnf of ['not*base64', Buffer.from('not json').toString('base64url'), Buffer.from('{"kid":"short"}').toString('base64url')]) {
      const bad = await ropc({ token_type: 'pop', req_cnf });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: 'invalid_request', error_codes: [9002313] });
      expect(bad.body.error_description).toMatch(/^AADSTS9002313: .*req_cnf/);
    }
    const missing = await ropc({ token_type: 'pop' });
    expect(missing.body).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
    expect(missing.body.error_description).toMatch(/'req_cnf'/);
  });
});

describe('resource server', () => {
  const api = () => rs.url('/api/items?x=1&y=2');

  it('Bearer: verifies signature, iss, aud, exp; rejects bound tokens, tampering and foreign tokens', async () => {
    const ok = await call(api(), { headers: { Authorization: `Bearer ${bearerAt}` } });
    expect(ok).toMatchObject({ status: 200, body: { ok: true, scheme: 'Bearer', sub: decodeJwt(bearerAt).sub } });
    expect(ok.body.verified).toEqual(['at.signature', 'at.iss', 'at.aud', 'at.exp', 'at.unbound']);
    expect((await call(api(), { headers: { Authorization: `bearer ${bearerAt}` } })).status).toBe(200); // scheme is case-insensitive

    const rejected = async (authorization: string | undefined, reason: RegExp, error = 'invalid_token') => {
      const r = await call(api(), { headers: authorization ? { Authorization: authorization } : {} });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ ok: false, error });
      expect(r.body.reason).toMatch(reason);
      return r;
    };
    const bound = await rejected(`Bearer ${dpopAt}`, /bound access token presented as Bearer/);
    expect(bound.headers['www-authenticate']).toMatch(/^Bearer realm="keyward-test-api", error="invalid_token", error_description="bound access token/);
    await rejected(`Bearer ${popAt}`, /bound access token presented as Bearer/);
    const [h, p, s] = bearerAt.split('.');
    await rejected(`Bearer ${h}.${p}.${s!.slice(0, -4)}AAAA`, /signature/);
    const sign = (claims: JWTPayload) =>
      new SignJWT({ ...decodeJwt(bearerAt), ...claims }).setProtectedHeader({ alg: 'RS256', kid: entra.signingKey.kid, typ: 'JWT' }).sign(entra.signingKey.key);
    await rejected(`Bearer ${await sign({ aud: 'api://other' })}`, /"aud" claim/);
    await rejected(`Bearer ${await sign({ exp: now() - 60 })}`, /"exp" claim/);
    await rejected(`Bearer ${await sign({ iss: 'https://evil.example/v2.0' })}`, /issuer not trusted/);
    const none = await rejected(undefined, /no Authorization header/, 'invalid_request');
    expect(none.headers['www-authenticate']).toContain('Bearer realm="keyward-test-api"');
    expect(none.headers['www-authenticate']).toContain('DPoP algs="ES256');
  });

  it('DPoP: accepts a valid proof; rejects wrong method/URL, replay, wrong ath, key mismatch, unbound token', async () => {
    const ok = await dpopCall(api(), dpopAt, dpopKey);
    expect(ok).toMatchObject({ status: 200, body: { ok: true, scheme: 'DPoP', sub: decodeJwt(dpopAt).sub } });
    expect(ok.body.verified).toEqual([
      'proof.typ',
      'proof.alg',
      'proof.jwk',
      'proof.signature',
      'proof.jti',
      'proof.htm',
      'proof.htu',
      'proof.iat',
      'proof.ath',
      'at.signature',
      'at.iss',
      'at.aud',
      'at.exp',
      'at.cnf.jkt',
    ]);
    expect((await dpopCall(rs.url('/other/path'), dpopAt, dpopKey, {}, 'POST', 'dpop')).status).toBe(200);

    const rejected = async (r: Fetched, reason: RegExp, error = 'invalid_dpop_proof') => {
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ ok: false, error });
      expect(r.body.reason).toMatch(reason);
      expect(r.headers['www-authenticate']).toMatch(new RegExp(`^DPoP error="${error}", error_description="[^"]*", algs="ES256 `));
    };
    await rejected(await dpopCall(api(), dpopAt, dpopKey, { htm: 'POST' }), /htm mismatch: proof says POST, request is GET/);
    await rejected(await dpopCall(api(), dpopAt, dpopKey, { htu: rs.url('/api/elsewhere') }), /htu mismatch/);
    await rejected(await dpopCall(api(), dpopAt, dpopKey, { htu: `http://localhost:${rs.port}/api/items` }), /htu mismatch/);
    await rejected(await call(api(), { headers: { Authorization: `DPoP ${dpopAt}`, DPoP: ok.proof } }), /replayed: jti/);
    await rejected(await dpopCall(api(), dpopAt, dpopKey, { ath: sha256(`${dpopAt}x`) }), /ath mismatch/);
    await rejected(await dpopCall(api(), dpopAt, dpopKey, { ath: undefined }), /ath mismatch: no ath/);
    await rejected(await dpopCall(api(), dpopAt, dpopKey, { iat: now() - 120 }), /iat/);
    await rejected(await dpopCall(api(), dpopAt, otherEcKey), /key mismatch: access token cnf.jkt/, 'invalid_token');
    await rejected(await dpopCall(api(), bearerAt, dpopKey), /not DPoP-bound/, 'invalid_token');
    // Malformed proofs.
    const u = new URL(api());
    const claims = { htm: 'GET', htu: `${u.origin}${u.pathname}`, ath: sha256(dpopAt) };
    const send = (proof: string) => call(api(), { headers: { Authorization: `DPoP ${dpopAt}`, DPoP: proof } });
    await rejected(await send(await dpopProof(dpopKey, claims, { typ: 'JWT' })), /typ is "JWT"/);
    const privateJwk = await exportJWK(dpopKey.privateKey);
    await rejected(await send(await dpopProof(dpopKey, claims, { jwk: privateJwk })), /private member "d"/);
    await rejected(await send(await dpopProof(otherEcKey, claims, { jwk: dpopKey.jwk })), /signature/);
    await rejected(await call(api(), { headers: { Authorization: `DPoP ${dpopAt}` } }), /DPoP header missing/);

    const last = rs.requests.at(-1)!;
    expect(last).toMatchObject({ scheme: 'DPoP', status: 401, ok: false, error: 'invalid_dpop_proof', reason: 'DPoP header missing' });
  });

  it('DPoP nonce: 401 use_dpop_nonce + DPoP-Nonce (readable by the page), then the nonce is required', async () => {
    const url = rsNonce.url('/api/items');
    const first = await pageFetch(url, {
      headers: { Authorization: `DPoP ${dpopAt}`, DPoP: await dpopProof(dpopKey, { htm: 'GET', htu: url, ath: sha256(dpopAt) }) },
    });
    expect(first.status).toBe(401);
    expect(first.body).toMatchObject({ ok: false, error: 'use_dpop_nonce' });
    expect(first.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    const nonce = first.headers['dpop-nonce'];
    expect(nonce).toBe(rsNonce.dpopNonce());

    const ok = await pageFetch(url, {
      headers: { Authorization: `DPoP ${dpopAt}`, DPoP: await dpopProof(dpopKey, { htm: 'GET', htu: url, ath: sha256(dpopAt), nonce }) },
    });
    expect(ok).toMatchObject({ status: 200, body: { ok: true, scheme: 'DPoP' } });
    expect(ok.body.verified).toContain('proof.nonce');
    expect(ok.headers['dpop-nonce']).toBe(nonce);

    const wrong = await dpopCall(url, dpopAt, dpopKey, { nonce: 'made-up' });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'use_dpop_nonce' } });
    const rotated = rsNonce.rotateDpopNonce();
    const stale = await dpopCall(url, dpopAt, dpopKey, { nonce });
    expect(stale).toMatchObject({ status: 401, body: { error: 'use_dpop_nonce', reason: 'DPoP proof nonce is stale or unknown' } });
    expect(stale.headers['dpop-nonce']).toBe(rotated);
    // The page's requests were preflighted (Authorization + DPoP are not CORS-safelisted).
    const preflights = rsNonce.requests.filter((r) => r.scheme === 'preflight');
    expect(preflights.length).toBeGreaterThan(0);
    expect(preflights.every((r) => r.corsAllowed && r.origin === app.origin)).toBe(true);
    expect(preflights[0]!.headers['access-control-request-headers']).toBe('authorization,dpop');
    expect(rsNonce.requests.filter((r) => r.scheme !== 'preflight').map((r) => r.error ?? 'ok')).toEqual([
      'use_dpop_nonce',
      'ok',
      'use_dpop_nonce',
      'use_dpop_nonce',
    ]);
  });

  it('PoP (Signed HTTP Request): accepts a valid SHR; rejects wrong m/u/p/q, replayed nonce, key mismatch, stale ts', async () => {
    const shr = (extra: Json = {}, opts: { url?: string; method?: string; key?: KeyPair; cnfKey?: KeyPair; at?: string } = {}) =>
      signedHttpRequest(opts.key ?? popKey, opts.at ?? popAt, opts.url ?? api(), opts.method ?? 'GET', extra, opts.cnfKey ?? opts.key ?? popKey);
    const send = (token: string, method = 'GET') => call(api(), { method, headers: { Authorization: `PoP ${token}` } });

    const valid = await shr();
    const ok = await send(valid);
    expect(ok).toMatchObject({ status: 200, body: { ok: true, scheme: 'PoP', sub: decodeJwt(popAt).sub } });
    expect(ok.body.verified).toEqual([
      'shr.typ',
      'shr.signature',
      'shr.kid',
      'shr.nonce',
      'shr.m',
      'shr.u',
      'shr.p',
      'shr.q',
      'shr.ts',
      'at.signature',
      'at.iss',
      'at.aud',
      'at.exp',
      'at.cnf.kid',
    ]);
    expect(rs.requests.at(-1)!.shr!.payload).toMatchObject({ at: '[access token]', m: 'GET', u: `127.0.0.1:${rs.port}`, p: '/api/items', q: [[], 'x=1&y=2'] });
    expect(
      (await call(rs.url('/plain'), { method: 'DELETE', headers: { Authorization: `pop ${await shr({}, { url: rs.url('/plain'), method: 'DELETE' })}` } }))
        .status,
    ).toBe(200);

    const rejected = async (r: Fetched, reason: RegExp) => {
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ ok: false, error: 'invalid_token' });
      expect(r.body.reason).toMatch(reason);
      expect(r.headers['www-authenticate']).toMatch(/^PoP realm="keyward-test-api", error="invalid_token"/);
    };
    await rejected(await send(await shr(), 'POST'), /m mismatch: SHR says GET, request is POST/);
    await rejected(await send(await shr({ u: 'api.contoso.com' })), /u mismatch/);
    await rejected(await send(await shr({ p: '/api/other' })), /p mismatch/);
    await rejected(await send(await shr({ q: [[], 'x=1&y=3'] })), /q mismatch/);
    await rejected(await send(await shr({ q: undefined })), /no q but the request has a query/);
    await rejected(await send(valid), /replayed: nonce/);
    await rejected(await send(await shr({ ts: now() - 600 })), /ts .* is not within 300 s/);
    // Signed and named by another key: valid SHR, but the token is bound to popKey.
    await rejected(await send(await shr({}, { key: otherRsaKey })), /key mismatch: access token cnf.kid/);
    // cnf.jwk names popKey but another key signed.
    await rejected(await send(await shr({}, { key: otherRsaKey, cnfKey: popKey })), /SHR signature/);
    await rejected(await send(await shr({}, { at: bearerAt })), /not PoP-bound/);
    await rejected(await send(await shr({}, { at: dpopAt })), /not PoP-bound/);
    const typJwt = await new SignJWT({
      at: popAt,
      ts: now(),
      m: 'GET',
      u: `127.0.0.1:${rs.port}`,
      p: '/api/items',
      q: [[], 'x=1&y=2'],
      nonce: randomUUID(),
      cnf: { jwk: popKey.jwk },
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256' })
      .sign(popKey.privateKey);
    await rejected(await send(typJwt), /typ is "JWT"/);
  });

  it("claims challenge: 401 insufficient_claims in Entra's header format until the token carries acrs c1", async () => {
    rs.setClaimsChallenge(CLAIMS);
    const expectedHeader = `Bearer realm="", authorization_uri="${CLAIMS_CHALLENGE_AUTHORIZATION_URI}", error="insufficient_claims", claims="${Buffer.from(CLAIMS).toString('base64')}"`;
    expect(claimsChallengeHeader(CLAIMS)).toBe(expectedHeader);
    expect(expectedHeader).toBe(
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"',
    );

    // The page can read the challenge (WWW-Authenticate is exposed).
    const challenged = await pageFetch(api(), { headers: { Authorization: `Bearer ${bearerAt}` } });
    expect(challenged).toMatchObject({ status: 401, body: { ok: false, error: 'insufficient_claims' } });
    expect(challenged.headers['www-authenticate']).toBe(expectedHeader);
    const claims = /claims="([^"]+)"/.exec(challenged.headers['www-authenticate']!)![1]!;
    expect(JSON.parse(Buffer.from(claims, 'base64').toString('utf8'))).toEqual(JSON.parse(CLAIMS));
    // PoP-bound and DPoP-bound tokens without acrs get the same challenge after their own checks pass.
    expect((await call(api(), { headers: { Authorization: `PoP ${await signedHttpRequest(popKey, popAt, api(), 'GET')}` } })).headers['www-authenticate']).toBe(
      expectedHeader,
    );
    expect((await dpopCall(api(), dpopAt, dpopKey)).body.error).toBe('insufficient_claims');

    // The Entra authority puts acrs in the access token when the token request's claims ask.
    const stepUp = await ropc({ claims: CLAIMS });
    expect(decodeJwt(stepUp.body.access_token).acrs).toEqual(['c1']);
    const ok = await pageFetch(api(), { headers: { Authorization: `Bearer ${stepUp.body.access_token}` } });
    expect(ok).toMatchObject({ status: 200, body: { ok: true } });
    expect(ok.body.verified.at(-1)).toBe('claims');

    rs.setClaimsChallenge(undefined);
    expect((await call(api(), { headers: { Authorization: `Bearer ${bearerAt}` } })).status).toBe(200);
  });
});
