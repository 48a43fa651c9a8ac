// monitorSession (OpenID Connect Session Management 1.0): the app watches the active account's
// session through the provider's check_session_iframe (oidc-client-ts's CheckSessionIFrame) and
// removes the account when the person signs out at the provider. Real Chromium, the real local
// oidc-provider with test/idp/sessionManagement.mjs (oidc-provider 9 has no session management).
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdp, type Idp } from '../idp/createIdp.mjs';
import { accounts, openApp, popupSignIn } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import { completeLogin } from './harness/login';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ idpOptions: { sessionManagement: true } });
});
afterAll(() => e2e?.close());

const checkSessionUrl = () => `${e2e.idp.issuer}/session/check`;

/** Records the client's events and the check_session iframe's answers, from the first script on. */
async function watch(page: Page): Promise<void> {
  await page.addInitScript((issuer) => {
    const w = window as unknown as { opAnswers: unknown[]; events: unknown[] };
    w.opAnswers = [];
    w.events = [];
    window.addEventListener('message', (e) => {
      if (e.origin === issuer) w.opAnswers.push(e.data);
    });
  }, e2e.idp.issuer);
}

async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { events: unknown[] };
    window.app.addEventCallback((event) =>
      w.events.push({
        type: event.type,
        ...(event.type === 'sessionChanged' && { username: event.account.username }),
        ...(event.type === 'warning' && { errorCode: event.error.errorCode }),
      }),
    );
  });
}

const eventsOf = (page: Page) => page.evaluate(() => (window as unknown as { events: Record<string, string>[] }).events);
const answersOf = (page: Page) => page.evaluate(() => (window as unknown as { opAnswers: string[] }).opAnswers);
const iframes = (page: Page) => page.evaluate((url) => [...document.querySelectorAll('iframe')].filter((f) => f.src === url).length, checkSessionUrl());

/** Signs out at the provider in another page of the same browser, as a person would (oidc-provider's confirm form). */
async function signOutAtProvider(context: BrowserContext): Promise<void> {
  const other = await context.newPage();
  await other.goto(`${e2e.idp.issuer}/session/end`);
  await Promise.all([other.waitForURL(/\/session\/end\/success/), other.locator('button[autofocus], form button').first().click()]);
  await other.close();
}

/**
 * Signs `login` in at the provider in another page of the same browser, as a person would on
 * the provider's own pages (prompt=login: a new session there, so a new OP browser state). The
 * app is not involved: its page in that tab has no client and leaves the code alone.
 */
async function signInAtProvider(context: BrowserContext, login: string): Promise<void> {
  const other = await context.newPage();
  const url = new URL(`${e2e.idp.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: 'spa',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: e2e.app.url,
    prompt: 'login',
    state: 'provider-side',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  await other.goto(url.href);
  await completeLogin(other, { login });
  await other.waitForURL((u) => u.href.startsWith(e2e.app.url));
  await other.close();
}

const sessionState = (page: Page) => page.evaluate(() => localStorage.getItem('keyward.session.spa'));

async function openWatched(context: BrowserContext, config = {}): Promise<Page> {
  return openApp(e2e, context, config, { beforeLoad: watch });
}

describe('monitorSession', () => {
  it('sign-out at the provider in another page: the account is removed here and sessionChanged fires', async () => {
    const context = await e2e.newContext();
    const chunks = recordRequests(context, `${e2e.app.origin}/assets/startSessionMonitor`);
    const page = await openWatched(context, { monitorSession: { checkInterval: 300 } });
    await recordEvents(page);
    expect((await popupSignIn(page, { login: 'hana' })).error).toBeUndefined();
    expect(chunks).toHaveLength(1); // the monitor's own chunk, loaded because the app opted in

    // The iframe is up and agrees with the session_state of the sign-in: the account stays.
    await expect.poll(() => iframes(page)).toBe(1);
    await expect.poll(() => answersOf(page)).toContain('unchanged');
    expect(await answersOf(page)).not.toContain('changed');
    expect((await accounts(page)).map((a) => a.username)).toEqual(['hana@example.test']);

    await signOutAtProvider(context);
    await expect.poll(() => accounts(page), { timeout: 10_000 }).toEqual([]);
    expect(await answersOf(page)).toContain('changed');
    // The account is removed first, then the event is emitted: poll for it.
    await expect.poll(() => eventsOf(page), { timeout: 5_000 }).toContainEqual({ type: 'sessionChanged', username: 'hana@example.test' });
    expect(await page.evaluate(() => localStorage.getItem('keyward.session.spa'))).toBeNull();

    // A new sign-in (the provider session is gone: the login form again) is watched again.
    expect((await popupSignIn(page, { login: 'hana' })).error).toBeUndefined();
    const answered = (await answersOf(page)).length;
    await expect.poll(async () => (await answersOf(page)).slice(answered)).toContain('unchanged');
    expect((await accounts(page)).map((a) => a.username)).toEqual(['hana@example.test']);
    expect(await iframes(page)).toBe(1); // one iframe for the page's life
    await context.close();
  });

  it('the same person signs in again at the provider: the monitor asks again with prompt=none, keeps the account and watches the new session_state', async () => {
    const context = await e2e.newContext();
    const page = await openWatched(context, { monitorSession: { checkInterval: 300 } });
    await recordEvents(page);
    expect((await popupSignIn(page, { login: 'jana' })).error).toBeUndefined();
    await expect.poll(() => answersOf(page)).toContain('unchanged');
    const before = await sessionState(page);
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth?`);

    await signInAtProvider(context, 'jana');
    await expect.poll(() => answersOf(page), { timeout: 10_000 }).toContain('changed');
    // One silent question to the provider, from this page's hidden iframe; the answer is jana again.
    const silentAsks = () => authorize.filter((r) => new URL(r.url).searchParams.get('prompt') === 'none').length;
    await expect.poll(silentAsks, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => sessionState(page), { timeout: 10_000 }).not.toBe(before);
    // Watched again, with the new state: the provider's iframe agrees.
    const answered = (await answersOf(page)).length;
    await expect.poll(async () => (await answersOf(page)).slice(answered), { timeout: 10_000 }).toContain('unchanged');
    expect((await accounts(page)).map((a) => a.username)).toEqual(['jana@example.test']);
    // One re-check: its own token write did not resume watching with the old state (which would answer "changed" again).
    expect(silentAsks()).toBe(1);
    expect(await eventsOf(page)).not.toContainEqual(expect.objectContaining({ type: 'sessionChanged' }));
    expect(await iframes(page)).toBe(1);
    await context.close();
  });

  it('another person signs in at the provider: the prompt=none answer is not this account, which is removed (nothing of the other person stored)', async () => {
    const context = await e2e.newContext();
    const page = await openWatched(context, { monitorSession: { checkInterval: 300 } });
    await recordEvents(page);
    expect((await popupSignIn(page, { login: 'kira' })).error).toBeUndefined();
    await expect.poll(() => answersOf(page)).toContain('unchanged');
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth?`);

    await signInAtProvider(context, 'lars');
    await expect.poll(() => eventsOf(page), { timeout: 10_000 }).toContainEqual({ type: 'sessionChanged', username: 'kira@example.test' });
    expect(authorize.filter((r) => new URL(r.url).searchParams.get('prompt') === 'none')).toHaveLength(1);
    expect(await accounts(page)).toEqual([]);
    await context.close();
  });

  it('close() (and Symbol.asyncDispose) stops the monitor: its iframe is removed and a sign-out at the provider goes unnoticed', async () => {
    const context = await e2e.newContext();
    const page = await openWatched(context, { monitorSession: { checkInterval: 300 } });
    await recordEvents(page);
    expect((await popupSignIn(page, { login: 'mona' })).error).toBeUndefined();
    await expect.poll(() => iframes(page)).toBe(1);
    await expect.poll(() => answersOf(page)).toContain('unchanged');

    await page.evaluate(() => window.app[Symbol.asyncDispose]());
    expect(await iframes(page)).toBe(0);
    const answered = (await answersOf(page)).length;
    await signOutAtProvider(context);
    // Ten check intervals: a running monitor would have seen "changed" and removed the account by now.
    await page.waitForTimeout(3000);
    expect((await answersOf(page)).length).toBe(answered);
    expect(await eventsOf(page)).not.toContainEqual(expect.objectContaining({ type: 'sessionChanged' }));
    expect(Object.values(await page.evaluate(() => window.cache.read().Account)).map((a) => a.username)).toEqual(['mona@example.test']);
    await context.close();
  });

  it('without monitorSession nothing is loaded or started: no chunk, no iframe, no question to the provider', async () => {
    const context = await e2e.newContext();
    const chunks = recordRequests(context, `${e2e.app.origin}/assets/startSessionMonitor`);
    const checks = recordRequests(context, checkSessionUrl());
    const page = await openWatched(context);
    await recordEvents(page);
    expect((await popupSignIn(page, { login: 'ivan' })).error).toBeUndefined();
    await signOutAtProvider(context);
    // The sign-out at the provider is not noticed: nobody asked.
    await page.evaluate(() => window.app.getAccounts());
    expect(chunks).toEqual([]);
    expect(checks).toEqual([]);
    expect(await iframes(page)).toBe(0);
    expect(await answersOf(page)).toEqual([]);
    expect((await accounts(page)).map((a) => a.username)).toEqual(['ivan@example.test']);
    expect(await page.evaluate(() => localStorage.getItem('keyward.session.spa'))).toBeNull();
    await context.close();
  });
});

describe('monitorSession against a provider without check_session_iframe', () => {
  let plain: Idp;
  beforeAll(async () => {
    plain = await createIdp({ redirectUris: [`${e2e.app.origin}/`, `${e2e.app.origin}/popup.html`], corsOrigins: [e2e.app.origin] });
  });
  afterAll(() => plain?.close());

  it('reports check_session_unavailable as a warning and starts nothing', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.addInitScript((issuer) => {
      const w = window as unknown as { events: unknown[]; __E2E_CONFIG__: unknown };
      w.events = [];
      w.__E2E_CONFIG__ = { clientId: 'spa', oidcAuthority: issuer, redirectUri: `${location.origin}/`, monitorSession: true };
    }, plain.issuer);
    await page.goto(e2e.app.url);
    await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
    // The monitor starts after handleRedirectPromise; its warning is read from the log (the event fired before a listener could be added here).
    await expect
      .poll(() =>
        page.evaluate(
          () => window.logLines.filter((l) => l.startsWith('warning keyward: monitorSession is on, but the provider has no check_session_iframe')).length,
        ),
      )
      .toBeGreaterThan(0);
    expect(await iframes(page)).toBe(0);
    await context.close();
  });
});
