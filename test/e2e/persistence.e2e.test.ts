// The IndexedDB token cache in real Chromium against the real local provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, popupSignIn, silent } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

describe('persistence', () => {
  it('after a reload, acquireTokenSilent is a cache hit with zero network requests', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    const signIn = await popupSignIn(page, { login: 'ivy' });
    expect(signIn.error).toBeUndefined();
    expect(await page.evaluate(() => (window.cache as { persistent?: boolean }).persistent)).toBe(true);

    await page.reload();
    await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
    await page.evaluate(() => window.redirectOutcome);
    const requests = recordRequests(context, 'http://');
    const outcome = await silent(page);
    expect(outcome.result?.fromCache).toBe(true);
    expect(outcome.result?.accessToken).toBe(signIn.result!.accessToken);
    expect(outcome.result?.account.username).toBe('ivy@example.test');
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => window.cacheWarnings)).toEqual([]);
    await context.close();
  });
});
