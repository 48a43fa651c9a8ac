// Proves the rig (IdP + static app server + Chromium) without keyward: a raw
// PKCE code flow, written inline, from a real page on the app origin.
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evaluateWithoutUserActivation, launchBrowser, newContext } from './harness/browser';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import { abortLogin, completeLogin } from './harness/login';

const SCOPE = 'openid profile offline_access api://demo/read';

interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
  error?: string;
}

let e2e: E2E;
let tokenEndpoint: string;

beforeAll(async () => {
  e2e = await startE2E();
  tokenEndpoint = `${e2e.idp.issuer}/token`;
});
afterAll(() => e2e?.close());

/** Builds an authorize URL in the page (WebCrypto S256); keeps verifier/state/nonce in sessionStorage. */
function authorizeUrl(page: Page): Promise<string> {
  return page.evaluate(
    async ({ issuer, scope }) => {
      const b64url = (bytes: Uint8Array) =>
        btoa(String.fromCharCode(...bytes))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
      const verifier = random();
      const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
      const flow = { verifier, state: random(), nonce: random() };
      sessionStorage.setItem('flow', JSON.stringify(flow));
      const url = new URL(`${issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: 'spa',
        response_type: 'code',
        scope,
        redirect_uri: `${location.origin}/`,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      }).toString();
      return url.href;
    },
    { issuer: e2e.idp.issuer, scope: SCOPE },
  );
}

/** On the redirect URI: checks state, redeems the code with a CORS fetch from the app origin. */
function redeemCode(page: Page): Promise<TokenResponse & { nonce: string }> {
  return page.evaluate(async (tokenEndpoint) => {
    const flow = JSON.parse(sessionStorage.getItem('flow') ?? '{}') as { verifier: string; state: string; nonce: string };
    const params = new URLSearchParams(location.search);
    if (params.get('state') !== flow.state) throw new Error(`state mismatch: ${location.href}`);
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'spa',
        code: params.get('code') ?? '',
        code_verifier: flow.verifier,
        redirect_uri: `${location.origin}/`,
      }),
    });
    return { ...(await response.json()), nonce: flow.nonce };
  }, tokenEndpoint);
}

function refresh(page: Page, refreshToken: string): Promise<TokenResponse> {
  return page.evaluate(
    async ({ tokenEndpoint, refreshToken, scope }) => {
      const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: refreshToken, scope });
      return (await fetch(tokenEndpoint, { method: 'POST', body })).json();
    },
    { tokenEndpoint, refreshToken, scope: SCOPE },
  );
}

function expectApiAccessToken(accessToken: string | undefined) {
  const claims = decodeJwt(accessToken ?? '');
  expect(claims.aud).toBe('api://demo');
  expect(claims.iss).toBe(e2e.idp.issuer);
  expect(String(claims.scope).split(' ')).toContain('api://demo/read');
}

it('advertises the endpoints keyward needs, on the real port', async () => {
  const discovery = (await (await fetch(`${e2e.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  expect(e2e.idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(e2e.idp.issuer).not.toBe('http://127.0.0.1:0');
  expect(discovery).toMatchObject({
    issuer: e2e.idp.issuer,
    jwks_uri: `${e2e.idp.issuer}/jwks`,
    end_session_endpoint: `${e2e.idp.issuer}/session/end`,
    token_endpoint: tokenEndpoint,
  });
});

it('code flow with PKCE, rotating refresh, silent re-authorization, replay detection', async () => {
  const { idp, app } = e2e;
  const context = await e2e.newContext();
  const interactionPages = recordRequests(context, `${idp.issuer}/interaction/`);
  const page = await context.newPage();
  await page.goto(app.url);

  // First sign-in: login form, then consent (the grant is new).
  await page.goto(await authorizeUrl(page));
  await completeLogin(page);
  await page.waitForURL((url) => url.origin === app.origin && url.searchParams.has('code'));
  const first = await redeemCode(page);

  expectApiAccessToken(first.access_token);
  expect(decodeJwt(first.id_token ?? '')).toMatchObject({
    aud: 'spa',
    nonce: first.nonce,
    name: 'Alice',
    preferred_username: 'alice@example.test',
  });
  expect(first.refresh_token).toBeTruthy();

  const refreshed = await refresh(page, first.refresh_token!);
  expect(refreshed.error).toBeUndefined();
  expect(refreshed.refresh_token).toBeTruthy();
  expect(refreshed.refresh_token).not.toBe(first.refresh_token);
  expectApiAccessToken(refreshed.access_token);

  expect(idp.tokenRequests.map((r) => r.grant_type)).toEqual(['authorization_code', 'refresh_token']);
  expect(idp.tokenRequests[1]).toMatchObject({ refresh_token: first.refresh_token, scope: SCOPE, status: 200 });
  expect(idp.tokenRequests[0]!.headers.origin).toBe(app.origin);
  expect(idp.replays()).toEqual([]);

  // Same browser session, grant already consented: straight back with a code.
  const pagesShown = interactionPages.length;
  await page.goto(await authorizeUrl(page));
  expect(new URL(page.url()).origin).toBe(app.origin);
  expect(interactionPages.length).toBe(pagesShown);
  const second = await redeemCode(page);
  expect(second.refresh_token).toBeTruthy();
  expectApiAccessToken(second.access_token);

  // Replaying the rotated-away token: rejected, and the IdP revokes the grant.
  const replay = await refresh(page, first.refresh_token!);
  expect(replay.error).toBe('invalid_grant');
  expect(idp.replays()).toEqual([first.refresh_token]);
  expect(idp.events.map((e) => e.type)).toContain('grant.revoked');

  await context.close();
});

it('cancel on the login page returns access_denied; nothing leaves loopback', async () => {
  const context = await e2e.newContext();
  const blocked: string[] = [];
  context.on('requestfailed', (request) => blocked.push(new URL(request.url()).hostname));
  const page = await context.newPage();
  await page.goto(e2e.app.url);
  await page.goto(await authorizeUrl(page));
  await abortLogin(page);
  const url = new URL(page.url());
  expect(url.origin).toBe(e2e.app.origin);
  expect(url.searchParams.get('error')).toBe('access_denied');
  // The dev pages @import Google Fonts; the context's route aborts that.
  expect(blocked).toContain('fonts.googleapis.com');
  await context.close();
});

it("Chromium's real popup blocker: on only with popupBlocking, and Playwright actions count as a gesture", async () => {
  const openPopup = 'window.open("about:blank", "_blank", "popup") !== null';
  const blocking = await launchBrowser({ popupBlocking: true });
  try {
    for (const [browser, blocked] of [
      [blocking, true],
      [e2e.browser, false],
    ] as const) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(e2e.app.url); // a fresh document has no user activation
      expect(await evaluateWithoutUserActivation(page, openPopup)).toBe(!blocked);
      expect(await page.evaluate(openPopup)).toBe(true);
      await context.close();
    }
  } finally {
    await blocking.close();
  }
});
