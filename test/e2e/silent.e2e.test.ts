// Silent acquisition with keyward in real Chromium against the real local provider:
// cache hits, refresh-token rotation, de-duplication, removal, refused refresh tokens.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, cacheContents, openApp, popupSignIn, SCOPES, setClockAhead, silent } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

/** A fresh context and page with one signed-in account. */
async function signedIn(login = 'alice'): Promise<{ context: BrowserContext; page: Page; accessToken: string }> {
  const context = await e2e.newContext();
  const page = await openApp(e2e, context);
  const outcome = await popupSignIn(page, { login });
  expect(outcome.error).toBeUndefined();
  return { context, page, accessToken: outcome.result!.accessToken };
}

const refreshTokenIn = async (page: Page): Promise<string> => Object.values((await cacheContents(page)).RefreshToken)[0]!.secret;

/** Redeems a refresh token from Node (outside the app), as an attacker replaying a stolen one would. */
async function redeemFromOutside(refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${e2e.idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: e2e.app.origin },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('acquireTokenSilent', () => {
  it('serves a cached access token with zero network requests', async () => {
    const { context, page, accessToken } = await signedIn();
    const requests = recordRequests(context, 'http://');
    const outcome = await silent(page);
    expect(outcome.result?.fromCache).toBe(true);
    expect(outcome.result?.accessToken).toBe(accessToken);
    expect(outcome.result?.account.username).toBe('alice@example.test');
    // Order and case of scopes do not matter; OIDC scopes are ignored for matching.
    expect((await silent(page, { scopes: ['API://DEMO/READ', 'openid'] })).result?.accessToken).toBe(accessToken);
    expect(requests).toEqual([]);
    await context.close();
  });

  it('after the access token expires, uses the refresh token once, stores the rotated one and never reuses the old one', async () => {
    const { context, page, accessToken } = await signedIn('bob');
    const firstRefreshToken = await refreshTokenIn(page);
    e2e.idp.reset();

    await setClockAhead(page, 3600);
    const refreshed = await silent(page);
    expect(refreshed.error).toBeUndefined();
    expect(refreshed.result?.fromCache).toBe(false);
    expect(refreshed.result?.accessToken).not.toBe(accessToken);
    expect(e2e.idp.tokenRequests).toHaveLength(1);
    expect(e2e.idp.tokenRequests[0]).toMatchObject({ grant_type: 'refresh_token', refresh_token: firstRefreshToken, status: 200 });
    expect(e2e.idp.tokenRequests[0]!.body['x-client-current-telemetry']).toBe('4|84,3|');
    const secondRefreshToken = await refreshTokenIn(page);
    expect(secondRefreshToken).not.toBe(firstRefreshToken);
    expect(Object.keys((await cacheContents(page)).AccessToken)).toHaveLength(1);

    // The refreshed token is now the cached one.
    expect((await silent(page)).result).toMatchObject({ fromCache: true, accessToken: refreshed.result!.accessToken });

    // Next expiry: the rotated refresh token is used, not the first one.
    await setClockAhead(page, 7200);
    expect((await silent(page)).result?.fromCache).toBe(false);
    expect(e2e.idp.tokenRequests.map((r) => r.refresh_token)).toEqual([firstRefreshToken, secondRefreshToken]);
    expect(e2e.idp.replays()).toEqual([]);
    expect(e2e.idp.events.filter((e) => e.type === 'grant.revoked')).toEqual([]);
    await context.close();
  });

  it('forceRefresh skips the cached access token', async () => {
    const { context, page, accessToken } = await signedIn();
    e2e.idp.reset();
    const outcome = await silent(page, { forceRefresh: true });
    expect(outcome.result?.fromCache).toBe(false);
    expect(outcome.result?.accessToken).not.toBe(accessToken);
    expect(e2e.idp.tokenRequests.map((r) => r.grant_type)).toEqual(['refresh_token']);
    expect(e2e.idp.tokenRequests[0]!.body['x-client-current-telemetry']).toBe('4|84,1|');
    await context.close();
  });

  it('50 concurrent silent calls for an expired token share one token request', async () => {
    const { context, page } = await signedIn();
    await setClockAhead(page, 3600);
    e2e.idp.reset();
    const tokens = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      const results = await Promise.all(Array.from({ length: 50 }, () => window.app.acquireTokenSilent(scopes, account!)));
      return results.map((result) => result?.accessToken);
    }, SCOPES);
    expect(tokens).toHaveLength(50);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toBeTruthy();
    expect(e2e.idp.tokenRequests).toHaveLength(1);
    expect(e2e.idp.replays()).toEqual([]);
    await context.close();
  });

  it('removeAccount forgets the account and its tokens; silent then returns null', async () => {
    const { context, page } = await signedIn();
    await page.evaluate(async () => {
      const [account] = await window.app.getAccounts();
      await window.app.removeAccount(account!);
    });
    expect(await accounts(page)).toEqual([]);
    const cache = await cacheContents(page);
    expect([cache.Account, cache.IdToken, cache.AccessToken, cache.RefreshToken].map((section) => Object.keys(section).length)).toEqual([0, 0, 0, 0]);
    const requests = recordRequests(context, 'http://');
    const outcome = await page.evaluate(
      (scopes) =>
        window.app.acquireTokenSilent(scopes, {
          homeAccountId: 'alice',
          environment: new URL(window.__E2E_CONFIG__!.oidcAuthority!).host,
          tenantId: '',
          username: 'alice@example.test',
          localAccountId: 'alice',
          authorityType: 'Generic',
        }),
      SCOPES,
    );
    expect(outcome).toBeNull();
    expect(requests).toEqual([]);
    await context.close();
  });

  it('a refresh token the provider refuses surfaces as InteractionRequiredError and is dropped', async () => {
    const { context, page } = await signedIn('carol');
    const stolen = await refreshTokenIn(page);
    expect((await silent(page, { forceRefresh: true })).error).toBeUndefined(); // rotates
    // Replaying the rotated-out token revokes the whole grant (RFC 9700 4.14.2), as a thief would cause.
    expect((await redeemFromOutside(stolen)).body.error).toBe('invalid_grant');

    // The refresh-token step alone (with the default policy the iframe fallback runs next: ssoSilent.e2e.test.ts).
    const refused = await silent(page, { forceRefresh: true, cacheLookupPolicy: 'refreshToken' });
    expect(refused.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'invalid_grant', status: 400 });
    expect(Object.keys((await cacheContents(page)).RefreshToken)).toEqual([]);
    expect(await accounts(page)).toHaveLength(1); // the account stays, for a login hint

    // With the refresh token gone, the next forced silent call is null, not another doomed request.
    e2e.idp.reset();
    expect((await silent(page, { forceRefresh: true, cacheLookupPolicy: 'refreshToken' })).result).toBeNull();
    expect(e2e.idp.tokenRequests).toEqual([]);
    // With the default policy the iframe fallback is tried: the provider session lives, but the
    // grant was revoked, so the provider asks for consent again. Interaction required, the refusal kept as the cause.
    const fallback = await silent(page, { forceRefresh: true });
    expect(fallback.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'consent_required' });
    await context.close();
  });

  it('acquireTokenSilentWithError returns the provider refusal as a result object', async () => {
    const { context, page } = await signedIn('dave');
    const stolen = await refreshTokenIn(page);
    await silent(page, { forceRefresh: true });
    await redeemFromOutside(stolen);
    const result = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.app.acquireTokenSilentWithError(scopes, account!, { forceRefresh: true, cacheLookupPolicy: 'refreshToken' });
    }, SCOPES);
    expect(result).toMatchObject({ error: 'invalid_grant' });
    expect(typeof (result as { errorDescription?: string }).errorDescription).toBe('string');
    await context.close();
  });
});

describe('acquireTokenByRefreshToken', () => {
  it('migrates a refresh token obtained elsewhere into the cache', async () => {
    const source = await signedIn('erin');
    const refreshToken = await refreshTokenIn(source.page);
    await source.context.close();

    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    expect(await accounts(page)).toEqual([]);
    const migrated = await page.evaluate(({ rt, scopes }) => window.settle(window.app.acquireTokenByRefreshToken(rt, scopes)), {
      rt: refreshToken,
      scopes: SCOPES,
    });
    expect(migrated.error).toBeUndefined();
    expect(migrated.result?.account.username).toBe('erin@example.test');
    expect((await accounts(page)).map((a) => a.username)).toEqual(['erin@example.test']);
    expect((await silent(page)).result?.fromCache).toBe(true);
    await context.close();
  });
});
