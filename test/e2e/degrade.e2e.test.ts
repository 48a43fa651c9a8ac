// The IndexedDB token cache when storage lets it down, in real Chromium against the real
// local provider: no IndexedDB at all, a corrupted record, the origin's quota exhausted
// (Chromium's real QuotaManager through CDP, not a mocked IndexedDB).
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, cacheContents, openApp, popupSignIn, rawRecords, reloadApp, silent } from './fixtures';
import { startE2E, type E2E } from './harness/harness';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

const warningCodes = (page: Page): Promise<string[]> => page.evaluate(() => window.cacheWarnings.map((w) => w.code));

const sectionSizes = (cache: Awaited<ReturnType<typeof cacheContents>>) => ({
  Account: Object.keys(cache.Account).length,
  IdToken: Object.keys(cache.IdToken).length,
  AccessToken: Object.keys(cache.AccessToken).length,
  RefreshToken: Object.keys(cache.RefreshToken).length,
});

describe('IndexedDB unavailable', () => {
  it('signs in and works in memory for the life of the page, with a storage_unavailable warning', async () => {
    const context = await e2e.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    });
    const page = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    expect(await page.evaluate(() => typeof indexedDB)).toBe('undefined');

    const signIn = await popupSignIn(page, { login: 'uma' });
    expect(signIn.error).toBeUndefined();
    expect(signIn.result?.account.username).toBe('uma@example.test');
    expect(await page.evaluate(() => (window.cache as { persistent?: boolean }).persistent)).toBe(false);
    const warnings = await page.evaluate(() => window.cacheWarnings);
    expect(warnings.filter((w) => w.code === 'storage_unavailable')).toHaveLength(1);
    expect(warnings.find((w) => w.code === 'storage_unavailable')?.message).toMatch(/memory/);

    // Within the page's life everything works from memory: accounts, a cache hit, a refresh.
    expect((await accounts(page)).map((a) => a.username)).toEqual(['uma@example.test']);
    const hit = await silent(page);
    expect(hit.result).toMatchObject({ fromCache: true, accessToken: signIn.result!.accessToken });
    e2e.idp.reset();
    const refreshed = await silent(page, { forceRefresh: true });
    expect(refreshed.error).toBeUndefined();
    expect(refreshed.result?.fromCache).toBe(false);
    expect(e2e.idp.tokenRequests.map((r) => [r.grant_type, r.status])).toEqual([['refresh_token', 200]]);
    expect((await silent(page)).result).toMatchObject({ fromCache: true, accessToken: refreshed.result!.accessToken });
    await context.close();
  });
});

describe('a corrupted IndexedDB record', () => {
  it('is dropped and reported on load; the account, id token and refresh token survive and the refresh token is used', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    const signIn = await popupSignIn(page, { login: 'vera' });
    expect(signIn.error).toBeUndefined();
    const before = await cacheContents(page);
    expect(sectionSizes(before)).toEqual({ Account: 1, IdToken: 1, AccessToken: 1, RefreshToken: 1 });
    const refreshToken = Object.values(before.RefreshToken)[0]!.secret;

    // Garbage where the sealed access token was: right shape, bytes that do not decrypt.
    const corrupted = await page.evaluate(async () => {
      const request = <T>(r: IDBRequest<T>) =>
        new Promise<T>((ok, fail) => {
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
      const db = await request(indexedDB.open('keyward'));
      try {
        const keys = await request(db.transaction('cache', 'readonly').objectStore('cache').getAllKeys());
        const slot = keys.map(String).find((key) => key.startsWith('entry|AccessToken|'))!;
        const tx = db.transaction('cache', 'readwrite');
        tx.objectStore('cache').put({ v: 1, iv: new Uint8Array(12), data: crypto.getRandomValues(new Uint8Array(64)).buffer }, slot);
        await new Promise((ok, fail) => {
          tx.oncomplete = ok;
          tx.onabort = () => fail(tx.error);
        });
        return slot;
      } finally {
        db.close();
      }
    });
    expect(corrupted).toMatch(/^entry\|AccessToken\|/);

    await reloadApp(page);
    // Access tokens are unsealed on the account's first use (here: reading the whole cache), and the bad one found then.
    const after = await cacheContents(page);
    const warnings = await page.evaluate(() => window.cacheWarnings);
    expect(warnings.map((w) => w.code)).toEqual(['cache_entry_dropped']);
    expect(warnings[0]!.message).toMatch(/1 unreadable cache entry/);
    expect(sectionSizes(after)).toEqual({ Account: 1, IdToken: 1, AccessToken: 0, RefreshToken: 1 });
    expect(after.Account).toEqual(before.Account);
    expect(after.IdToken).toEqual(before.IdToken);
    expect(after.RefreshToken).toEqual(before.RefreshToken);
    expect((await accounts(page)).map((a) => a.username)).toEqual(['vera@example.test']);
    // The garbage record is gone from IndexedDB itself, not only from the in-memory view.
    const keysAfter = (await rawRecords(page)).map((r) => r.key);
    expect(keysAfter).not.toContain(corrupted);
    expect(keysAfter.filter((key) => key.startsWith('entry|')).sort()).toEqual(
      [
        ...Object.keys(before.Account).map((k) => `entry|Account|${k}`),
        ...Object.keys(before.IdToken).map((k) => `entry|IdToken|${k}`),
        ...Object.keys(before.RefreshToken).map((k) => `entry|RefreshToken|${k}`),
      ].sort(),
    );

    // No access token any more: one refresh through the surviving refresh token.
    e2e.idp.reset();
    const outcome = await silent(page);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.fromCache).toBe(false);
    expect(outcome.result?.account.username).toBe('vera@example.test');
    expect(e2e.idp.tokenRequests).toHaveLength(1);
    expect(e2e.idp.tokenRequests[0]).toMatchObject({ grant_type: 'refresh_token', refresh_token: refreshToken, status: 200 });
    expect((await rawRecords(page)).map((r) => r.key)).toContain(corrupted);
    // The next load reads everything again without a warning.
    await reloadApp(page);
    expect(await warningCodes(page)).toEqual([]);
    expect((await silent(page)).result).toMatchObject({ fromCache: true, accessToken: outcome.result!.accessToken });
    await context.close();
  });
});

describe('the origin storage quota exceeded', () => {
  /**
   * Signs in under a quota override, then shrinks the quota to the current usage so the next
   * IndexedDB write is refused by Chromium's own QuotaManager.
   *
   * Chromium grants IndexedDB writes from a cached allowance (content/browser/indexed_db
   * BucketContext::CheckCanUseDiskSpace, kBucketSpaceCacheTimeLimit = 30 s) and only asks the
   * QuotaManager again when a write is larger than what is left of that allowance. So the
   * quota is first overridden to 1 MB before the page's first write (keeping the allowance
   * near 1 MB instead of the real ~1.4 GB); after shrinking it, a 2 MB probe write in a
   * separate database makes Chromium re-read the quota at once (and must itself fail with a
   * real QuotaExceededError) instead of 30 s later.
   */
  async function signedInOverQuota(login: string): Promise<{ context: BrowserContext; page: Page; cdp: CDPSession }> {
    const context = await e2e.newContext();
    const origin = e2e.app.origin;
    const cdp = await context.newCDPSession(await context.newPage());
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1_000_000 });

    const page = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    const signIn = await popupSignIn(page, { login });
    expect(signIn.error).toBeUndefined();

    const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage });
    expect(await cdp.send('Storage.getUsageAndQuota', { origin })).toMatchObject({ usage, quota: usage, overrideActive: true });
    const probe = await page.evaluate(async () => {
      const request = <T>(r: IDBRequest<T>) =>
        new Promise<T>((ok, fail) => {
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
      const open = indexedDB.open('quota-probe', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('s');
      const db = await request(open);
      try {
        const tx = db.transaction('s', 'readwrite');
        tx.objectStore('s').put(new Uint8Array(2_000_000), 'probe');
        await new Promise((ok, fail) => {
          tx.oncomplete = ok;
          tx.onabort = () => fail(tx.error);
        });
        return 'stored';
      } catch (error) {
        return (error as DOMException).name;
      } finally {
        db.close();
      }
    });
    expect(probe).toBe('QuotaExceededError');
    return { context, page, cdp };
  }

  it('a refresh whose write exceeds the quota: storage unchanged, a typed cache_quota_exceeded warning, and the rotated tokens kept in memory (not thrown away)', async () => {
    const { context, page } = await signedInOverQuota('quinn');
    const snapshot = await cacheContents(page);
    const rawBefore = await rawRecords(page);
    expect(rawBefore.some((r) => r.key.startsWith('entry|AccessToken|'))).toBe(true);
    e2e.idp.reset();

    const outcome = await silent(page, { forceRefresh: true });
    // The provider answered 200 and rotated the refresh token: the person gets the token…
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.fromCache).toBe(false);
    expect(e2e.idp.tokenRequests.map((r) => [r.grant_type, r.status])).toEqual([['refresh_token', 200]]);
    // …the failed write is reported as a typed warning…
    expect(await warningCodes(page)).toContain('cache_quota_exceeded');
    // …storage is byte for byte as before (same keys, same sealed bytes; a rewrite would have a new IV)…
    expect(await rawRecords(page)).toEqual(rawBefore);
    // …and memory holds the new tokens, consistently: the new access token is served from cache.
    const after = await cacheContents(page);
    expect(Object.values(after.RefreshToken)[0]!.secret).not.toBe(Object.values(snapshot.RefreshToken)[0]!.secret);
    expect((await silent(page)).result).toMatchObject({ fromCache: true, accessToken: outcome.result!.accessToken });
    await context.close();
  });

  it('after the quota is lifted, the next refresh uses the rotated refresh token (no replay) and everything is stored', async () => {
    const { context, page, cdp } = await signedInOverQuota('rhea');
    e2e.idp.reset();
    const first = await silent(page, { forceRefresh: true });
    expect(first.error).toBeUndefined();
    expect(await warningCodes(page)).toContain('cache_quota_exceeded');

    await cdp.send('Storage.overrideQuotaForOrigin', { origin: e2e.app.origin });
    const retry = await silent(page, { forceRefresh: true });
    // The provider rotated the refresh token on the first attempt, so the second must present
    // the new one: a replay of the consumed one would revoke the whole grant.
    expect(e2e.idp.replays()).toEqual([]);
    expect(e2e.idp.events.filter((e) => e.type === 'grant.revoked')).toEqual([]);
    expect(retry.error).toBeUndefined();
    expect(retry.result?.fromCache).toBe(false);
    expect(e2e.idp.tokenRequests.map((r) => r.status)).toEqual([200, 200]);
    // And this time it is stored.
    await reloadApp(page);
    expect((await silent(page)).result).toMatchObject({ fromCache: true, accessToken: retry.result!.accessToken });
    await context.close();
  });
});
