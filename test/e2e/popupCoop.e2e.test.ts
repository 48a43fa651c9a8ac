// Popup sign-in under Cross-Origin-Opener-Policy. `same-origin` on the app or on the provider
// makes the browser sever the popup from its opener when the provider's page commits: the
// opener reads it as closed, can no longer read its location, and the popup loses its name and
// `window.opener`. The redirect page (the app itself, same-origin with the opener) hands the
// response back on a BroadcastChannel named by the flow's state; no extra bridge page. Real
// Chromium, real local provider.
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthenticationResult, PublicClientApplicationOptions } from '../../src/index.js';
import { accounts, cacheContents, openApp, SCOPES, type Settled, silent, startPopupLogout } from './fixtures';
import { recordRequests, startE2E, type E2E, type E2EOptions } from './harness/harness';
import { completeLogin } from './harness/login';

const coop = { 'Cross-Origin-Opener-Policy': 'same-origin' };

let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

/** Provider and app with COOP where asked; every page of the context runs the e2e app (and keyward), the popup's redirect page too. */
async function start(options: E2EOptions, config: Partial<PublicClientApplicationOptions> = {}): Promise<{ e2e: E2E; context: BrowserContext; page: Page }> {
  e2e = await startE2E(options);
  const context = await e2e.newContext();
  const full = { clientId: 'spa', oidcAuthority: e2e.idp.issuer, redirectUri: e2e.app.url, ...config };
  await context.addInitScript((injected) => {
    (window as unknown as { __E2E_CONFIG__: unknown }).__E2E_CONFIG__ = injected;
  }, full);
  const page = await openApp(e2e, context, config);
  return { e2e, context, page };
}

/** Starts a popup sign-in and hands back the popup once the provider's login form shows in it. */
async function popupAtLogin(page: Page): Promise<{ popup: Page; outcome: Promise<Settled<AuthenticationResult>> }> {
  const popupOpened = page.waitForEvent('popup');
  const outcome = page.evaluate((scopes) => window.settle(window.app.acquireTokenInteractive({ scopes, interaction: 'popup' })), SCOPES);
  const popup = await popupOpened;
  await popup.locator('input[name="login"]').waitFor({ timeout: 15_000 });
  return { popup, outcome };
}

/** The popup really was severed: at the provider it has no opener and no name any more. */
async function expectSevered(popup: Page): Promise<void> {
  expect(await popup.evaluate(() => ({ opener: window.opener === null, name: window.name }))).toEqual({ opener: true, name: '' });
}

/**
 * A whole popup sign-in under COOP. The person stays on the provider's page for a while
 * (longer than a glimpse of the severed popup could last), and the sign-in still completes.
 */
async function signInUnderCoop(options: E2EOptions): Promise<void> {
  const { e2e, context, page } = await start(options);
  const { popup, outcome } = await popupAtLogin(page);
  await expectSevered(popup);
  await popup.waitForTimeout(1_500);
  await completeLogin(popup, { login: 'alice' });
  const settled = await outcome;
  expect(settled.error).toBeUndefined();
  expect(settled.result?.account.homeAccountId).toBe('alice');
  expect((await accounts(page)).map((a) => a.homeAccountId)).toEqual(['alice']);
  // The code was redeemed once, by the opener (the redirect page only handed it back).
  expect(e2e.idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code')).toHaveLength(1);
  expect(e2e.idp.tokenRequests.every((r) => r.status === 200)).toBe(true);
  expect((await silent(page)).result?.accessToken).toBe(settled.result?.accessToken);
  // The popup closed itself once the opener had the response.
  await expect.poll(() => context.pages().length).toBe(1);
}

describe('popup sign-in with Cross-Origin-Opener-Policy: same-origin', () => {
  it('on the app: completes through the BroadcastChannel hand-back', async () => {
    await signInUnderCoop({ appHeaders: coop });
    expect((await fetch(e2e!.app.url)).headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('on the provider: completes through the BroadcastChannel hand-back', async () => {
    await signInUnderCoop({ idpOptions: { headers: coop } });
    expect((await fetch(`${e2e!.idp.issuer}/.well-known/openid-configuration`)).headers.get('cross-origin-opener-policy')).toBe('same-origin');
  });

  it('a hand-back whose response carries a tampered state → state_mismatch; nothing redeemed or stored', async () => {
    const { e2e, context, page } = await start({ appHeaders: coop });
    // The redirect page's hand-back is changed in flight: its URL carries another state.
    await context.addInitScript(() => {
      const post = BroadcastChannel.prototype.postMessage;
      BroadcastChannel.prototype.postMessage = function (this: BroadcastChannel, message: unknown) {
        const url = (message as { url?: unknown } | null)?.url;
        if (typeof url !== 'string') return post.call(this, message);
        const tampered = new URL(url);
        tampered.searchParams.set('state', 'forged');
        return post.call(this, { url: tampered.href });
      };
    });
    const cacheBefore = await cacheContents(page);
    const { popup, outcome } = await popupAtLogin(page);
    await expectSevered(popup);
    await completeLogin(popup, { login: 'alice' });
    const settled = await outcome;
    expect(settled.error).toMatchObject({ errorCode: 'state_mismatch', name: 'ClientAuthError' });
    expect(e2e.idp.tokenRequests).toHaveLength(0);
    expect(await accounts(page)).toEqual([]);
    expect(await cacheContents(page)).toEqual(cacheBefore);
  });

  it('closing a severed popup ends the call at popupTimeout with monitor_window_timeout (the opener cannot see the close)', async () => {
    const { e2e, context, page } = await start({ appHeaders: coop }, { popupTimeout: 3_000 });
    const { popup, outcome } = await popupAtLogin(page);
    await expectSevered(popup);
    await popup.close();
    expect((await outcome).error).toMatchObject({ errorCode: 'monitor_window_timeout', name: 'BrowserError' });
    expect(e2e.idp.tokenRequests).toHaveLength(0);
    expect(context.pages()).toHaveLength(1);
  });

  it('popup sign-out: the post-logout page hands back too, so the call resolves (no user_cancelled) and the provider session is gone', async () => {
    const { e2e, context, page } = await start({ appHeaders: coop });
    const signIn = await popupAtLogin(page);
    await completeLogin(signIn.popup, { login: 'alice' });
    expect((await signIn.outcome).error).toBeUndefined();
    await expect.poll(() => context.pages().length).toBe(1);

    const endSessionRequests = recordRequests(context, `${e2e.idp.issuer}/session/end?`);
    const { popup, outcome } = await startPopupLogout(page);
    // oidc-provider asks the person to confirm the sign-out; its page severs the popup first.
    const confirm = popup.locator('button[autofocus], form button').first();
    await confirm.waitFor({ timeout: 15_000 });
    await expectSevered(popup);
    await popup.waitForTimeout(1_500);
    await confirm.click();
    expect((await outcome).error).toBeUndefined();
    expect(await accounts(page)).toEqual([]);
    expect(new URL(endSessionRequests[0]!.url).searchParams.get('post_logout_redirect_uri')).toBe(e2e.app.url);
    // The popup closed itself once the opener had the post-logout page.
    await expect.poll(() => context.pages().length).toBe(1);
    // The provider session is gone: a silent sign-in finds nobody.
    const sso = await page.evaluate((scopes) => window.settle(window.app.ssoSilent({ scopes })), SCOPES);
    expect(sso.error).toMatchObject({ errorCode: 'login_required' });
  });
});
