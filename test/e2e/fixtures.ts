/**
 * Helpers for driving keyward in the e2e page (test/e2e/app) against the real local
 * provider. Every helper goes through the SDK's public API in the page.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { AccountInfo, AuthenticationResult, CacheLookupPolicy, PublicClientApplicationOptions } from '../../src/index.js';
import type { CacheData } from '../../src/cache/index.js';
import type { E2E } from './harness/harness';
import { completeLogin } from './harness/login';

export const SCOPES = ['api://demo/read'];

/** What `window.settle` returns: the result, or the error's name, code and message. */
export type Settled<T> =
  | { result: T; error?: undefined }
  | { result?: undefined; error: { name: string; errorCode: string; message: string; status?: number } };

/** Opens the e2e page with a keyward client configured for the local provider; waits for handleRedirectPromise. */
export async function openApp(
  e2e: E2E,
  context: BrowserContext,
  config: Partial<PublicClientApplicationOptions> = {},
  options: {
    cache?: 'memory' | 'indexeddb';
    react?: { mode: 'require' | 'tokens' | 'account'; scopes?: string[] };
    beforeLoad?: (page: Page) => Promise<void>;
  } = {},
): Promise<Page> {
  const page = await context.newPage();
  await options.beforeLoad?.(page);
  const full = { clientId: 'spa', oidcAuthority: e2e.idp.issuer, redirectUri: e2e.app.url, ...config };
  const react = options.react ? { scopes: SCOPES, ...options.react } : null;
  await page.addInitScript(
    ({ injected, cache, react }) => {
      (window as unknown as { __E2E_CONFIG__: unknown }).__E2E_CONFIG__ = injected;
      (window as unknown as { __E2E_CACHE__: unknown }).__E2E_CACHE__ = cache;
      if (react) (window as unknown as { __E2E_REACT__: unknown }).__E2E_REACT__ = react;
    },
    { injected: full, cache: options.cache ?? 'memory', react },
  );
  await page.goto(e2e.app.url);
  await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
  await page.evaluate(() => window.redirectOutcome);
  return page;
}

/**
 * Starts `logout({ interaction: 'popup' })` for the first account and hands back the popup
 * (at the provider's sign-out confirmation) and the call's outcome.
 */
export async function startPopupLogout(page: Page): Promise<{ popup: Page; outcome: Promise<Settled<void>> }> {
  const popupOpened = page.waitForEvent('popup');
  const outcome = page.evaluate(async () => {
    const [account] = await window.app.getAccounts();
    return window.settle(window.app.logout({ account: account!, interaction: 'popup' }));
  });
  return { popup: await popupOpened, outcome };
}

/**
 * Runs `acquireTokenInteractive({ interaction: 'popup' })` in the page and fills in the
 * provider's pages in the popup like a person would (no pages appear when the provider
 * session already covers the request).
 */
export async function popupSignIn(
  page: Page,
  options: { scopes?: string[]; prompt?: string; maxAge?: number; login?: string; authority?: string; claimsChallenge?: string } = {},
): Promise<Settled<AuthenticationResult>> {
  const popupOpened = page.waitForEvent('popup');
  const outcome = page.evaluate(
    ({ scopes, prompt, maxAge, authority, claimsChallenge }) =>
      window.settle(
        window.app.acquireTokenInteractive({
          scopes,
          interaction: 'popup',
          ...(prompt && { prompt }),
          ...(maxAge !== undefined && { maxAge }),
          ...(authority && { authority }),
          ...(claimsChallenge && { claimsChallenge }),
        }),
      ),
    {
      scopes: options.scopes ?? SCOPES,
      prompt: options.prompt,
      maxAge: options.maxAge,
      authority: options.authority,
      claimsChallenge: options.claimsChallenge,
    },
  );
  const popup = await popupOpened;
  const loginShown = popup
    .locator('input[name="login"]')
    .waitFor({ timeout: 15_000 })
    .then(
      () => true,
      () => false,
    );
  const first = await Promise.race([outcome.then(() => 'done' as const), loginShown.then((shown) => (shown ? ('login' as const) : ('done' as const)))]);
  if (first === 'login') await completeLogin(popup, { login: options.login ?? 'alice' });
  return outcome;
}

export function accounts(page: Page, username?: string): Promise<AccountInfo[]> {
  return page.evaluate((name) => window.app.getAccounts(name), username);
}

export function silent(
  page: Page,
  options: { scopes?: string[]; forceRefresh?: boolean; claimsChallenge?: string; cacheLookupPolicy?: CacheLookupPolicy } = {},
): Promise<Settled<AuthenticationResult | null>> {
  return page.evaluate(
    async ({ scopes, forceRefresh, claimsChallenge, cacheLookupPolicy }) => {
      const [account] = await window.app.getAccounts();
      if (!account) return { result: null };
      return window.settle(
        window.app.acquireTokenSilent(scopes, account, {
          forceRefresh,
          ...(claimsChallenge && { claimsChallenge }),
          ...(cacheLookupPolicy && { cacheLookupPolicy }),
        }),
      );
    },
    {
      scopes: options.scopes ?? SCOPES,
      forceRefresh: options.forceRefresh ?? false,
      claimsChallenge: options.claimsChallenge,
      cacheLookupPolicy: options.cacheLookupPolicy,
    },
  );
}

/** The whole cache, as the page's `tokenCache` holds it. */
export function cacheContents(page: Page): Promise<CacheData> {
  // The IndexedDB cache unseals an account's tokens on first use: open them all to see everything.
  return page.evaluate(async () => {
    const cache = window.cache as { openAll?: () => Promise<void> };
    await cache.openAll?.();
    return JSON.parse(JSON.stringify(window.cache.read())) as CacheData;
  });
}

/**
 * Sets the page's clock `seconds` ahead of real time (Playwright's clock), e.g. past an
 * access token's expiry. The provider keeps real time, as a real provider would.
 */
export async function setClockAhead(page: Page, seconds: number): Promise<void> {
  await page.clock.install();
  await page.clock.setSystemTime(new Date(Date.now() + seconds * 1000));
}

export interface RawRecord {
  key: string;
  /** The value as JSON; ArrayBuffers and typed arrays as `{ $bytes: <latin1> }`, CryptoKeys described. */
  text: string;
}

/** Every record of keyward's IndexedDB store, read with the plain IndexedDB API in the page. */
export function rawRecords(page: Page): Promise<RawRecord[]> {
  return page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((ok, fail) => {
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
    const db = await request(indexedDB.open('keyward'));
    try {
      const store = db.transaction('cache', 'readonly').objectStore('cache');
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      const latin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');
      const plain = (value: unknown): unknown => {
        if (value instanceof ArrayBuffer) return { $bytes: latin1(new Uint8Array(value)) };
        if (ArrayBuffer.isView(value)) return { $bytes: latin1(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
        if (value instanceof CryptoKey)
          return { $cryptoKey: { type: value.type, extractable: value.extractable, algorithm: value.algorithm, usages: value.usages } };
        if (Array.isArray(value)) return value.map(plain);
        if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
        return value;
      };
      return keys.map((key, i) => ({ key: String(key), text: JSON.stringify(plain(values[i])) }));
    } finally {
      db.close();
    }
  });
}

/** Reloads the page and waits until keyward has loaded its cache (getAccounts triggers the load). */
export async function reloadApp(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
  await page.evaluate(() => window.redirectOutcome);
  await page.evaluate(() => window.app.getAccounts());
}
