// The six cross-tab races of the IndexedDB token cache, each forced deterministically in
// real Chromium (two or more pages of one context) against the real local provider, which
// rotates refresh tokens and revokes the whole grant when an old one is replayed. Each test
// runs its scenario ROUNDS times in a row inside the test; any failing round fails it.
import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, cacheContents, openApp, popupSignIn, reloadApp, silent } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';

const ROUNDS = 20;

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

const tabs = (context: BrowserContext, count: number, beforeLoad?: (page: Page) => Promise<void>): Promise<Page[]> =>
  Promise.all(Array.from({ length: count }, () => openApp(e2e, context, {}, { cache: 'indexeddb', ...(beforeLoad && { beforeLoad }) })));

async function signedIn(pages: Page[], login: string): Promise<void> {
  const signIn = await popupSignIn(pages[0]!, { login });
  expect(signIn.error).toBeUndefined();
  for (const page of pages) {
    await expect.poll(async () => (await accounts(page)).map((a) => a.username), { timeout: 5_000 }).toEqual([`${login}@example.test`]);
  }
}

/** The provider saw no replayed refresh token and revoked no grant; every refresh it answered succeeded. */
function expectGrantAlive(round: string): void {
  expect(e2e.idp.replays(), round).toEqual([]);
  expect(
    e2e.idp.events.filter((e) => e.type === 'grant.revoked'),
    round,
  ).toEqual([]);
  expect(
    e2e.idp.tokenRequests.filter((r) => r.grant_type === 'refresh_token' && r.status !== 200),
    round,
  ).toEqual([]);
}

const isRefresh = (route: Route): boolean => route.request().method() === 'POST' && /(^|&)grant_type=refresh_token(&|$)/.test(route.request().postData() ?? '');
const tokenEndpoint = (url: URL): boolean => url.href.startsWith(e2e.idp.issuer) && url.pathname.endsWith('/token');

const forceRefresh = (page: Page) => silent(page, { forceRefresh: true });
const refreshTokenOf = async (page: Page): Promise<string | undefined> => Object.values((await cacheContents(page)).RefreshToken)[0]?.secret;

describe('cross-tab races of the IndexedDB token cache', () => {
  it('1. a rotated refresh token one tab fails to store is neither replayed by another tab nor later written over a newer one', async () => {
    const context = await e2e.newContext();
    const [a, b] = await tabs(context, 2);
    await signedIn([a!, b!], 'race1');
    for (let i = 0; i < ROUNDS; i++) {
      const round = `round ${i + 1}`;
      e2e.idp.reset();
      // Odd rounds: every write of A fails (quota); even rounds: the first two attempts fail, the third lands.
      const failures = i % 2 === 0 ? Infinity : 2;
      await a!.evaluate((failures) => {
        const w = window as Window & { restorePut?: () => void };
        const put = IDBObjectStore.prototype.put;
        let left = failures;
        IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
          if (String(key).startsWith('entry|RefreshToken|') && left-- > 0) throw new DOMException('injected', 'QuotaExceededError');
          return put.call(this, value, key);
        };
        w.restorePut = () => {
          IDBObjectStore.prototype.put = put;
        };
      }, failures);
      const fromA = await forceRefresh(a!);
      expect(fromA.error, round).toBeUndefined();
      expect(fromA.result?.fromCache, round).toBe(false);
      // B refreshes next: it must redeem A's rotated refresh token, stored or not.
      const fromB = await forceRefresh(b!);
      expect(fromB.error, round).toBeUndefined();
      await a!.evaluate(() => (window as Window & { restorePut?: () => void }).restorePut?.());
      // A's next write carries its pending change: it must not put the older refresh token back.
      const again = await forceRefresh(a!);
      expect(again.error, round).toBeUndefined();
      expectGrantAlive(round);
      const requests = e2e.idp.tokenRequests.filter((r) => r.grant_type === 'refresh_token');
      expect(requests, round).toHaveLength(3);
      expect(new Set(requests.map((r) => r.refresh_token)).size, round).toBe(3);
      const held = await Promise.all([a!, b!].map(refreshTokenOf));
      expect(held[0], round).toBe(held[1]);
      expect(
        requests.map((r) => r.refresh_token),
        round,
      ).not.toContain(held[0]);
    }
    // What storage holds is the newest: after a reload the next refresh works.
    await reloadApp(b!);
    e2e.idp.reset();
    expect((await forceRefresh(b!)).error).toBeUndefined();
    expectGrantAlive('after reload');
    await context.close();
  });

  it('2. signing out while a refresh is on the wire: the refresh is aborted in either tab before its answer arrives, the answer is discarded, no account in any tab or after a reload', async () => {
    const context = await e2e.newContext();
    // The local sign-out race only: revoking the refresh token at sign-out (RFC 7009) would make
    // oidc-provider revoke the grant, and every next round's sign-in would stop on its consent page.
    const [a, b] = await Promise.all([0, 1].map(() => openApp(e2e, context, { revokeTokenTypes: [] }, { cache: 'indexeddb' })));
    let held: { route: Route; release: () => void }[] = [];
    await context.route(tokenEndpoint, async (route) => {
      if (!isRefresh(route)) return route.continue();
      // The provider answers (and rotates); the answer reaches the page only when released.
      const response = await route.fetch();
      await new Promise<void>((release) => held.push({ route, release }));
      // The page aborted the request when the account was signed out: there is nobody to answer.
      await route.fulfill({ response }).catch(() => {});
    });
    for (let i = 0; i < ROUNDS; i++) {
      const round = `round ${i + 1}`;
      await signedIn([a!, b!], 'race2');
      held = [];
      const refreshing = forceRefresh(a!);
      await expect.poll(() => held.length, { timeout: 10_000 }).toBe(1);
      // Even rounds: sign-out in the other tab; odd rounds: in the refreshing tab itself.
      const signingOut = i % 2 === 0 ? b! : a!;
      await signingOut.evaluate(() => window.app.logout({ interaction: 'none' }));
      // Sign-out wins at once: the renewal is aborted in whichever tab runs it (the other tab
      // learns of the sign-out from its broadcast) while the provider's answer is still held.
      const outcome = await refreshing;
      held[0]!.release();
      expect(outcome.result ?? null, round).toBeNull();
      expect(outcome.error?.errorCode, round).toBe('account_signed_out');
      for (const page of [a!, b!]) {
        await expect.poll(() => accounts(page), { timeout: 5_000 }).toEqual([]);
        const left = await cacheContents(page);
        expect(
          [left.Account, left.IdToken, left.AccessToken, left.RefreshToken].map((s) => Object.keys(s)),
          round,
        ).toEqual([[], [], [], []]);
      }
      await reloadApp(b!);
      expect(await accounts(b!), round).toEqual([]);
      expect(Object.keys((await cacheContents(b!)).RefreshToken), round).toEqual([]);
    }
    await context.close();
  });

  it('2b. signing out while a hidden-iframe renewal waits for the provider: it is aborted in either tab at once, its frame removed, nothing stored', async () => {
    const context = await e2e.newContext();
    const config = { revokeTokenTypes: [], iframeTimeout: 60_000 };
    const [a, b] = await Promise.all([0, 1].map(() => openApp(e2e, context, config, { cache: 'indexeddb' })));
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth?`);
    for (let i = 0; i < ROUNDS; i++) {
      const round = `round ${i + 1}`;
      await signedIn([a!, b!], 'race2b');
      // The frame's /authorize is held: the provider never answers (the timeout is a minute away).
      await context.route(`${e2e.idp.issuer}/auth?*prompt=none*`, () => {});
      authorize.length = 0;
      const renewing = silent(a!, { cacheLookupPolicy: 'skipCache' });
      await expect.poll(() => authorize.filter((r) => r.url.includes('prompt=none')).length, { timeout: 10_000 }).toBe(1);
      const signingOut = i % 2 === 0 ? b! : a!;
      await signingOut.evaluate(() => window.app.logout({ interaction: 'none' }));
      const outcome = await renewing;
      expect(outcome.result ?? null, round).toBeNull();
      expect(outcome.error?.errorCode, round).toBe('account_signed_out');
      expect(await a!.evaluate(() => document.querySelectorAll('iframe').length), round).toBe(0);
      await context.unroute(`${e2e.idp.issuer}/auth?*prompt=none*`);
      for (const page of [a!, b!]) await expect.poll(() => accounts(page), { timeout: 5_000 }).toEqual([]);
    }
    await context.close();
  });

  it('3. a junk broadcast from any page of the origin is dropped and reported, applied nowhere, and breaks no later call', async () => {
    const context = await e2e.newContext();
    const [a, b] = await tabs(context, 2);
    await signedIn([a!, b!], 'race3');
    const before = await cacheContents(a!);
    for (let i = 0; i < ROUNDS; i++) {
      const round = `round ${i + 1}`;
      const posted = await b!.evaluate((i) => {
        const channel = new BroadcastChannel('keyward.cache.keyward');
        const evil = {
          home_account_id: 'evil',
          environment: 'evil.example',
          realm: 't',
          local_account_id: 'e',
          username: 'evil@example.test',
          authority_type: 'Generic',
        };
        const junk: unknown[] = [
          null,
          'text',
          { change: { set: { Account: { evil } } } },
          { v: 2, stored: true, change: { remove: { Account: 5 } }, revs: {}, generations: {} },
          { v: 2, stored: true, change: { set: { RefreshToken: { x: { secret: 7 } } } }, revs: {}, generations: {} },
          { v: 2, stored: true, change: { set: { Account: { evil: { ...evil, username: undefined } } } }, revs: {}, generations: {} },
          { v: 2, stored: false, change: { set: { Bogus: {} } }, revs: {}, generations: {} },
          { v: 2, stored: true, change: { signOut: 'all' }, revs: {}, generations: {} },
          { v: 2, stored: true, change: {}, revs: { x: -1 }, generations: {} },
        ];
        const message = junk[i % junk.length];
        channel.postMessage(message);
        channel.close();
        return i % junk.length;
      }, i);
      await expect
        .poll(() => a!.evaluate(() => window.cacheWarnings.filter((w) => w.code === 'cache_broadcast_rejected').length), { timeout: 5_000 })
        .toBe(i + 1);
      expect(await cacheContents(a!), `${round} (junk #${posted})`).toEqual(before);
      expect(
        (await accounts(a!)).map((x) => x.username),
        round,
      ).toEqual(['race3@example.test']);
      expect((await silent(a!)).result?.fromCache, round).toBe(true);
    }
    // Still able to sign out, in every tab.
    const out = await a!.evaluate(() => window.settle(window.app.logout({ interaction: 'none' })));
    expect(out.error).toBeUndefined();
    await expect.poll(() => accounts(b!), { timeout: 5_000 }).toEqual([]);
    await context.close();
  });

  it("4. a tab whose IndexedDB open timed out does not take other tabs' refresh tokens, so it never rotates one behind their backs", async () => {
    const context = await e2e.newContext();
    // The page's IndexedDB open never completes: the cache gives up after its timeout and runs in memory.
    const degraded = await openApp(
      e2e,
      context,
      {},
      {
        cache: 'indexeddb',
        beforeLoad: async (page) => {
          await page.addInitScript(() => {
            IDBFactory.prototype.open = () => ({}) as IDBOpenDBRequest;
          });
        },
      },
    );
    const [healthy] = await tabs(context, 1);
    expect(
      await degraded.evaluate(async () => {
        await window.app.getAccounts();
        return (window.cache as { persistent?: boolean }).persistent;
      }),
    ).toBe(false);
    await signedIn([healthy!, degraded], 'race4');
    for (let i = 0; i < ROUNDS; i++) {
      const round = `round ${i + 1}`;
      e2e.idp.reset();
      // Refresh token only: with the default policy the iframe fallback would sign this tab in on
      // its own (ssoSilent.e2e.test.ts), which also touches no other tab's refresh token.
      const fromDegraded = await silent(degraded, { forceRefresh: true, cacheLookupPolicy: 'refreshToken' });
      // It has no refresh token of its own: nothing to redeem (silent resolves null, the app would sign in there).
      expect(fromDegraded.error, round).toBeUndefined();
      expect(fromDegraded.result, round).toBeNull();
      expect(Object.keys((await cacheContents(degraded)).RefreshToken), round).toEqual([]);
      const fromHealthy = await forceRefresh(healthy!);
      expect(fromHealthy.error, round).toBeUndefined();
      expect(fromHealthy.result?.fromCache, round).toBe(false);
      expectGrantAlive(round);
      // It still sees the accounts and serves the access tokens the other tabs share.
      await expect.poll(async () => (await silent(degraded)).result?.accessToken, { timeout: 5_000 }).toBe(fromHealthy.result!.accessToken);
    }
    expect(await degraded.evaluate(() => window.cacheWarnings.map((w) => w.code))).toContain('storage_unavailable');
    await context.close();
  });

  it('5. two tabs creating the DPoP key at the same moment end up with one key, the one stored', async () => {
    const context = await e2e.newContext();
    // Key generation made slow enough that both tabs are always inside it at once.
    const slowKeys = async (page: Page): Promise<void> =>
      void (await page.addInitScript(() => {
        const generate = crypto.subtle.generateKey.bind(crypto.subtle);
        crypto.subtle.generateKey = (async (...args: Parameters<typeof generate>) => {
          const key = await generate(...args);
          await new Promise((resolve) => setTimeout(resolve, 150));
          return key;
        }) as typeof crypto.subtle.generateKey;
      }));
    const pages = await Promise.all([0, 1, 2].map(() => openApp(e2e, context, {}, { cache: 'indexeddb', beforeLoad: slowKeys })));
    for (let i = 0; i < ROUNDS; i++) {
      const round = `round ${i + 1}`;
      await pages[0]!.evaluate(() => new window.PopKeyStore('race5').rotate());
      const thumbprints = await Promise.all(pages.map((page) => page.evaluate(async () => (await new window.PopKeyStore('race5').get('dpop')).thumbprint)));
      expect(new Set(thumbprints).size, round).toBe(1);
      // And it is the stored key: a fresh store in any tab loads the same one.
      expect(await pages[1]!.evaluate(async () => (await new window.PopKeyStore('race5').get('dpop')).thumbprint), round).toBe(thumbprints[0]);
    }
    await context.close();
  });

  it('6. without Web Locks, the lease is renewed while a slow refresh runs, and the other tab waits for it instead of replaying', async () => {
    const context = await e2e.newContext();
    const noWebLocks = async (page: Page): Promise<void> =>
      void (await page.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
      }));
    const [a, b] = await tabs(context, 2, noWebLocks);
    for (const page of [a!, b!]) {
      expect(await page.evaluate(() => (navigator as Navigator & { locks?: unknown }).locks)).toBeUndefined();
      // A short lease, so a refresh can outlast it many times over in a short test.
      await page.evaluate(() => {
        window.leaseTiming.leaseMs = 400;
      });
    }
    await signedIn([a!, b!], 'race6');
    // Every refresh answer takes three leases to arrive.
    await context.route(tokenEndpoint, async (route) => {
      if (!isRefresh(route)) return route.continue();
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await route.fulfill({ response });
    });
    for (let i = 0; i < ROUNDS; i++) {
      const round = `round ${i + 1}`;
      e2e.idp.reset();
      const outcomes = await Promise.all([forceRefresh(a!), forceRefresh(b!)]);
      expect(
        outcomes.map((o) => o.error?.errorCode ?? null),
        round,
      ).toEqual([null, null]);
      expectGrantAlive(round);
      // Two forced refreshes, one after the other: the second with the refresh token the first
      // stored, never the same one twice.
      const requests = e2e.idp.tokenRequests.filter((r) => r.grant_type === 'refresh_token');
      expect(requests, round).toHaveLength(2);
      expect(new Set(requests.map((r) => r.refresh_token)).size, round).toBe(2);
    }
    await context.close();
  });
});
