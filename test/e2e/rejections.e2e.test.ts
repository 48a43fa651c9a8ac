// Every way a sign-in can be refused or broken yields its own typed error and leaves the
// stored account and tokens exactly as they were. Real Chromium, real local provider; the
// provider's answers are tampered with in flight (Playwright routes), and tampered id_tokens
// are re-signed with the provider's real key so that only the intended claim is wrong.
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthenticationResult } from '../../src/index.js';
import type { CacheData } from '../../src/cache/index.js';
import { accounts, cacheContents, openApp, popupSignIn, SCOPES, silent, type Settled } from './fixtures';
import { recordRequests, startE2E, type E2E, type RecordedRequest } from './harness/harness';
import { abortLogin } from './harness/login';

let e2e: E2E;
let context: BrowserContext;
let page: Page;
let signedIn: AuthenticationResult;
let tokenEndpoint: string;
let jwksUri: string;
let authorizationEndpoint: string;
/** Live logs of what the browser (page and popups) sent; emptied before every case. */
let tokenCalls: RecordedRequest[];
let jwksCalls: RecordedRequest[];
let authorizeCalls: RecordedRequest[];

beforeAll(async () => {
  e2e = await startE2E();
  const discovery = (await (await fetch(`${e2e.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
  tokenEndpoint = discovery.token_endpoint!;
  jwksUri = discovery.jwks_uri!;
  authorizationEndpoint = discovery.authorization_endpoint!;

  context = await e2e.newContext();
  tokenCalls = recordRequests(context, tokenEndpoint);
  jwksCalls = recordRequests(context, jwksUri);
  authorizeCalls = recordRequests(context, `${authorizationEndpoint}?`);
  page = await openApp(e2e, context);
  const outcome = await popupSignIn(page, { login: 'alice' });
  expect(outcome.error).toBeUndefined();
  signedIn = outcome.result!;

  const cache = await cacheContents(page);
  expect(Object.keys(cache.Account)).toHaveLength(1);
  expect(Object.keys(cache.IdToken)).toHaveLength(1);
  expect(Object.keys(cache.AccessToken)).toHaveLength(1);
  expect(Object.keys(cache.RefreshToken)).toHaveLength(1);
});
afterAll(() => e2e?.close());

beforeEach(() => {
  tokenCalls.length = 0;
  jwksCalls.length = 0;
  authorizeCalls.length = 0;
  e2e.idp.reset();
});

type SettledError = NonNullable<Settled<unknown>['error']>;

/**
 * Snapshots `target`'s cache and accounts, runs the case, then checks the outcome is exactly
 * the expected typed error and that neither the cache nor the accounts changed.
 */
async function expectRejected(
  run: () => Promise<Settled<unknown>>,
  expected: { errorCode: string; name: string; status?: number },
  target: Page = page,
): Promise<SettledError> {
  const cacheBefore: CacheData = await cacheContents(target);
  const accountsBefore = await accounts(target);
  const outcome = await run();
  expect(outcome.result).toBeUndefined();
  expect(outcome.error).toMatchObject(expected);
  expect(await cacheContents(target)).toEqual(cacheBefore);
  expect(await accounts(target)).toEqual(accountsBefore);
  return outcome.error!;
}

type UrlMatcher = string | RegExp | ((url: URL) => boolean);

/**
 * Routes `url` in the context only while `run` runs. A handler that throws (e.g. the real
 * answer did not look as expected) aborts the request and its error fails the case, instead
 * of surfacing as an unhandled rejection while the page waits for an answer.
 */
async function withRoute<T>(url: UrlMatcher, handler: (route: Route) => Promise<void>, run: () => Promise<T>): Promise<T> {
  const failures: unknown[] = [];
  const guarded = async (route: Route) => {
    try {
      await handler(route);
    } catch (error) {
      failures.push(error);
      await route.abort('failed').catch(() => {});
    }
  };
  await context.route(url, guarded);
  let result: T;
  try {
    result = await run();
  } catch (error) {
    throw failures[0] ?? error;
  } finally {
    await context.unroute(url, guarded);
  }
  if (failures.length) throw failures[0];
  return result;
}

/** The page's token request (POST; a GET or preflight would pass through untouched). */
function tokenPosts(handler: (route: Route) => Promise<void>): (route: Route) => Promise<void> {
  return (route) => (route.request().method() === 'POST' ? handler(route) : route.fallback());
}

/** Lets the real token request through, then replaces the id_token in the real answer. */
function tamperIdToken(replace: (idToken: string) => Promise<string>): (route: Route) => Promise<void> {
  return tokenPosts(async (route) => {
    const response = await route.fetch();
    const json = (await response.json()) as Record<string, unknown>;
    if (typeof json.id_token !== 'string') throw new Error(`the real token response has no id_token (HTTP ${response.status()})`);
    json.id_token = await replace(json.id_token as string);
    await route.fulfill({ response, body: JSON.stringify(json) });
  });
}

/** The real id_token with one change, re-signed (RS256) with `key` (default: the provider's own). */
async function resign(
  idToken: string,
  change: (claims: JWTPayload) => JWTPayload,
  { key = e2e.idp.signingKey.key, kid = e2e.idp.signingKey.kid }: { key?: CryptoKey; kid?: string } = {},
): Promise<string> {
  const header = decodeProtectedHeader(idToken);
  if (header.kid !== e2e.idp.signingKey.kid) throw new Error(`the real id_token is signed with kid ${String(header.kid)}, not the provider's key`);
  return new SignJWT(change({ ...decodeJwt(idToken) })).setProtectedHeader({ ...header, alg: 'RS256', kid }).sign(key);
}

const now = () => Math.floor(Date.now() / 1000);

/** Starts a popup sign-in and hands back the popup once the provider's login form shows in it. */
async function startPopupAtLogin(target: Page, options: { prompt?: string } = { prompt: 'login' }) {
  const popupOpened = target.waitForEvent('popup');
  const outcome = target.evaluate(
    ({ scopes, prompt }) => window.settle(window.app.acquireTokenInteractive({ scopes, interaction: 'popup', ...(prompt && { prompt }) })),
    { scopes: SCOPES, prompt: options.prompt },
  );
  const popup = await popupOpened;
  await popup.locator('input[name="login"]').waitFor();
  return { popup, outcome };
}

const isAuthorizeRequest = (url: URL) => `${url.origin}${url.pathname}` === authorizationEndpoint;

/**
 * Tampers with the provider's redirect back to the app. Playwright never routes the hops of
 * a redirect chain (microsoft/playwright#3993: interception sits before the network stack's
 * redirect handling), so routing the app origin would never see `/?code=…&state=…`: it is
 * the provider's 303 from the authorization endpoint. So the authorization request (the
 * first, routable hop) is sent for real without following redirects, and the `location` of
 * the real 303 is rewritten by `change` (which returns false to leave it alone).
 */
function rewriteRedirectBack(change: (params: URLSearchParams) => boolean) {
  let rewritten = 0;
  const handler = async (route: Route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    const location = response.headers().location;
    const target = location === undefined ? undefined : new URL(location, route.request().url());
    if (!target || target.origin !== e2e.app.origin || !target.searchParams.has('code') || !change(target.searchParams)) {
      return route.fulfill({ response });
    }
    rewritten += 1;
    await route.fulfill({ response, headers: { ...response.headers(), location: target.href } });
  };
  return { handler, rewritten: () => rewritten };
}

/** Codes redeemed at the token endpoint (as the browser sent them) since the case began. */
const codeRedemptions = () => tokenCalls.filter((r) => r.method === 'POST' && r.postData?.includes('grant_type=authorization_code'));

describe('each refusal yields its own typed error and leaves stored accounts and tokens untouched', () => {
  it('state mismatch: the redirect back carries a forged state; nothing is redeemed', async () => {
    const forge = rewriteRedirectBack((params) => {
      if (params.get('state') === 'forged') return false;
      params.set('state', 'forged');
      return true;
    });
    await withRoute(isAuthorizeRequest, forge.handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'state_mismatch', name: 'ClientAuthError' }));
    expect(forge.rewritten()).toBe(1);
    expect(authorizeCalls).toHaveLength(1);
    expect(tokenCalls).toHaveLength(0);
    expect(e2e.idp.tokenRequests).toHaveLength(0);
  });

  it('missing state: the redirect back carries no state; nothing is redeemed', async () => {
    const drop = rewriteRedirectBack((params) => {
      if (!params.has('state')) return false;
      params.delete('state');
      return true;
    });
    await withRoute(isAuthorizeRequest, drop.handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'state_missing', name: 'ClientAuthError' }));
    expect(drop.rewritten()).toBe(1);
    expect(authorizeCalls).toHaveLength(1);
    expect(tokenCalls).toHaveLength(0);
    expect(e2e.idp.tokenRequests).toHaveLength(0);
  });

  it('nonce mismatch → nonce_mismatch (IdTokenError)', async () => {
    const handler = tamperIdToken((idToken) => resign(idToken, (claims) => ({ ...claims, nonce: 'not-the-nonce-we-sent' })));
    await withRoute(tokenEndpoint, handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'nonce_mismatch', name: 'IdTokenError' }));
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('id_token signed with a key not in the JWKS → id_token_key_not_found; the JWKS is refetched at most once', async () => {
    const rogue = await generateKeyPair('RS256');
    const handler = tamperIdToken((idToken) => resign(idToken, (claims) => claims, { key: rogue.privateKey, kid: 'rogue' }));
    await withRoute(tokenEndpoint, handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'id_token_key_not_found', name: 'IdTokenError' }));
    expect(codeRedemptions()).toHaveLength(1);
    expect(jwksCalls.filter((r) => r.method === 'GET').length).toBeLessThanOrEqual(1);
  });

  it('alg "none" (an unsecured JWT) → id_token_alg_not_allowed', async () => {
    const unsecured = (idToken: string) => {
      const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return Promise.resolve(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(decodeJwt(idToken))}.`);
    };
    await withRoute(tokenEndpoint, tamperIdToken(unsecured), () =>
      expectRejected(() => popupSignIn(page), { errorCode: 'id_token_alg_not_allowed', name: 'IdTokenError' }),
    );
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('wrong iss → id_token_issuer_mismatch', async () => {
    const handler = tamperIdToken((idToken) => resign(idToken, (claims) => ({ ...claims, iss: 'http://127.0.0.1:1/not-the-issuer' })));
    await withRoute(tokenEndpoint, handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'id_token_issuer_mismatch', name: 'IdTokenError' }));
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('wrong aud → id_token_audience_mismatch', async () => {
    const handler = tamperIdToken((idToken) => resign(idToken, (claims) => ({ ...claims, aud: 'other-client' })));
    await withRoute(tokenEndpoint, handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'id_token_audience_mismatch', name: 'IdTokenError' }));
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('expired id_token → id_token_expired', async () => {
    const handler = tamperIdToken((idToken) => resign(idToken, (claims) => ({ ...claims, exp: now() - 3600, iat: now() - 7200 })));
    await withRoute(tokenEndpoint, handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'id_token_expired', name: 'IdTokenError' }));
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('auth_time older than maxAge → auth_time_too_old; the request carried max_age', async () => {
    const handler = tamperIdToken((idToken) =>
      resign(idToken, (claims) => {
        if (typeof claims.auth_time !== 'number') throw new Error('the real id_token has no auth_time although max_age was sent');
        return { ...claims, auth_time: now() - 3600 };
      }),
    );
    await withRoute(tokenEndpoint, handler, () =>
      expectRejected(() => popupSignIn(page, { maxAge: 600 }), { errorCode: 'auth_time_too_old', name: 'IdTokenError' }),
    );
    expect(authorizeCalls).toHaveLength(1);
    expect(new URL(authorizeCalls[0]!.url).searchParams.get('max_age')).toBe('600');
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('error=access_denied from the authorization endpoint (cancel on the login page) → ServerError access_denied', async () => {
    await expectRejected(
      async () => {
        const { popup, outcome } = await startPopupAtLogin(page);
        await abortLogin(popup);
        return outcome;
      },
      { errorCode: 'access_denied', name: 'ServerError' },
    );
    expect(tokenCalls).toHaveLength(0);
    expect(e2e.idp.tokenRequests).toHaveLength(0);
    await expect.poll(() => context.pages().length).toBe(1); // the SDK closed the popup
  });

  it('token endpoint answering HTML with status 500 → server_error_non_json (ServerError, status 500)', async () => {
    const handler = tokenPosts(async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        status: 500,
        headers: { ...response.headers(), 'content-type': 'text/html; charset=utf-8' },
        body: '<!doctype html><html><body><h1>500 Internal Server Error</h1></body></html>',
      });
    });
    await withRoute(tokenEndpoint, handler, () =>
      expectRejected(() => popupSignIn(page), { errorCode: 'server_error_non_json', name: 'ServerError', status: 500 }),
    );
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('malformed JSON from the token endpoint → invalid_json', async () => {
    const handler = tokenPosts(async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        status: 200,
        headers: { ...response.headers(), 'content-type': 'application/json' },
        body: '{"access_token": "abc", ',
      });
    });
    await withRoute(tokenEndpoint, handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'invalid_json', name: 'ServerError', status: 200 }));
    expect(codeRedemptions()).toHaveLength(1);
  });

  it('network down at the token endpoint → network_error (NetworkError) after exactly one retry', async () => {
    let attempts = 0;
    const handler = tokenPosts(async (route) => {
      attempts += 1;
      await route.abort('internetdisconnected');
    });
    await withRoute(tokenEndpoint, handler, () => expectRejected(() => popupSignIn(page), { errorCode: 'network_error', name: 'NetworkError' }));
    expect(attempts).toBe(2);
    expect(e2e.idp.tokenRequests).toHaveLength(0);
  });

  it('token endpoint slower than `timeout` → timed_out (NetworkError)', async () => {
    const slow = await openApp(e2e, context, { timeout: 1500 });
    try {
      const first = await popupSignIn(slow);
      expect(first.error).toBeUndefined();
      e2e.idp.reset();

      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const delayed: Promise<void>[] = [];
      let attempts = 0;
      const handler = tokenPosts((route) => {
        attempts += 1;
        const done = (async () => {
          await Promise.race([new Promise((resolve) => setTimeout(resolve, 4000)), released]);
          await route.fallback().catch(() => {}); // the page gave up on this request long ago
        })();
        delayed.push(done);
        return done;
      });
      await context.route(tokenEndpoint, handler);
      try {
        const started = Date.now();
        await expectRejected(() => popupSignIn(slow), { errorCode: 'timed_out', name: 'NetworkError' }, slow);
        const elapsed = Date.now() - started;
        expect(elapsed).toBeLessThan(4000);
      } finally {
        release();
        await Promise.all(delayed);
        await context.unroute(tokenEndpoint, handler);
      }
      expect(attempts).toBe(1); // a timeout is not retried
    } finally {
      await slow.close();
    }
  });

  it('popup closed by the person → user_cancelled (BrowserError) within a couple of seconds', async () => {
    let noticedAfterMs = Infinity;
    const error = await expectRejected(
      async () => {
        const { popup, outcome } = await startPopupAtLogin(page);
        // Like a person, who reads the provider's page before closing it: the opener takes a
        // popup that reads closed after only a glimpse at the provider for one that COOP
        // severed (src/client/browser/popupMonitor.ts), and waits for it until popupTimeout.
        await popup.waitForTimeout(2_000);
        const closedAt = Date.now();
        await popup.close();
        const settled = await outcome;
        noticedAfterMs = Date.now() - closedAt;
        return settled;
      },
      { errorCode: 'user_cancelled', name: 'BrowserError' },
    );
    expect(error.message).toBe('The sign-in popup was closed before sign-in finished.');
    expect(noticedAfterMs).toBeLessThan(2000);
    expect(tokenCalls).toHaveLength(0);
  });

  it('popup not back within popupTimeout → monitor_window_timeout, and the SDK closes the popup', async () => {
    const impatient = await openApp(e2e, context, { popupTimeout: 1500 });
    try {
      let popup!: Page;
      await expectRejected(
        async () => {
          const started = await startPopupAtLogin(impatient);
          popup = started.popup;
          return started.outcome;
        },
        { errorCode: 'monitor_window_timeout', name: 'BrowserError' },
        impatient,
      );
      await expect.poll(() => popup.isClosed(), { timeout: 2000 }).toBe(true);
      expect(tokenCalls).toHaveLength(0);
    } finally {
      await impatient.close();
    }
  });

  it('afterwards the stored tokens still work: cached access token, then a refresh with the stored refresh token', async () => {
    const cache = await cacheContents(page);
    const [storedRefreshToken] = Object.values(cache.RefreshToken);

    const cached = await silent(page);
    expect(cached.error).toBeUndefined();
    expect(cached.result?.fromCache).toBe(true);
    expect(cached.result?.accessToken).toBe(signedIn.accessToken);
    expect(cached.result?.account.homeAccountId).toBe('alice');

    const refreshed = await silent(page, { forceRefresh: true });
    expect(refreshed.error).toBeUndefined();
    expect(refreshed.result?.fromCache).toBe(false);
    expect(refreshed.result?.accessToken).not.toBe(signedIn.accessToken);
    expect(decodeJwt(refreshed.result!.accessToken).sub).toBe('alice');
    const refreshes = e2e.idp.tokenRequests.filter((r) => r.grant_type === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toMatchObject({ refresh_token: storedRefreshToken!.secret, status: 200 });
    expect(await accounts(page)).toHaveLength(1);
  });
});
