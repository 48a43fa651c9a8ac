// The app-driven flow APIs (initiateAuthCodeFlow / acquireTokenByAuthCodeFlow,
// getAuthorizationRequestUrl / acquireTokenByAuthorizationCode) and sign-out.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthCodeFlow } from '../../src/index.js';
import { accounts, openApp, popupSignIn, SCOPES, type Settled, startPopupLogout } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import { completeLogin } from './harness/login';

let e2e: E2E;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  e2e = await startE2E();
  context = await e2e.newContext();
  page = await openApp(e2e, context);
  expect((await popupSignIn(page, { login: 'frank' })).error).toBeUndefined(); // provider session for the flows below
});
afterAll(() => e2e?.close());

/**
 * Sends a second tab to `authUri` and returns the authorization response parameters the
 * provider redirected back with. That tab has no keyward config, so its page does not
 * touch the response: the app under test redeems it itself.
 */
async function authorizationResponse(authUri: string): Promise<Record<string, string>> {
  const tab = await context.newPage();
  const isResponse = (url: URL): boolean => url.origin === e2e.app.origin && (url.searchParams.has('code') || url.searchParams.has('error'));
  // Wait for the load: closing a tab mid-navigation can hang Playwright's close().
  const landed = tab.waitForURL(isResponse, { waitUntil: 'load' }).then(() => true);
  const login = tab
    .locator('input[name="login"]')
    .waitFor()
    .then(
      () => false,
      () => false,
    );
  void tab.goto(authUri).catch(() => undefined);
  if (!(await Promise.race([landed, login]))) await completeLogin(tab);
  await landed;
  const captured = Object.fromEntries(new URL(tab.url()).searchParams);
  await tab.close();
  return captured;
}

describe('initiateAuthCodeFlow / acquireTokenByAuthCodeFlow', () => {
  it('returns a plain JSON flow, redeems the response once, and refuses a replay', async () => {
    const flow = await page.evaluate((scopes) => window.app.initiateAuthCodeFlow(scopes, { loginHint: 'frank' }), SCOPES);
    expect(JSON.parse(JSON.stringify(flow))).toEqual(flow);
    expect(flow).toMatchObject({
      state: expect.any(String),
      nonce: expect.any(String),
      codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      redirectUri: e2e.app.url,
    });
    const authUri = new URL(flow.authUri);
    expect(authUri.searchParams.get('state')).toBe(flow.state);
    expect(authUri.searchParams.get('login_hint')).toBe('frank');

    const response = await authorizationResponse(flow.authUri);
    const result = await page.evaluate(({ f, r }) => window.settle(window.app.acquireTokenByAuthCodeFlow(f as AuthCodeFlow, r)), { f: flow, r: response });
    expect(result.error).toBeUndefined();
    expect(result.result).toMatchObject({ state: flow.state, account: { username: 'frank@example.test' } });

    const replay = await page.evaluate(({ f, r }) => window.settle(window.app.acquireTokenByAuthCodeFlow(f as AuthCodeFlow, r)), { f: flow, r: response });
    expect(replay.error).toMatchObject({ name: 'ClientAuthError', errorCode: 'flow_already_used' });
  });

  it('returns a provider error as a result object, and throws typed errors for state problems', async () => {
    const flow = await page.evaluate((scopes) => window.app.initiateAuthCodeFlow(scopes), SCOPES);
    const outcome = await page.evaluate(async (f) => {
      const app = window.app;
      return {
        // oidc-provider advertises RFC 9207, so even an error response must name the issuer.
        unsignedError: await window.settle(app.acquireTokenByAuthCodeFlow(f, { state: f.state, error: 'access_denied' })),
        providerError: await app.acquireTokenByAuthCodeFlow(f, {
          state: f.state,
          iss: f.issuer,
          error: 'access_denied',
          error_description: 'The person said no',
        }),
        mismatch: await window.settle(app.acquireTokenByAuthCodeFlow(f, { state: 'other', code: 'x' })),
        missing: await window.settle(app.acquireTokenByAuthCodeFlow(f, { code: 'x' })),
        foreign: await window.settle(app.acquireTokenByAuthCodeFlow({ ...f, clientId: 'someone-else' }, { state: f.state, code: 'x' })),
      };
    }, flow);
    expect((outcome.unsignedError as Settled<unknown>).error?.errorCode).toBe('iss_missing');
    expect(outcome.providerError).toEqual({ error: 'access_denied', errorDescription: 'The person said no' });
    expect((outcome.mismatch as Settled<unknown>).error?.errorCode).toBe('state_mismatch');
    expect((outcome.missing as Settled<unknown>).error?.errorCode).toBe('state_missing');
    expect((outcome.foreign as Settled<unknown>).error?.errorCode).toBe('flow_mismatch');
  });

  it('maxAge goes out as max_age and is checked against auth_time', async () => {
    const flow = await page.evaluate((scopes) => window.app.initiateAuthCodeFlow(scopes, { maxAge: 3600 }), SCOPES);
    expect(new URL(flow.authUri).searchParams.get('max_age')).toBe('3600');
    const response = await authorizationResponse(flow.authUri);
    const result = await page.evaluate(({ f, r }) => window.settle(window.app.acquireTokenByAuthCodeFlow(f as AuthCodeFlow, r)), { f: flow, r: response });
    expect(result.error).toBeUndefined();
    expect(typeof (result.result as { idTokenClaims?: { auth_time?: number } }).idTokenClaims?.auth_time).toBe('number');
  });
});

describe('getAuthorizationRequestUrl / acquireTokenByAuthorizationCode', () => {
  it('builds the URL from the options and redeems a code obtained with it', async () => {
    const { url, verifier } = await page.evaluate(async (scopes) => {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const b64 = (data: Uint8Array) =>
        btoa(String.fromCharCode(...data))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      const codeVerifier = b64(bytes);
      const codeChallenge = b64(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))));
      const built = await window.app.getAuthorizationRequestUrl(scopes, {
        state: 's-1',
        nonce: 'n-1',
        codeChallenge,
        loginHint: 'frank',
        prompt: 'none',
        domainHint: 'example.test',
      });
      return { url: built, verifier: codeVerifier };
    }, SCOPES);
    const params = new URL(url).searchParams;
    expect(
      Object.fromEntries(
        ['response_type', 'state', 'nonce', 'login_hint', 'prompt', 'domain_hint', 'code_challenge_method', 'client_id'].map((k) => [k, params.get(k)]),
      ),
    ).toEqual({
      response_type: 'code',
      state: 's-1',
      nonce: 'n-1',
      login_hint: 'frank',
      prompt: 'none',
      domain_hint: 'example.test',
      code_challenge_method: 'S256',
      client_id: 'spa',
    });

    const response = await authorizationResponse(url.replace('prompt=none', 'prompt=login').replace(/&?prompt=[^&]*/, ''));
    expect(response.state).toBe('s-1');
    const redeemed = await page.evaluate(
      ({ code, codeVerifier, scopes }) => window.settle(window.app.acquireTokenByAuthorizationCode(code, scopes, { codeVerifier, nonce: 'n-1' })),
      { code: response.code!, codeVerifier: verifier, scopes: SCOPES },
    );
    expect(redeemed.error).toBeUndefined();
    expect(redeemed.result?.account.username).toBe('frank@example.test');
  });
});

describe('logout', () => {
  it('interaction "none" forgets the account locally only', async () => {
    const local = await openApp(e2e, context);
    expect((await popupSignIn(local)).error).toBeUndefined();
    const requests = recordRequests(context, `${e2e.idp.issuer}/session`);
    await local.evaluate(() => window.app.logout({ interaction: 'none' }));
    expect(await accounts(local)).toEqual([]);
    expect(requests).toEqual([]);
    await local.close();
  });

  it('a sign-out popup the person closes → user_cancelled naming the sign-out; the account is signed out here all the same', async () => {
    const other = await e2e.newContext();
    const app = await openApp(e2e, other);
    expect((await popupSignIn(app, { login: 'gina' })).error).toBeUndefined();
    const { popup, outcome } = await startPopupLogout(app);
    // Like a person who reads the provider's confirmation before closing it (a popup closed at
    // once reads like one COOP severed: src/client/browser/popupMonitor.ts).
    await popup.locator('button[autofocus], form button').first().waitFor();
    await popup.waitForTimeout(2_000);
    await popup.close();
    const settled = await outcome;
    expect(settled.error).toMatchObject({ errorCode: 'user_cancelled', name: 'BrowserError' });
    expect(settled.error?.message).toBe('The sign-out popup was closed before sign-out finished.');
    // The tokens went before the popup's provider round trip (logout's contract).
    expect(await accounts(app)).toEqual([]);
    await other.close();
  });

  it('popup logout ends the provider session through end_session_endpoint', async () => {
    const other = await e2e.newContext();
    const app = await openApp(e2e, other);
    expect((await popupSignIn(app, { login: 'gina' })).error).toBeUndefined();
    const endSessionRequests = recordRequests(other, `${e2e.idp.issuer}/session/end?`);
    const { popup, outcome: done } = await startPopupLogout(app);
    // oidc-provider asks the person to confirm the sign-out.
    await popup.locator('button[autofocus], form button').first().click();
    expect((await done).error).toBeUndefined();
    const endSession = new URL(endSessionRequests[0]!.url).searchParams;
    expect(endSession.get('client_id')).toBe('spa');
    expect(endSession.get('post_logout_redirect_uri')).toBe(e2e.app.url);
    expect(endSession.get('id_token_hint')).toMatch(/^eyJ/);
    expect(endSession.get('state')).toBeTruthy();
    expect(await accounts(app)).toEqual([]);
    // The provider session is gone: the next sign-in shows the login form again.
    const again = app.waitForEvent('popup');
    const next = app.evaluate((scopes) => window.settle(window.app.acquireTokenInteractive({ scopes, interaction: 'popup' })), SCOPES);
    const loginPopup = await again;
    await loginPopup.locator('input[name="login"]').waitFor();
    await completeLogin(loginPopup, { login: 'gina' });
    expect((await next).error).toBeUndefined();
    await other.close();
  });
});
