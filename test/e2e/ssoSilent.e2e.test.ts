// Silent single sign-on through a hidden iframe (prompt=none) in real Chromium against the
// real local provider: ssoSilent, acquireTokenSilent's iframe fallback and cacheLookupPolicy.
// The app (127.0.0.1:<port>) and the provider (127.0.0.1:<other port>) are the same site, so the
// provider's SameSite=Lax session cookie reaches the frame, as with a same-site deployment.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, cacheContents, openApp, popupSignIn, SCOPES, type Settled, silent } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import type { AuthenticationResult, SsoSilentRequest } from '../../src/index.js';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

const authorizeRequests = (context: BrowserContext) => recordRequests(context, `${e2e.idp.issuer}/auth`);
const frames = (page: Page) => page.evaluate(() => document.querySelectorAll('iframe').length);
const sso = (page: Page, request: Partial<SsoSilentRequest> = {}): Promise<Settled<AuthenticationResult>> =>
  page.evaluate((req) => window.settle(window.app.ssoSilent({ scopes: req.scopes ?? ['api://demo/read'], ...req })), request);

/** Clears this app's origin storage (IndexedDB, localStorage, sessionStorage) but no cookies: the provider's session stays. */
async function clearAppStorage(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Storage.clearDataForOrigin', {
      origin: e2e.app.origin,
      storageTypes: 'indexeddb,local_storage,session_storage,cache_storage,service_workers',
    });
  } finally {
    await cdp.detach();
  }
}

/** A context whose provider session is alive (signed in once through the popup), and a page with an empty cache. */
async function sessionThenEmptyPage(login: string, config = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await e2e.newContext();
  const first = await openApp(e2e, context, config, { cache: 'indexeddb' });
  expect((await popupSignIn(first, { login })).error).toBeUndefined();
  await clearAppStorage(first);
  await first.close();
  const page = await openApp(e2e, context, config, { cache: 'indexeddb' });
  expect(await accounts(page)).toEqual([]);
  return { context, page };
}

describe('ssoSilent', () => {
  it('with the provider session alive and app storage cleared, returns tokens with no popup, no navigation, one prompt=none /authorize, no iframe left', async () => {
    const { context, page } = await sessionThenEmptyPage('alice');
    const authorize = authorizeRequests(context);
    let popups = 0;
    context.on('page', () => popups++);
    let topNavigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) topNavigations++;
    });
    e2e.idp.reset();

    const outcome = await sso(page);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.account.username).toBe('alice@example.test');
    expect(outcome.result?.accessToken).toBeTruthy();
    expect(outcome.result?.fromCache).toBe(false);
    expect(popups).toBe(0);
    expect(topNavigations).toBe(0);
    expect(authorize).toHaveLength(1);
    expect(new URL(authorize[0]!.url).searchParams.get('prompt')).toBe('none');
    expect(new URL(authorize[0]!.url).searchParams.get('code_challenge_method')).toBe('S256');
    expect(await frames(page)).toBe(0);
    // Stored as an interactive sign-in stores it: the account, and a cache hit afterwards.
    expect(await accounts(page)).toHaveLength(1);
    expect(e2e.idp.tokenRequests.map((r) => r.grant_type)).toEqual(['authorization_code']);
    const again = await silent(page);
    expect(again.result).toMatchObject({ fromCache: true, accessToken: outcome.result!.accessToken });
    await context.close();
  });

  it('with no provider session, rejects with InteractionRequiredError login_required (not the timeout), stores nothing, leaves no iframe', async () => {
    const context = await e2e.newContext();
    // A timeout far away: the answer must be the provider's, not the timer's.
    const page = await openApp(e2e, context, { iframeTimeout: 60_000 });
    const authorize = authorizeRequests(context);
    const outcome = await sso(page);
    expect(outcome.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'login_required' });
    expect(authorize).toHaveLength(1);
    expect(await frames(page)).toBe(0);
    const cache = await cacheContents(page);
    expect([cache.Account, cache.IdToken, cache.AccessToken, cache.RefreshToken].map((s) => Object.keys(s).length)).toEqual([0, 0, 0, 0]);
    await context.close();
  });

  it('ten concurrent calls share one iframe and one /authorize', async () => {
    const { context, page } = await sessionThenEmptyPage('bob');
    const authorize = authorizeRequests(context);
    const tokens = await page.evaluate(async (scopes) => {
      const results = await Promise.all(Array.from({ length: 10 }, () => window.app.ssoSilent({ scopes })));
      return results.map((r) => r.accessToken);
    }, SCOPES);
    expect(new Set(tokens).size).toBe(1);
    expect(authorize).toHaveLength(1);
    expect(await frames(page)).toBe(0);
    await context.close();
  });

  it('sends login_hint, sid and domain_hint to /authorize', async () => {
    const { context, page } = await sessionThenEmptyPage('carol');
    const authorize = authorizeRequests(context);
    await sso(page, { loginHint: 'carol@example.test', sid: 'session-1', domainHint: 'example.test' });
    expect(authorize).toHaveLength(1);
    const params = new URL(authorize[0]!.url).searchParams;
    expect([params.get('login_hint'), params.get('sid'), params.get('domain_hint'), params.get('prompt')]).toEqual([
      'carol@example.test',
      'session-1',
      'example.test',
      'none',
    ]);
    await context.close();
  });

  it('a provider that never answers ends in monitor_window_timeout after iframeTimeout, with no iframe left', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { iframeTimeout: 1500 });
    // The request is held, never answered.
    await context.route(`${e2e.idp.issuer}/auth?*`, () => {});
    const outcome = await sso(page);
    expect(outcome.error).toMatchObject({ name: 'BrowserError', errorCode: 'monitor_window_timeout' });
    expect(await frames(page)).toBe(0);
    expect(await accounts(page)).toEqual([]);
    await context.close();
  });

  it('a tampered state in the frame answer is a state error: nothing stored, no token request', async () => {
    const { context, page } = await sessionThenEmptyPage('dave');
    await context.route(`${e2e.idp.issuer}/auth?*`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const location = response.headers().location;
      if (!location) return route.fulfill({ response });
      const tampered = new URL(location, e2e.idp.issuer);
      tampered.searchParams.set('state', 'forged-state');
      return route.fulfill({ response, headers: { ...response.headers(), location: tampered.href } });
    });
    e2e.idp.reset();
    const outcome = await sso(page);
    expect(outcome.error).toMatchObject({ name: 'ClientAuthError', errorCode: 'state_mismatch' });
    expect(e2e.idp.tokenRequests).toEqual([]);
    expect(await accounts(page)).toEqual([]);
    expect(await frames(page)).toBe(0);
    await context.close();
  });

  it('a frame that stops on a provider page (no redirect) is reported as frame_no_redirect before the timeout', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { iframeTimeout: 60_000 });
    await context.route(`${e2e.idp.issuer}/auth?*`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Sign in</title><form><input name="login"></form>' }),
    );
    const outcome = await sso(page);
    expect(outcome.error).toMatchObject({ name: 'BrowserError', errorCode: 'frame_no_redirect' });
    expect(await frames(page)).toBe(0);
    await context.close();
  });

  it('a provider refusing to be framed (X-Frame-Options: DENY) is reported as frame_no_redirect before the timeout', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { iframeTimeout: 60_000 });
    await context.route(`${e2e.idp.issuer}/auth?*`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', headers: { 'x-frame-options': 'DENY' }, body: '<!doctype html><title>Sign in</title>' }),
    );
    const outcome = await sso(page);
    expect(outcome.error).toMatchObject({ name: 'BrowserError', errorCode: 'frame_no_redirect' });
    expect(await frames(page)).toBe(0);
    await context.close();
  });
});

describe('acquireTokenSilent iframe fallback', () => {
  /** Kills the account's refresh token at the provider (its stored record), the session stays. */
  async function revokeAtProvider(page: Page): Promise<void> {
    const secret = Object.values((await cacheContents(page)).RefreshToken)[0]!.secret;
    const { RefreshToken } = e2e.idp.provider as unknown as { RefreshToken: { find(value: string): Promise<{ destroy(): Promise<void> } | undefined> } };
    const token = await RefreshToken.find(secret);
    expect(token).toBeTruthy();
    await token!.destroy();
  }

  it("refresh token revoked while the session lives: forceRefresh succeeds through the iframe; with cacheLookupPolicy 'refreshToken' it does not", async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    expect((await popupSignIn(page, { login: 'erin' })).error).toBeUndefined();
    await revokeAtProvider(page);
    const authorize = authorizeRequests(context);

    const refreshOnly = await silent(page, { forceRefresh: true, cacheLookupPolicy: 'refreshToken' });
    expect(refreshOnly.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'invalid_grant' });
    expect(authorize).toHaveLength(0);
    expect(Object.keys((await cacheContents(page)).RefreshToken)).toEqual([]);

    e2e.idp.reset();
    const renewed = await silent(page, { forceRefresh: true });
    expect(renewed.error).toBeUndefined();
    expect(renewed.result).toMatchObject({ fromCache: false });
    expect(renewed.result?.account.username).toBe('erin@example.test');
    expect(authorize).toHaveLength(1);
    expect(new URL(authorize[0]!.url).searchParams.get('prompt')).toBe('none');
    // The account's username went along as the hint (no sid in this provider's id_token).
    expect(new URL(authorize[0]!.url).searchParams.get('login_hint')).toBe('erin@example.test');
    expect(e2e.idp.tokenRequests.map((r) => r.grant_type)).toEqual(['authorization_code']);
    expect(await frames(page)).toBe(0);
    await context.close();
  });

  it("cacheLookupPolicy: 'accessToken' never touches the network; 'skipCache' goes straight to the iframe", async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    const signIn = await popupSignIn(page, { login: 'frank' });
    const requests = recordRequests(context, 'http://');
    expect((await silent(page, { cacheLookupPolicy: 'accessToken' })).result).toMatchObject({ fromCache: true, accessToken: signIn.result!.accessToken });
    expect((await silent(page, { forceRefresh: true, cacheLookupPolicy: 'accessToken' })).result).toBeNull();
    expect(requests).toEqual([]);

    e2e.idp.reset();
    const authorize = authorizeRequests(context);
    const skipped = await silent(page, { cacheLookupPolicy: 'skipCache' });
    expect(skipped.result?.fromCache).toBe(false);
    expect(authorize).toHaveLength(1);
    expect(e2e.idp.tokenRequests.map((r) => r.grant_type)).toEqual(['authorization_code']);
    await context.close();
  });

  it('concurrent fallbacks in two tabs share one iframe sign-in (the refresh lock)', async () => {
    const context = await e2e.newContext();
    const first = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    expect((await popupSignIn(first, { login: 'gina' })).error).toBeUndefined();
    const second = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    expect(await accounts(second)).toHaveLength(1);
    await revokeAtProvider(first);
    const authorize = authorizeRequests(context);
    const [a, b] = await Promise.all([silent(first, { forceRefresh: true }), silent(second, { forceRefresh: true })]);
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    // One iframe sign-in for both tabs: the tab that waited for the lock has no refresh token
    // (prompt=none brought none) and takes the renewal the other made instead of a second iframe.
    expect(a.result?.accessToken).toBe(b.result?.accessToken);
    expect(authorize).toHaveLength(1);
    await context.close();
  });
});
