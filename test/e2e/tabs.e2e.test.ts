// Several tabs of one browser sharing keyward's IndexedDB token cache, in real Chromium
// against the real local provider (rotating refresh tokens: a replay revokes the grant).
// The cross-tab refresh lock must make exactly one tab redeem the refresh token.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, cacheContents, openApp, popupSignIn, SCOPES, setClockAhead, rawRecords } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import type { TokenRequest } from '../idp/createIdp.mjs';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

const TABS = 5;

/** One context, five tabs on the IndexedDB cache; signed in once in the first, seen by all. */
async function fiveTabsSignedIn(login: string): Promise<{ context: BrowserContext; pages: Page[] }> {
  const context = await e2e.newContext();
  const pages: Page[] = [];
  for (let i = 0; i < TABS; i++) pages.push(await openApp(e2e, context, {}, { cache: 'indexeddb' }));
  const signIn = await popupSignIn(pages[0]!, { login });
  expect(signIn.error).toBeUndefined();
  for (const page of pages) {
    await expect.poll(async () => (await accounts(page)).map((a) => a.username), { timeout: 5_000 }).toEqual([`${login}@example.test`]);
  }
  return { context, pages };
}

interface SilentOutcome {
  accessToken: string | null;
  fromCache: boolean | null;
  /** Epoch ms, by the page's clock. */
  expiresOn: number | null;
  now: number;
  error: string | null;
}

/** Starts acquireTokenSilent in every page without awaiting in between, then waits for all. */
function silentEverywhere(pages: Page[], forceRefresh = false): Promise<SilentOutcome[]> {
  const calls = pages.map((page) =>
    page.evaluate(
      async ({ scopes, forceRefresh }) => {
        const [account] = await window.app.getAccounts();
        if (!account) return { accessToken: null, fromCache: null, expiresOn: null, now: Date.now(), error: 'no account' };
        const settled = await window.settle(window.app.acquireTokenSilent(scopes, account, { forceRefresh }));
        const result = settled.result;
        return {
          accessToken: result?.accessToken ?? null,
          fromCache: result?.fromCache ?? null,
          expiresOn: result ? result.expiresOn.getTime() : null,
          now: Date.now(),
          error: settled.error ? `${settled.error.name} ${settled.error.errorCode}` : null,
        };
      },
      { scopes: SCOPES, forceRefresh },
    ),
  );
  return Promise.all(calls);
}

/** Keys of keyward's IndexedDB store, read with the plain IndexedDB API in the page. */
const rawKeys = async (page: Page): Promise<string[]> => (await rawRecords(page)).map((record) => record.key);

/** Page state that a reload would wipe: a marker, and a count of `subscribe` notifications. */
type Watched = Window & { marker?: string; changes?: number };
const watch = (page: Page, marker: string) =>
  page.evaluate((marker) => {
    const w = window as Watched;
    w.marker = marker;
    w.changes = 0;
    window.app.subscribe(() => {
      w.changes = (w.changes ?? 0) + 1;
    });
  }, marker);
const changes = (page: Page) => page.evaluate(() => (window as Watched).changes ?? 0);
const resetChanges = (page: Page) =>
  page.evaluate(() => {
    (window as Watched).changes = 0;
  });
const marker = (page: Page) => page.evaluate(() => (window as Watched).marker);

const refreshTokenOf = async (page: Page): Promise<string | undefined> => Object.values((await cacheContents(page)).RefreshToken)[0]?.secret;

describe('two tabs sharing the IndexedDB cache', () => {
  it('a sign-in in one tab and a sign-out in the other reach both tabs without a reload', async () => {
    const context = await e2e.newContext();
    const a = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    const b = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    await watch(a, 'tab A');
    await watch(b, 'tab B');
    // Both tabs start as an app would: asking for accounts (this loads the cache).
    expect(await accounts(a)).toEqual([]);
    expect(await accounts(b)).toEqual([]);

    const signIn = await popupSignIn(a, { login: 'yves' });
    expect(signIn.error).toBeUndefined();
    await expect.poll(async () => (await accounts(b)).map((account) => account.username), { timeout: 5_000 }).toEqual(['yves@example.test']);
    expect(await changes(b)).toBeGreaterThan(0);
    expect(Object.keys((await cacheContents(b)).RefreshToken)).toHaveLength(1);
    // B serves A's access token from its own memory.
    const requests = recordRequests(context, e2e.idp.issuer);
    const fromB = await b.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      return window.settle(window.app.acquireTokenSilent(scopes, account!));
    }, SCOPES);
    expect(fromB.result).toMatchObject({ fromCache: true, accessToken: signIn.result!.accessToken });
    expect(requests).toEqual([]);

    await resetChanges(a);
    await b.evaluate(() => window.app.logout({ interaction: 'none' }));
    expect(await accounts(b)).toEqual([]);
    await expect.poll(async () => accounts(a), { timeout: 5_000 }).toEqual([]);
    const left = await cacheContents(a);
    expect([left.Account, left.IdToken, left.AccessToken, left.RefreshToken].map((section) => Object.keys(section))).toEqual([[], [], [], []]);
    expect(await changes(a)).toBeGreaterThan(0);
    expect((await rawKeys(a)).filter((key) => key.startsWith('entry|'))).toEqual([]);
    // Neither tab was reloaded.
    expect([await marker(a), await marker(b)]).toEqual(['tab A', 'tab B']);
    // A has nothing left to use: silent resolves null without a token request.
    e2e.idp.reset();
    expect(
      await a.evaluate(
        (scopes) =>
          window.app.acquireTokenSilent(scopes, {
            homeAccountId: 'yves',
            environment: new URL(window.__E2E_CONFIG__!.oidcAuthority!).host,
            tenantId: '',
            username: 'yves@example.test',
            localAccountId: 'yves',
            authorityType: 'Generic',
          }),
        SCOPES,
      ),
    ).toBeNull();
    expect(e2e.idp.tokenRequests).toEqual([]);
    await context.close();
  });
});

describe('five tabs sharing the IndexedDB cache', () => {
  it('an expired access token in five tabs at the same instant: exactly one refresh, all five get the new token (20 rounds)', async () => {
    const { context, pages } = await fiveTabsSignedIn('wren');
    const allRequests: TokenRequest[] = [];
    let previousAccessToken = Object.values((await cacheContents(pages[0]!)).AccessToken)[0]!.secret;

    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      // Each round the tabs' clocks jump one more hour: past the access token stored last round.
      await Promise.all(pages.map((page) => setClockAhead(page, 3600 * (i + 1))));
      const refreshTokenBefore = await refreshTokenOf(pages[0]!);
      e2e.idp.reset();

      const callsStarted = performance.now();
      const outcomes = await silentEverywhere(pages);
      const callsMs = performance.now() - callsStarted;

      const round = `round ${i + 1}`;
      expect(
        outcomes.map((o) => o.error),
        round,
      ).toEqual(Array(TABS).fill(null));
      expect(e2e.idp.tokenRequests, round).toHaveLength(1);
      expect(e2e.idp.tokenRequests[0], round).toMatchObject({ grant_type: 'refresh_token', refresh_token: refreshTokenBefore, status: 200 });
      const tokens = outcomes.map((o) => o.accessToken);
      expect(tokens[0], round).toBeTruthy();
      expect(tokens[0], round).not.toBe(previousAccessToken);
      expect(new Set(tokens).size, round).toBe(1);
      expect(
        outcomes.filter((o) => o.fromCache === false),
        round,
      ).toHaveLength(1);
      for (const outcome of outcomes) expect(outcome.expiresOn!, round).toBeGreaterThan(outcome.now + 300_000);
      expect(e2e.idp.replays(), round).toEqual([]);
      expect(
        e2e.idp.events.filter((e) => e.type === 'grant.revoked'),
        round,
      ).toEqual([]);
      // Every tab now holds the rotated refresh token (the next round depends on it).
      const held = await Promise.all(pages.map(refreshTokenOf));
      expect(new Set(held).size, round).toBe(1);
      expect(held[0], round).not.toBe(refreshTokenBefore);

      allRequests.push(...e2e.idp.tokenRequests);
      previousAccessToken = tokens[0]!;
      console.log(
        `five tabs, ${round}: ${callsMs.toFixed(0)} ms for the five concurrent calls, ${(performance.now() - started).toFixed(0)} ms for the whole round`,
      );
    }
    // No refresh token was ever presented twice, across all rounds.
    const presented = allRequests.map((r) => r.refresh_token);
    expect(new Set(presented).size).toBe(20);
    await context.close();
  });

  it('forceRefresh in five tabs at once: five refreshes one after another, each with the refresh token the previous one stored', async () => {
    const { context, pages } = await fiveTabsSignedIn('xena');
    const firstRefreshToken = await refreshTokenOf(pages[0]!);
    e2e.idp.reset();

    const outcomes = await silentEverywhere(pages, true);

    expect(outcomes.map((o) => o.error)).toEqual(Array(TABS).fill(null));
    expect(outcomes.map((o) => o.fromCache)).toEqual(Array(TABS).fill(false));
    expect(new Set(outcomes.map((o) => o.accessToken)).size).toBe(TABS);
    const requests = e2e.idp.tokenRequests;
    expect(requests.map((r) => [r.grant_type, r.status, r.error])).toEqual(Array(TABS).fill(['refresh_token', 200, undefined]));
    expect(e2e.idp.replays()).toEqual([]);
    expect(e2e.idp.events.filter((e) => e.type === 'grant.revoked')).toEqual([]);
    // A chain: the first used the signed-in refresh token, each later one a new one, and
    // the refresh token now stored (in every tab) is none of those already redeemed.
    expect(requests[0]!.refresh_token).toBe(firstRefreshToken);
    expect(new Set(requests.map((r) => r.refresh_token)).size).toBe(TABS);
    const held = await Promise.all(pages.map(refreshTokenOf));
    expect(new Set(held).size).toBe(1);
    expect(requests.map((r) => r.refresh_token)).not.toContain(held[0]);
    // The last refresh's access token is the one every tab now serves.
    const last = Object.values((await cacheContents(pages[0]!)).AccessToken);
    expect(last).toHaveLength(1);
    expect(outcomes.map((o) => o.accessToken)).toContain(last[0]!.secret);
    await context.close();
  });
});
