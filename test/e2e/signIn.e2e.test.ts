// Interactive sign-in with keyward in real Chromium against the real local provider.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticationResult } from '../../src/index.js';
import { accounts, cacheContents, openApp, popupSignIn, SCOPES, type Settled } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import { completeLogin } from './harness/login';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

describe('redirect sign-in', () => {
  it('signs in through a full-page redirect: account, verified id_token, access and refresh tokens', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    await page.evaluate((scopes) => {
      void window.app.acquireTokenInteractive({ scopes, interaction: 'redirect' });
    }, SCOPES);
    await page.waitForURL((url) => url.href.startsWith(`${e2e.idp.issuer}/`));
    await completeLogin(page, { login: 'rita' });
    await page.waitForURL((url) => url.href.startsWith(e2e.app.url));
    await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
    const outcome = (await page.evaluate(() => window.redirectOutcome)) as Settled<AuthenticationResult | null>;

    expect(outcome.error).toBeUndefined();
    const result = outcome.result!;
    expect(result.account.username).toBe('rita@example.test');
    expect(result.account.homeAccountId).toBe('rita');
    expect(result.account.environment).toBe(new URL(e2e.idp.issuer).host);
    expect(result.account.authorityType).toBe('Generic');
    expect(result.scopes).toContain('api://demo/read');
    expect(result.fromCache).toBe(false);
    expect(decodeJwt(result.accessToken).aud).toBe('api://demo');
    expect(result.idTokenClaims?.sub).toBe('rita');
    // The code and state are gone from the address bar (RFC 9700 4.2).
    expect(page.url()).toBe(e2e.app.url);

    const cache = await cacheContents(page);
    expect(Object.keys(cache.Account)).toHaveLength(1);
    expect(Object.values(cache.RefreshToken)).toHaveLength(1);
    expect(Object.values(cache.AccessToken)[0]?.target).toContain('api://demo/read');
    expect(await accounts(page)).toHaveLength(1);
    await context.close();
  });

  it('a second handleRedirectPromise() on the same load returns the same promise and redeems the code once', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    const tokenRequests = recordRequests(context, `${e2e.idp.issuer}/token`);
    await page.evaluate((scopes) => {
      void window.app.acquireTokenInteractive({ scopes, interaction: 'redirect' });
    }, SCOPES);
    await page.waitForURL((url) => url.href.startsWith(`${e2e.idp.issuer}/`));
    await completeLogin(page);
    await page.waitForURL((url) => url.href.startsWith(e2e.app.url));
    await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
    const same = await page.evaluate(async () => {
      const again = window.app.handleRedirectPromise();
      const [a, b] = await Promise.all([again, window.app.handleRedirectPromise()]);
      return a === b && a !== null;
    });
    expect(same).toBe(true);
    expect(tokenRequests.filter((r) => r.postData?.includes('grant_type=authorization_code'))).toHaveLength(1);
    await context.close();
  });
});

describe('popup sign-in', () => {
  it('signs in through a popup and resolves with the result', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    const outcome = await popupSignIn(page, { login: 'paula' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.account.username).toBe('paula@example.test');
    expect(outcome.result?.idTokenClaims?.name).toBeTruthy();
    expect(await accounts(page, 'PAULA@example.test')).toHaveLength(1);
    expect(await accounts(page, 'someone-else@example.test')).toHaveLength(0);
    expect(context.pages()).toHaveLength(1); // the popup was closed
    await context.close();
  });

  it('sends PKCE S256, fresh state and nonce, default scopes, and telemetry on every request', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { appName: 'e2e-app', appVersion: '1.2.3' });
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth?`);
    e2e.idp.reset();
    expect((await popupSignIn(page)).error).toBeUndefined();
    expect((await popupSignIn(page)).error).toBeUndefined();

    const [first, second] = authorize.map((r) => new URL(r.url).searchParams);
    for (const params of [first!, second!]) {
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(params.get('scope')!.split(' ')).toEqual(['api://demo/read', 'openid', 'profile', 'offline_access']);
      expect(params.get('x-client-SKU')).toBe('keyward.js');
      expect(params.get('x-app-name')).toBe('e2e-app');
    }
    expect(first!.get('state')).not.toBe(second!.get('state'));
    expect(first!.get('nonce')).not.toBe(second!.get('nonce'));
    expect(first!.get('code_challenge')).not.toBe(second!.get('code_challenge'));

    const codeRedemptions = e2e.idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code');
    expect(codeRedemptions).toHaveLength(2);
    const body = codeRedemptions[0]!.body;
    expect(body.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body['x-client-SKU']).toBe('keyward.js');
    expect(body['x-client-VER']).toMatch(/^\d+\.\d+\.\d+/);
    expect(body['x-app-name']).toBe('e2e-app');
    expect(body['x-app-ver']).toBe('1.2.3');
    // An interactive sign-in reports MSAL's ACQUIRE_TOKEN_INTERACTIVE (169), not the by-code id (832).
    expect(body['x-client-current-telemetry']).toBe('4|169,0|');
    expect(body['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await context.close();
  });

  it('excludeScopes: ["offline_access"] asks for no refresh token', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, { excludeScopes: ['offline_access'] });
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth?`);
    const outcome = await popupSignIn(page);
    expect(outcome.error).toBeUndefined();
    expect(new URL(authorize[0]!.url).searchParams.get('scope')!.split(' ')).toEqual(['api://demo/read', 'openid', 'profile']);
    expect(Object.keys((await cacheContents(page)).RefreshToken)).toHaveLength(0);
    await context.close();
  });

  it('allows one interaction at a time: a second call gets interaction_in_progress', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    const popupOpened = page.waitForEvent('popup');
    const [, second] = await page.evaluate((scopes) => {
      const first = window.settle(window.app.acquireTokenInteractive({ scopes, interaction: 'popup', prompt: 'login' }));
      const again = window.settle(window.app.acquireTokenInteractive({ scopes, interaction: 'popup' }));
      return Promise.all([Promise.resolve('started'), again]).then(([a, b]) => {
        void first;
        return [a, b] as const;
      });
    }, SCOPES);
    expect(second.error?.errorCode).toBe('interaction_in_progress');
    const popup = await popupOpened;
    await completeLogin(popup);
    await page.waitForFunction(() => window.app.getAccounts().then((list) => list.length === 1));
    await context.close();
  });

  it('logs no token, code or personal data unless enablePiiLog is on', async () => {
    for (const enablePiiLog of [false, true]) {
      const context = await e2e.newContext();
      const page = await openApp(e2e, context, { enablePiiLog });
      const codes = recordRequests(context, `${e2e.app.origin}/?code=`);
      const outcome = await popupSignIn(page, { login: 'pii-person' });
      expect(outcome.error).toBeUndefined();
      await page.evaluate(async (scopes) => {
        const [account] = await window.app.getAccounts();
        await window.app.acquireTokenSilent(scopes, account!, { forceRefresh: true });
      }, SCOPES);
      const lines = await page.evaluate(() => window.logLines);
      const cache = await cacheContents(page);
      const secrets = [
        ...Object.values(cache.AccessToken).map((t) => t.secret),
        ...Object.values(cache.RefreshToken).map((t) => t.secret),
        ...Object.values(cache.IdToken).map((t) => t.secret),
        outcome.result!.accessToken,
        ...codes.map((r) => new URL(r.url).searchParams.get('code')!),
      ];
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of secrets) for (const line of lines) expect(line).not.toContain(secret.slice(0, 16));
      const mentionsPerson = lines.some((line) => line.includes('pii-person'));
      expect(mentionsPerson).toBe(enablePiiLog);
      await context.close();
    }
  });
});
