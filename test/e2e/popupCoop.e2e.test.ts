// Popup sign-in under Cross-Origin-Opener-Policy: `same-origin` on the app puts the popup in another browsing context group once it goes to the provider, so
// the opener can no longer read it (it reads as closed) and the popup's name is cleared. The
// redirect page (the app itself, same-origin with the opener) hands the response back on a
// BroadcastChannel keyed by the flow's state; no extra bridge page.
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { AuthenticationResult } from '../../src/index.js';
import { accounts, openApp, popupSignIn, type Settled, silent } from './fixtures';
import { completeLogin } from './harness/login';
import { startE2E, type E2E } from './harness/harness';

const coop = { 'Cross-Origin-Opener-Policy': 'same-origin' };

let e2e: E2E | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

/** The e2e page's config on every page of the context: the popup's redirect page runs the app (and keyward) too. */
async function contextWithApp(e2e: E2E): Promise<BrowserContext> {
  const context = await e2e.newContext();
  const config = { clientId: 'spa', oidcAuthority: e2e.idp.issuer, redirectUri: e2e.app.url };
  await context.addInitScript((injected) => {
    (window as unknown as { __E2E_CONFIG__: unknown }).__E2E_CONFIG__ = injected;
  }, config);
  return context;
}

/** A popup sign-in in which the person spends `dwellMs` on the provider's sign-in page first. */
async function popupSignInSlowly(page: Page, dwellMs: number): Promise<Settled<AuthenticationResult>> {
  const popupOpened = page.waitForEvent('popup');
  const outcome = page.evaluate(() => window.settle(window.app.acquireTokenInteractive({ scopes: ['api://demo/read'], interaction: 'popup' })));
  const popup = await popupOpened;
  await popup.locator('input[name="login"]').waitFor({ timeout: 15_000 });
  await new Promise((resolve) => setTimeout(resolve, dwellMs));
  await completeLogin(popup, { login: 'alice' });
  return outcome;
}

async function signInUnderCoop(e2e: E2E, dwellMs = 0): Promise<void> {
  const context = await contextWithApp(e2e);
  const page = await openApp(e2e, context);
  const outcome = dwellMs > 0 ? await popupSignInSlowly(page, dwellMs) : await popupSignIn(page, { login: 'alice' });
  expect(outcome.error).toBeUndefined();
  expect(outcome.result?.account.homeAccountId).toBe('alice');
  expect((await accounts(page)).map((a) => a.homeAccountId)).toEqual(['alice']);
  // The code was redeemed once, by the opener (the redirect page only handed it back).
  expect(e2e.idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code')).toHaveLength(1);
  expect(e2e.idp.tokenRequests.every((r) => r.status === 200)).toBe(true);
  // The token works from the cache afterwards, and the popup closed itself once handed back.
  expect((await silent(page)).result?.accessToken).toBe(outcome.result?.accessToken);
  await expect.poll(() => context.pages().length).toBe(1);
  await context.close();
}

describe('popup sign-in with Cross-Origin-Opener-Policy: same-origin', () => {
  it('on the app: completes through the BroadcastChannel hand-back', async () => {
    e2e = await startE2E({ appHeaders: coop });
    const probe = await fetch(e2e.app.url);
    expect(probe.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    await signInUnderCoop(e2e);
    // The person takes a while on the provider's page: the severed popup (it reads closed all
    // that time) is not taken for a cancellation.
    e2e.idp.reset();
    await signInUnderCoop(e2e, 3_000);
  });
});
