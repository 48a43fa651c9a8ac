// Chromium's REAL popup blocker (not a stubbed window.open): a popup sign-in started without
// user activation fails with popup_window_error, reaches no server, changes nothing, and does
// not leave the client stuck in "interaction in progress".
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuthenticationResult } from '../../src/index.js';
import { accounts, cacheContents, openApp, popupSignIn, type Settled } from './fixtures';
import { evaluateWithoutUserActivation } from './harness/browser';
import { recordRequests, startE2E, type E2E } from './harness/harness';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ popupBlocking: true });
});
afterAll(() => e2e?.close());

/**
 * Chromium's transient user activation lasts 5 s after a gesture, and Playwright's
 * page.evaluate/click count as one (see harness/browser.ts); 5.5 s without either on the
 * page is enough for window.open to be blocked again.
 */
const activationExpiryMs = 5_500;

it('a popup sign-in without user activation → popup_window_error (BrowserError); nothing reached the provider; a later call with a gesture works', async () => {
  const context = await e2e.newContext();
  const page = await openApp(e2e, context);
  // page.evaluate is a user gesture, so this popup is allowed.
  const first = await popupSignIn(page, { login: 'alice' });
  expect(first.error).toBeUndefined();
  expect(await accounts(page)).toHaveLength(1);

  const cacheBefore = await cacheContents(page);
  const accountsBefore = await accounts(page);
  const authorizeEndpoint = ((await (await fetch(`${e2e.idp.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string })
    .authorization_endpoint;
  const authorizeCalls = recordRequests(context, authorizeEndpoint);
  const tokenCalls = recordRequests(context, `${e2e.idp.issuer}/token`);
  const pagesBefore = context.pages().length;
  let popups = 0;
  page.on('popup', () => (popups += 1));
  context.on('page', () => (popups += 1));
  e2e.idp.reset();

  // The last page.evaluate (accounts) was just now: let its activation lapse.
  await new Promise((resolve) => setTimeout(resolve, activationExpiryMs));
  const blocked = await evaluateWithoutUserActivation<Settled<AuthenticationResult>>(
    page,
    'window.settle(window.app.acquireTokenInteractive({ scopes: ["api://demo/read"], interaction: "popup" }))',
  );

  expect(blocked.result).toBeUndefined();
  expect(blocked.error).toMatchObject({ errorCode: 'popup_window_error', name: 'BrowserError' });
  expect(blocked.error?.message).toMatch(/blocked the sign-in popup\. Call acquireTokenInteractive from a click handler/);
  expect(popups).toBe(0);
  expect(context.pages()).toHaveLength(pagesBefore);
  expect(authorizeCalls).toHaveLength(0);
  expect(tokenCalls).toHaveLength(0);
  expect(e2e.idp.events.filter((e) => e.type.startsWith('authorization.') || e.type.startsWith('interaction.'))).toEqual([]);
  expect(await cacheContents(page)).toEqual(cacheBefore);
  expect(await accounts(page)).toEqual(accountsBefore);

  // With a gesture (page.evaluate) the next call opens its popup and signs in: the blocked
  // call did not leave the client "interaction in progress".
  const again = await popupSignIn(page);
  expect(again.error).toBeUndefined();
  expect(again.result?.account.homeAccountId).toBe('alice');
  expect(authorizeCalls).toHaveLength(1);
  expect(popups).toBe(2); // one popup, seen by both listeners
  await expect.poll(() => context.pages().length).toBe(pagesBefore);
  // Still the one account (its id_token claims are the new sign-in's).
  expect((await accounts(page)).map((a) => a.homeAccountId)).toEqual(['alice']);
  await context.close();
});

it('a popup sign-out without user activation → popup_window_error naming the sign-out (not a sign-in); the account stays signed in', async () => {
  const context = await e2e.newContext();
  const page = await openApp(e2e, context);
  expect((await popupSignIn(page, { login: 'alice' })).error).toBeUndefined();
  const cacheBefore = await cacheContents(page);
  const endSessionCalls = recordRequests(context, `${e2e.idp.issuer}/session/end`);
  let popups = 0;
  context.on('page', () => (popups += 1));

  await new Promise((resolve) => setTimeout(resolve, activationExpiryMs));
  const blocked = await evaluateWithoutUserActivation<Settled<void>>(
    page,
    'window.app.getAccounts().then(([account]) => window.settle(window.app.logout({ account, interaction: "popup" })))',
  );

  expect(blocked.error).toMatchObject({ errorCode: 'popup_window_error', name: 'BrowserError' });
  expect(blocked.error?.message).toMatch(/blocked the sign-out popup\. Call logout from a click handler/);
  expect(popups).toBe(0);
  expect(endSessionCalls).toHaveLength(0);
  expect(await cacheContents(page)).toEqual(cacheBefore);
  expect((await accounts(page)).map((a) => a.homeAccountId)).toEqual(['alice']);
  await context.close();
});
