// Proves the local Entra authority (test/idp/entra) without keyward: real
// Chromium whose resolver rules send Entra's hosts to it, a page on the app
// origin doing raw requests (PKCE written inline), Node doing the device-code
// and ROPC calls a CLI would.
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEntraIdp, decodeClientInfo, entraResolverRules, oidFor, TENANT_A, TENANT_B, type EntraIdp } from '../idp/entra/createEntraIdp.mjs';
import { approveDeviceCode, denyDeviceCode, launchEntraBrowser, newEntraContext } from '../idp/entra/browser';
import { completeLogin } from './harness/login';
import { appOutDir } from './harness/paths';
import { startStaticServer, type StaticServer } from './harness/staticServer';

const LOGIN = 'https://login.microsoftonline.com';
const SCOPE = 'openid profile offline_access api://demo/read';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AADSTS_DESCRIPTION = /^AADSTS\d+: .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s;

type Json = Record<string, any>;
interface Fetched {
  status: number;
  body: Json;
  headers: Record<string, string>;
}

let app: StaticServer;
let idp: EntraIdp;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  app = await startStaticServer(appOutDir);
  idp = await createEntraIdp({ redirectUris: [`${app.origin}/`], deviceSlowDown: true });
  browser = await launchEntraBrowser(idp);
  context = await newEntraContext(browser, idp);
  page = await context.newPage();
  await page.goto(`${app.origin}/`);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([idp?.close(), app?.close()]);
});

/** fetch() run by the page on the app origin (a real CORS request). */
function pageFetch(url: string, init?: { method?: string; form?: Record<string, string> }): Promise<Fetched> {
  return page.evaluate(
    async ({ url, init }) => {
      const response = await fetch(url, init?.form ? { method: 'POST', body: new URLSearchParams(init.form) } : { method: init?.method ?? 'GET' });
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = { text };
      }
      return { status: response.status, body: body as Record<string, any>, headers: Object.fromEntries(response.headers) };
    },
    { url, init },
  );
}

async function nodeForm(url: string, form: Record<string, string>): Promise<Fetched> {
  const response = await idp.fetch(url, { method: 'POST', body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Json, headers: Object.fromEntries(response.headers) };
}

function expectEntraError(body: Json, error: string, code: number) {
  expect(body).toMatchObject({ error, error_codes: [code], error_uri: `${LOGIN}/error?code=${code}` });
  expect(Object.keys(body).slice(0, 7)).toEqual(['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
  expect(body.error_description).toMatch(AADSTS_DESCRIPTION);
  expect(body.error_description.startsWith(`AADSTS${code}: `)).toBe(true);
  expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(body.trace_id).toMatch(GUID);
}

/** Authorize URL built in the page (WebCrypto S256); verifier/state/nonce kept in sessionStorage. */
function authorizeUrl(authority: string, extra: Record<string, string> = {}): Promise<string> {
  return page.evaluate(
    async ({ authority, scope, extra }) => {
      const b64url = (bytes: Uint8Array) =>
        btoa(String.fromCharCode(...bytes))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
      const verifier = random();
      const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
      const flow = { verifier, state: random(), nonce: random(), authority };
      sessionStorage.setItem('flow', JSON.stringify(flow));
      const url = new URL(`${authority}oauth2/v2.0/authorize`);
      url.search = new URLSearchParams({
        client_id: 'spa',
        response_type: 'code',
        scope,
        redirect_uri: `${location.origin}/`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
        client_info: '1',
        'client-request-id': crypto.randomUUID(),
        'x-client-SKU': 'msal.js.browser',
        ...extra,
      }).toString();
      return url.href;
    },
    { authority, scope: SCOPE, extra },
  );
}

/** On the redirect URI: reads the response (query or fragment), checks state, redeems with client_info=1. */
function redeem(): Promise<{ response: Record<string, string>; token: Fetched; nonce: string }> {
  return page.evaluate(async () => {
    const flow = JSON.parse(sessionStorage.getItem('flow') ?? '{}') as { verifier: string; state: string; nonce: string; authority: string };
    const response = Object.fromEntries(new URLSearchParams(location.hash ? location.hash.slice(1) : location.search));
    if (response.state !== flow.state) throw new Error(`state mismatch: ${location.href}`);
    const r = await fetch(`${flow.authority}oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'spa',
        code: response.code ?? '',
        code_verifier: flow.verifier,
        redirect_uri: `${location.origin}/`,
        scope: 'openid profile offline_access api://demo/read',
        client_info: '1',
        'client-request-id': '11111111-2222-4333-8444-555555555555',
      }),
    });
    return { response, token: { status: r.status, body: await r.json(), headers: Object.fromEntries(r.headers) }, nonce: flow.nonce };
  });
}

/** Tokens for `login` without a browser (ROPC from Node), when a test only needs a refresh token. */
async function passwordTokens(login: string, tenant: string = TENANT_A): Promise<Json> {
  const r = await nodeForm(`${LOGIN}/${tenant}/oauth2/v2.0/token`, {
    grant_type: 'password',
    client_id: 'spa',
    scope: SCOPE,
    username: login,
    password: `pw-${login}`,
  });
  expect(r.status).toBe(200);
  return r.body;
}

async function signIn(authority: string, login: string, extra: Record<string, string> = {}) {
  await page.goto(await authorizeUrl(authority, extra));
  if (!page.url().startsWith(app.origin)) await completeLogin(page, { login });
  await page.waitForURL((url) => url.origin === app.origin && (url.searchParams.has('code') || url.hash.includes('code=')));
  return redeem();
}

it('resolver rules: Entra hosts reach the IdP, other names fail, loopback stays direct', async () => {
  const rules = entraResolverRules(idp);
  expect(rules).toMatch(
    new RegExp(
      `^MAP login\\.microsoftonline\\.com 127\\.0\\.0\\.1:${idp.port}, MAP login\\.windows\\.net 127\\.0\\.0\\.1:${idp.port}, .*MAP \\* ~NOTFOUND , EXCLUDE 127\\.0\\.0\\.1, EXCLUDE localhost$`,
    ),
  );
  const probe = await page.evaluate(async () => {
    const attempt = (url: string) =>
      fetch(url).then(
        (r) => r.status,
        () => 'failed',
      );
    return {
      entra: await attempt(
        'https://login.windows.net/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.windows.net/common/oauth2/v2.0/authorize',
      ),
      elsewhere: await attempt('https://example.com/'),
      app: await attempt(`${location.origin}/`),
    };
  });
  expect(probe).toEqual({ entra: 200, elsewhere: 'failed', app: 200 });
});

it('openid-configuration: tenant issuer exact, {tenantid} on common, Entra paths throughout', async () => {
  idp.reset();
  const tenant = await pageFetch(`${LOGIN}/${TENANT_A}/v2.0/.well-known/openid-configuration`);
  expect(tenant.status).toBe(200);
  expect(tenant.body).toMatchObject({
    issuer: `${LOGIN}/${TENANT_A}/v2.0`,
    authorization_endpoint: `${LOGIN}/${TENANT_A}/oauth2/v2.0/authorize`,
    token_endpoint: `${LOGIN}/${TENANT_A}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${LOGIN}/${TENANT_A}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${LOGIN}/${TENANT_A}/oauth2/v2.0/logout`,
    jwks_uri: `${LOGIN}/${TENANT_A}/discovery/v2.0/keys`,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    cloud_instance_name: 'microsoftonline.com',
    msgraph_host: 'graph.microsoft.com',
  });
  // Entra advertises none of these (docs/protocol.md A3), so neither does this IdP.
  for (const absent of ['code_challenge_methods_supported', 'authorization_response_iss_parameter_supported', 'dpop_signing_alg_values_supported']) {
    expect(tenant.body).not.toHaveProperty(absent);
  }
  expect(tenant.headers['cache-control']).toBe('max-age=86400, private');

  const common = await pageFetch(`${LOGIN}/common/v2.0/.well-known/openid-configuration`);
  expect(common.body).toMatchObject({
    issuer: `${LOGIN}/{tenantid}/v2.0`,
    token_endpoint: `${LOGIN}/common/oauth2/v2.0/token`,
    jwks_uri: `${LOGIN}/common/discovery/v2.0/keys`,
    tenant_region_scope: null,
  });
  const alias = await pageFetch(`${LOGIN}/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
  expect(alias.body.issuer).toBe(`${LOGIN}/${TENANT_B}/v2.0`);
  expect(alias.body.token_endpoint).toBe(`${LOGIN}/fabrikam.onmicrosoft.com/oauth2/v2.0/token`);

  const unknown = await pageFetch(`${LOGIN}/not-a-tenant.example/v2.0/.well-known/openid-configuration`);
  expect(unknown.status).toBe(400);
  expectEntraError(unknown.body, 'invalid_tenant', 90002);
  expect(idp.discoveryRequests.filter((r) => r.kind === 'openid-configuration').map((r) => r.segment)).toEqual([
    TENANT_A,
    'common',
    'fabrikam.onmicrosoft.com',
    'not-a-tenant.example',
  ]);
});

it('instance discovery: metadata for Microsoft hosts, invalid_instance for others', async () => {
  idp.reset();
  const endpoint = (host: string) =>
    `${LOGIN}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`https://${host}/${TENANT_A}/oauth2/v2.0/authorize`)}`;
  const known = await pageFetch(endpoint('login.microsoftonline.com'));
  expect(known.status).toBe(200);
  expect(Object.keys(known.body)).toEqual(['tenant_discovery_endpoint', 'api-version', 'metadata']);
  expect(known.body.tenant_discovery_endpoint).toBe(`${LOGIN}/${TENANT_A}/v2.0/.well-known/openid-configuration`);
  expect(known.body['api-version']).toBe('1.1');
  expect(known.body.metadata[0]).toEqual({
    preferred_network: 'login.microsoftonline.com',
    preferred_cache: 'login.windows.net',
    aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
  });
  expect(known.body.metadata.map((m: Json) => m.preferred_network)).toContain('login.microsoftonline.us');

  const unknown = await pageFetch(endpoint('unknown-instance.example'));
  expect(unknown.status).toBe(400);
  expectEntraError(unknown.body, 'invalid_instance', 50049);
  expect(idp.discoveryRequests.filter((r) => r.kind === 'instance')).toHaveLength(2);
});

it('code flow via /organizations: client_info, ext_expires_in, refresh_in; same person in tenant B', async () => {
  const first = await signIn(`${LOGIN}/organizations/`, 'alice');
  const alice = idp.account('alice', TENANT_A);
  expect(first.response.client_info).toBeDefined();
  expect(decodeClientInfo(first.response.client_info!)).toEqual({ uid: alice.oid, utid: TENANT_A });
  expect(first.response).not.toHaveProperty('iss'); // Entra sends no RFC 9207 iss

  const token = first.token.body;
  expect(first.token.status).toBe(200);
  expect(Object.keys(token)).toEqual([
    'token_type',
    'scope',
    'expires_in',
    'ext_expires_in',
    'refresh_in',
    'access_token',
    'refresh_token',
    'id_token',
    'client_info',
  ]);
  expect(token).toMatchObject({ token_type: 'Bearer', scope: 'api://demo/read', expires_in: 3600, ext_expires_in: 3600, refresh_in: 1800 });
  expect(decodeClientInfo(token.client_info)).toEqual({ uid: oidFor('alice'), utid: TENANT_A });
  expect(decodeJwt(token.id_token)).toMatchObject({
    iss: `${LOGIN}/${TENANT_A}/v2.0`,
    aud: 'spa',
    tid: TENANT_A,
    oid: alice.oid,
    ver: '2.0',
    nonce: first.nonce,
    name: 'Alice',
    preferred_username: 'alice@contoso.onmicrosoft.com',
    sub: alice.sub,
  });
  expect(decodeJwt(token.access_token)).toMatchObject({ aud: 'api://demo', scp: 'read', tid: TENANT_A, oid: alice.oid, ver: '2.0', azp: 'spa' });

  const authorize = idp.authorizeRequests.at(-1)!;
  expect(authorize).toMatchObject({ segment: 'organizations', tenant: TENANT_A, params: { client_info: '1', 'x-client-SKU': 'msal.js.browser' } });
  const redemption = idp.tokenRequests.at(-1)!;
  expect(redemption).toMatchObject({
    grant_type: 'authorization_code',
    client_info: '1',
    status: 200,
    segment: 'organizations',
    headers: { origin: app.origin },
  });

  // Tenant B is another oidc-provider (no session there yet): sign in again; fragment response mode.
  const second = await signIn(`${LOGIN}/${TENANT_B}/`, 'alice', { response_mode: 'fragment', prompt: 'select_account' });
  expect(second.token.status).toBe(200);
  const info = decodeClientInfo(second.token.body.client_info);
  expect(info.uid).toBe(decodeClientInfo(token.client_info).uid);
  expect(info.utid).toBe(TENANT_B);
  expect(decodeClientInfo(second.response.client_info!)).toEqual(info);
  expect(decodeJwt(second.token.body.id_token)).toMatchObject({
    iss: `${LOGIN}/${TENANT_B}/v2.0`,
    tid: TENANT_B,
    oid: alice.oid,
    sub: idp.account('alice', TENANT_B).sub,
  });
  expect(idp.account('alice', TENANT_B).sub).not.toBe(alice.sub);

  // Revoked refresh tokens: AADSTS50173.
  expect(idp.revokeRefreshTokens('alice')).toBeGreaterThan(0);
  const refreshed = await pageFetch(`${LOGIN}/organizations/oauth2/v2.0/token`, {
    form: { grant_type: 'refresh_token', client_id: 'spa', refresh_token: token.refresh_token, scope: SCOPE, client_info: '1' },
  });
  expect(refreshed.status).toBe(400);
  expectEntraError(refreshed.body, 'invalid_grant', 50173);
});

it('authorize errors: prompt=none without a session redirects login_required with an AADSTS description', async () => {
  const fresh = await newEntraContext(browser, idp);
  const other = await fresh.newPage();
  const url = new URL(`${LOGIN}/${TENANT_B}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    scope: SCOPE,
    redirect_uri: `${app.origin}/`,
    prompt: 'none',
    state: 'st',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    response_mode: 'fragment',
  }).toString();
  await other.goto(url.href);
  const response = Object.fromEntries(new URLSearchParams(new URL(other.url()).hash.slice(1)));
  expect(response).toMatchObject({ error: 'login_required', state: 'st', error_uri: `${LOGIN}/error?code=50058` });
  expect(response.error_description).toMatch(/^AADSTS50058: /);
  expect(response).not.toHaveProperty('iss');
  await fresh.close();
});

it('failNext: 429 with Retry-After and Entra error body, then normal service', async () => {
  const tokens = await passwordTokens('bob');
  idp.failNext({ status: 429, retryAfter: 5 });
  const form = {
    grant_type: 'refresh_token',
    client_id: 'spa',
    refresh_token: tokens.refresh_token,
    scope: SCOPE,
    'client-request-id': 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  };
  const wire = page.waitForResponse((r) => r.url().endsWith('/oauth2/v2.0/token'));
  const throttled = await pageFetch(`${LOGIN}/${TENANT_A}/oauth2/v2.0/token`, { form });
  expect(throttled.status).toBe(429);
  expectEntraError(throttled.body, 'temporarily_unavailable', 90055);
  expect(throttled.body.correlation_id).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
  expect((await wire).headers()['retry-after']).toBe('5');
  // Not in Access-Control-Expose-Headers (exposeRetryAfter: false): the page cannot read it.
  expect(throttled.headers['retry-after']).toBeUndefined();
  expect(idp.tokenRequests.at(-1)).toMatchObject({ grant_type: 'refresh_token', status: 429, error: 'temporarily_unavailable' });

  const recovered = await pageFetch(`${LOGIN}/${TENANT_A}/oauth2/v2.0/token`, { form });
  expect(recovered.status).toBe(200);
});

it('demandClaims: interaction_required with claims until a request carries them', async () => {
  const tokens = await passwordTokens('carol');
  const claims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
  idp.demandClaims({ claims });
  const form = { grant_type: 'refresh_token', client_id: 'spa', refresh_token: tokens.refresh_token, scope: SCOPE };
  const challenged = await pageFetch(`${LOGIN}/${TENANT_A}/oauth2/v2.0/token`, { form });
  expect(challenged.status).toBe(400);
  expectEntraError(challenged.body, 'interaction_required', 50076);
  expect(challenged.body).toMatchObject({ suberror: 'basic_action', claims });

  // MSAL merges its own members in; a superset satisfies the demand.
  const merged = JSON.stringify({
    access_token: { acrs: { essential: true, value: 'c1' }, xms_cc: { values: ['CP1'] } },
    id_token: { login_hint: { essential: false } },
  });
  const satisfied = await pageFetch(`${LOGIN}/${TENANT_A}/oauth2/v2.0/token`, { form: { ...form, claims: merged } });
  expect(satisfied.status).toBe(200);
  expect(decodeJwt(satisfied.body.access_token).acrs).toEqual(['c1']);
});

it('device code: pending, slow_down, approved in the browser, tokens by polling; denial', async () => {
  const start = await nodeForm(`${LOGIN}/organizations/oauth2/v2.0/devicecode`, { client_id: 'spa', scope: SCOPE });
  expect(start.status).toBe(200);
  expect(Object.keys(start.body)).toEqual(['user_code', 'device_code', 'verification_uri', 'expires_in', 'interval', 'message']);
  const { user_code: userCode, device_code: deviceCode, verification_uri: verificationUri } = start.body;
  expect(start.body).toMatchObject({ verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 1 });
  expect(start.body.message).toBe(`To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`);

  const poll = () =>
    nodeForm(`${LOGIN}/organizations/oauth2/v2.0/token`, { grant_type: DEVICE_GRANT, client_id: 'spa', device_code: deviceCode, client_info: '1' });
  const pending = await poll();
  expectEntraError(pending.body, 'authorization_pending', 70016);
  const tooFast = await poll();
  expect(tooFast.body.error).toBe('slow_down');
  const lastPoll = Date.now();

  // The person uses another browser profile (the test page's one is signed in as alice, which would be reused).
  const phone = await newEntraContext(browser, idp);
  await approveDeviceCode(await phone.newPage(), userCode, 'dave');

  await new Promise((r) => setTimeout(r, Math.max(0, lastPoll + 1_050 - Date.now()))); // respect interval: 1
  const done = await poll();
  expect(done.status).toBe(200);
  expect(done.body).toMatchObject({ token_type: 'Bearer', ext_expires_in: 3600 });
  expect(done.body.refresh_token).toBeTruthy();
  expect(decodeClientInfo(done.body.client_info)).toEqual({ uid: oidFor('dave'), utid: TENANT_A });
  expect(decodeJwt(done.body.id_token)).toMatchObject({ iss: `${LOGIN}/${TENANT_A}/v2.0`, preferred_username: 'dave@contoso.onmicrosoft.com' });

  // Tenant B's code entered on the common page is routed to tenant B; the person says no.
  const other = await nodeForm(`${LOGIN}/${TENANT_B}/oauth2/v2.0/devicecode`, { client_id: 'spa', scope: SCOPE });
  const denyPage = await phone.newPage();
  await denyDeviceCode(denyPage, other.body.user_code);
  expect(new URL(denyPage.url()).pathname).toBe(`/${TENANT_B}/oauth2/deviceauth`);
  await phone.close();
  const declined = await nodeForm(`${LOGIN}/${TENANT_B}/oauth2/v2.0/token`, {
    grant_type: DEVICE_GRANT,
    client_id: 'spa',
    device_code: other.body.device_code,
  });
  expectEntraError(declined.body, 'authorization_declined', 70000);
});

it('ROPC: pw-<login> signs in; a wrong password is AADSTS50126; the password is never logged', async () => {
  const form = { grant_type: 'password', client_id: 'spa', scope: SCOPE, username: 'erin', client_info: '1' };
  const good = await nodeForm(`${LOGIN}/${TENANT_B}/oauth2/v2.0/token`, { ...form, password: 'pw-erin' });
  expect(good.status).toBe(200);
  expect(good.body.refresh_token).toBeTruthy();
  expect(decodeClientInfo(good.body.client_info)).toEqual({ uid: oidFor('erin'), utid: TENANT_B });
  expect(decodeJwt(good.body.id_token)).toMatchObject({ iss: `${LOGIN}/${TENANT_B}/v2.0`, tid: TENANT_B, oid: oidFor('erin') });
  expect(decodeJwt(good.body.access_token)).toMatchObject({ aud: 'api://demo', scp: 'read' });

  const bad = await nodeForm(`${LOGIN}/${TENANT_B}/oauth2/v2.0/token`, { ...form, password: 'hunter2' });
  expect(bad.status).toBe(400);
  expectEntraError(bad.body, 'invalid_grant', 50126);

  const logged = idp.tokenRequests.filter((r) => r.grant_type === 'password' && r.username === 'erin');
  expect(logged.map((r) => r.status)).toEqual([200, 400]);
  expect(JSON.stringify([idp.tokenRequests, idp.events])).not.toMatch(/pw-erin|hunter2/);
});
