// The refresh-token deadline (docs/protocol.md B9) against a provider whose refresh tokens live
// a few seconds: the provider says so (`refresh_token_expires_in`), keyward renews through the
// hidden iframe before the deadline, and tells the app in time when it cannot. Real Chromium,
// the real local oidc-provider. No durations are asserted: only the order of the events and
// the deadline, polled with generous limits.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdp, type Idp } from '../idp/createIdp.mjs';
import { accounts, openApp, popupSignIn } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';

/** Seconds: keyward renews a quarter of this before the deadline (4 s). */
const REFRESH_TOKEN_TTL = 16;

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({
    // The session outlives the refresh token, as at Entra (a day of refresh token, a longer sign-in session).
    idpOptions: { refreshTokenTtl: REFRESH_TOKEN_TTL, sessionTtl: 3600, refreshTokenExpiresIn: true, silentRefreshTokens: true },
  });
});
afterAll(() => e2e?.close());

interface Seen {
  type: string;
  /** Page clock (ms) when the event was emitted. */
  at: number;
  expiresOn?: number;
  errorCode?: string;
}

/**
 * Initializes the client as an app does (the deadlines follow the cache from then on) and records
 * its session events. With `initialize: false` the app only calls `handleRedirectPromise()` on
 * load (the test page does that), as the README's core quick start allows.
 */
async function watchSession(page: Page, { initialize = true } = {}): Promise<void> {
  await page.evaluate(async (init) => {
    const w = window as unknown as { sessionEvents: unknown[] };
    w.sessionEvents = [];
    if (init) await window.app.initialize();
    else await window.redirectOutcome;
    window.app.addEventCallback((event) => {
      if (event.type !== 'sessionExpiring' && event.type !== 'sessionRenewed') return;
      const error = event.type === 'sessionExpiring' ? (event.error as { errorCode?: string } | undefined) : undefined;
      w.sessionEvents.push({ type: event.type, at: Date.now(), expiresOn: event.expiresOn?.getTime(), ...(error && { errorCode: error.errorCode }) });
    });
  }, initialize);
}

const sessionEvents = (page: Page) => page.evaluate(() => (window as unknown as { sessionEvents: Seen[] }).sessionEvents);
const deadline = async (page: Page): Promise<number> => {
  const [account] = await accounts(page);
  expect(account?.sessionExpiresOn).toBeInstanceOf(Date);
  return account!.sessionExpiresOn!.getTime();
};
const frames = (page: Page) => page.evaluate(() => document.querySelectorAll('iframe').length);

/** Signs out at the provider in another page of the same browser (oidc-provider's confirm form). */
async function signOutAtProvider(context: BrowserContext, issuer: string): Promise<void> {
  const other = await context.newPage();
  await other.goto(`${issuer}/session/end`);
  await Promise.all([other.waitForURL(/\/session\/end\/success/), other.locator('button[autofocus], form button').first().click()]);
  await other.close();
}

describe('refresh-token deadline', () => {
  it.each([
    ['after initialize()', true],
    ['in an app that only calls handleRedirectPromise() on load', false],
  ])("is the provider's refresh_token_expires_in; before it passes the iframe renews the session and the deadline moves later (%s)", async (_, initialize) => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    await watchSession(page, { initialize });
    const signedInAt = Date.now();
    expect((await popupSignIn(page, { login: 'rita' })).error).toBeUndefined();
    const first = await deadline(page);
    // The provider's lifetime, not a default (14 days at this provider): seconds away.
    expect(first).toBeGreaterThan(signedInAt);
    expect(first).toBeLessThan(signedInAt + 60_000);
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth`);
    e2e.idp.reset();

    await expect.poll(() => sessionEvents(page), { timeout: 45_000, interval: 250 }).toContainEqual(expect.objectContaining({ type: 'sessionRenewed' }));
    const [renewed] = await sessionEvents(page);
    expect(renewed).toMatchObject({ type: 'sessionRenewed' });
    // Before the old deadline, and the new one is later: the session goes on.
    expect(renewed!.at).toBeLessThan(first);
    const second = await deadline(page);
    expect(second).toBeGreaterThan(first);
    expect(renewed!.expiresOn).toBe(second);
    // Through one prompt=none iframe (a code), not with the refresh token; nothing left in the page.
    expect(new URL(authorize[0]!.url).searchParams.get('prompt')).toBe('none');
    expect(e2e.idp.tokenRequests[0]).toMatchObject({ grant_type: 'authorization_code', status: 200 });
    expect(e2e.idp.tokenRequests.filter((r) => r.grant_type === 'refresh_token')).toEqual([]);
    expect(await frames(page)).toBe(0);
    expect((await accounts(page)).map((a) => a.username)).toEqual(['rita@example.test']);
    await context.close();
  });

  it('with the provider session ended, sessionExpiring (login_required) reaches the app before the deadline', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    await watchSession(page);
    expect((await popupSignIn(page, { login: 'sam' })).error).toBeUndefined();
    const first = await deadline(page);
    await signOutAtProvider(context, e2e.idp.issuer);

    await expect.poll(() => sessionEvents(page), { timeout: 45_000, interval: 250 }).toContainEqual(expect.objectContaining({ type: 'sessionExpiring' }));
    const events = await sessionEvents(page);
    expect(events).toEqual([{ type: 'sessionExpiring', at: expect.any(Number), expiresOn: first, errorCode: 'login_required' }]);
    // In time: while the refresh token still works. The app decides what to do; the account stays.
    expect(events[0]!.at).toBeLessThan(first);
    expect((await accounts(page)).map((a) => a.username)).toEqual(['sam@example.test']);
    expect(await frames(page)).toBe(0);
    await context.close();
  });

  it('close() clears the renewal timer: the deadline passes with no iframe and no event', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    await watchSession(page);
    expect((await popupSignIn(page, { login: 'uma' })).error).toBeUndefined();
    const first = await deadline(page);
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth`);
    await page.evaluate(() => window.app.close());
    // Past the deadline (the renewal was due a quarter of the lifetime before it).
    await expect.poll(() => page.evaluate(() => Date.now()), { timeout: 45_000, interval: 500 }).toBeGreaterThan(first + 1000);
    expect(authorize).toEqual([]);
    expect(await sessionEvents(page)).toEqual([]);
    await context.close();
  });
});

describe('refresh-token deadline, provider without refresh tokens on prompt=none (oidc-provider as shipped)', () => {
  let plain: Idp;
  beforeAll(async () => {
    plain = await createIdp({
      redirectUris: [`${e2e.app.origin}/`, `${e2e.app.origin}/popup.html`],
      corsOrigins: [e2e.app.origin],
      refreshTokenTtl: REFRESH_TOKEN_TTL,
      sessionTtl: 3600,
      refreshTokenExpiresIn: true,
    });
  });
  afterAll(() => plain?.close());

  it('the iframe answers but brings no refresh token: sessionExpiring before the deadline, which stands', async () => {
    const context = await e2e.newContext();
    const page = await openApp({ ...e2e, idp: plain }, context);
    await watchSession(page);
    expect((await popupSignIn(page, { login: 'tess' })).error).toBeUndefined();
    const first = await deadline(page);
    plain.reset();

    await expect.poll(() => sessionEvents(page), { timeout: 45_000, interval: 250 }).toContainEqual(expect.objectContaining({ type: 'sessionExpiring' }));
    const events = await sessionEvents(page);
    expect(events).toEqual([{ type: 'sessionExpiring', at: expect.any(Number), expiresOn: first }]);
    expect(events[0]!.at).toBeLessThan(first);
    // The renewal did run (a code redeemed), it just issued no refresh token.
    expect(plain.tokenRequests.map((r) => [r.grant_type, r.status])).toEqual([['authorization_code', 200]]);
    expect(await deadline(page)).toBe(first);
    await context.close();
  });
});
