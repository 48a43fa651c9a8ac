// The IndexedDB token cache in real Chromium against the real local provider: it survives a
// reload and a browser restart, keeps no secret in clear at rest, and migrates schema 0.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../vite.config';
import { accounts, cacheContents, openApp, popupSignIn, rawRecords, type RawRecord, reloadApp, SCOPES, silent } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import { repoRoot } from './harness/paths';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

/** Throws when `secret`, or any 16-character piece of it, occurs in `haystack`. */
function expectNoPieceOf(haystack: string, secret: string, what: string): void {
  expect(secret.length, what).toBeGreaterThanOrEqual(16);
  for (let i = 0; i + 16 <= secret.length; i++) {
    const piece = secret.slice(i, i + 16);
    if (haystack.includes(piece)) throw new Error(`${what}: "${piece}" (offset ${i}) is stored in clear`);
  }
}

/** A sealed record: `{ v: 1, iv: 12 bytes, data: ciphertext }` and nothing else. */
function expectSealed(record: RawRecord | undefined, what: string): void {
  expect(record, what).toBeDefined();
  const value = JSON.parse(record!.text) as { v: number; iv: { $bytes: string }; data: { $bytes: string } };
  // `rev`: the record's version, for compare-and-set writes.
  expect(Object.keys(value).sort(), what).toEqual(['data', 'iv', 'rev', 'v']);
  expect(value.v, what).toBe(1);
  expect(value.iv.$bytes, what).toHaveLength(12);
  // AES-GCM: the plaintext length plus a 16-byte tag.
  expect(value.data.$bytes.length, what).toBeGreaterThan(16);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** A persistent Chromium profile in `dir` (a real browser restart), loopback only as harness/browser.ts does. */
async function launchProfile(dir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(dir, { executablePath: chromiumPath, args: chromiumArgs, headless: true });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return !web || LOOPBACK.has(url.hostname) ? route.fallback() : route.abort('blockedbyclient');
  });
  return context;
}

describe('persistence', () => {
  it('after a reload, acquireTokenSilent is a cache hit with zero network requests', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    const signIn = await popupSignIn(page, { login: 'ivy' });
    expect(signIn.error).toBeUndefined();
    expect(await page.evaluate(() => (window.cache as { persistent?: boolean }).persistent)).toBe(true);

    await reloadApp(page);
    const requests = recordRequests(context, 'http://');
    const outcome = await silent(page);
    expect(outcome.result?.fromCache).toBe(true);
    expect(outcome.result?.accessToken).toBe(signIn.result!.accessToken);
    expect(outcome.result?.account.username).toBe('ivy@example.test');
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => window.cacheWarnings)).toEqual([]);
    await context.close();
  });

  it('after a browser restart on the same profile, the account is there and acquireTokenSilent is a cache hit with zero network requests', async () => {
    const dir = await mkdtemp(join(repoRoot, '.tmp', 'profile-'));
    try {
      const first = await launchProfile(dir);
      let signIn: Awaited<ReturnType<typeof popupSignIn>>;
      try {
        const page = await openApp(e2e, first, {}, { cache: 'indexeddb' });
        signIn = await popupSignIn(page, { login: 'jade' });
        expect(signIn.error).toBeUndefined();
        expect(await page.evaluate(() => (window.cache as { persistent?: boolean }).persistent)).toBe(true);
      } finally {
        // Closing a persistent context closes the whole browser.
        await first.close();
      }

      const second = await launchProfile(dir);
      try {
        const page = await openApp(e2e, second, {}, { cache: 'indexeddb' });
        const requests = recordRequests(second, 'http://');
        expect((await accounts(page)).map((a) => a.username)).toEqual(['jade@example.test']);
        const outcome = await silent(page);
        expect(outcome.error).toBeUndefined();
        expect(outcome.result).toMatchObject({ fromCache: true, accessToken: signIn.result!.accessToken });
        expect(outcome.result?.account.username).toBe('jade@example.test');
        expect(requests).toEqual([]);
        expect(await page.evaluate(() => window.cacheWarnings)).toEqual([]);
        expect(await page.evaluate(() => (window.cache as { persistent?: boolean }).persistent)).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps no token in clear at rest: secrets sealed under a non-extractable key, accounts readable', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    const signIn = await popupSignIn(page, { login: 'kira' });
    expect(signIn.error).toBeUndefined();
    const cache = await cacheContents(page);
    const secrets = {
      'access token': signIn.result!.accessToken,
      'id token': signIn.result!.idToken!,
      'refresh token': Object.values(cache.RefreshToken)[0]!.secret,
    };
    expect(Object.values(secrets).every(Boolean)).toBe(true);

    const records = await rawRecords(page);
    const byKey = new Map(records.map((r) => [r.key, r]));
    const entryKeys = (section: string) => Object.keys(cache[section as keyof typeof cache]).map((key) => `entry|${section}|${key}`);
    expect(records.map((r) => r.key).sort()).toEqual(
      ['key', 'meta', ...entryKeys('Account'), ...entryKeys('IdToken'), ...entryKeys('AccessToken'), ...entryKeys('RefreshToken')].sort(),
    );
    const everything = records.map((r) => `${r.key}\n${r.text}`).join('\n');
    for (const [what, secret] of Object.entries(secrets)) expectNoPieceOf(everything, secret, what);
    for (const section of ['IdToken', 'AccessToken', 'RefreshToken']) {
      expect(entryKeys(section), section).toHaveLength(1);
      expectSealed(byKey.get(entryKeys(section)[0]!), section);
    }
    // Accounts stay readable (listing them needs no decryption); that is allowed.
    const account = JSON.parse(byKey.get(entryKeys('Account')[0]!)!.text) as Record<string, unknown>;
    expect(account).toMatchObject({ home_account_id: 'kira', username: 'kira@example.test', environment: new URL(e2e.idp.issuer).host });
    expect(JSON.parse(byKey.get('meta')!.text)).toEqual({ schemaVersion: 1 });

    // The key is a CryptoKey object whose bytes JavaScript can never read.
    const key = await page.evaluate(async () => {
      const request = <T>(r: IDBRequest<T>) =>
        new Promise<T>((ok, fail) => {
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
      const db = await request(indexedDB.open('keyward'));
      try {
        const stored: unknown = await request(db.transaction('cache', 'readonly').objectStore('cache').get('key'));
        if (!(stored instanceof CryptoKey)) return { isCryptoKey: false };
        const exportError = (format: 'raw' | 'jwk') =>
          crypto.subtle.exportKey(format, stored).then(
            () => 'exported',
            (error: Error) => error.name,
          );
        return {
          isCryptoKey: true,
          type: stored.type,
          extractable: stored.extractable,
          algorithm: stored.algorithm,
          usages: [...stored.usages].sort(),
          raw: await exportError('raw'),
          jwk: await exportError('jwk'),
        };
      } finally {
        db.close();
      }
    });
    expect(key).toEqual({
      isCryptoKey: true,
      type: 'secret',
      extractable: false,
      algorithm: { name: 'AES-GCM', length: 256 },
      usages: ['decrypt', 'encrypt'],
      raw: 'InvalidAccessError',
      jwk: 'InvalidAccessError',
    });

    // Nothing else the page stores holds a token either: Web Storage, other databases.
    const elsewhere = await page.evaluate(async () => {
      const dump = (storage: Storage) => Array.from({ length: storage.length }, (_, i) => `${storage.key(i)}=${storage.getItem(storage.key(i)!)}`).join('\n');
      return { web: `${dump(localStorage)}\n${dump(sessionStorage)}`, databases: (await indexedDB.databases()).map((d) => d.name) };
    });
    for (const [what, secret] of Object.entries(secrets)) expectNoPieceOf(elsewhere.web, secret, `${what} (Web Storage)`);
    expect(elsewhere.databases).toEqual(['keyward']);
    await context.close();
  });

  it('migrates a schema 0 cache (one MSAL-format JSON record in clear) into sealed records', async () => {
    const context = await e2e.newContext();
    const environment = new URL(e2e.idp.issuer).host;
    const now = Math.floor(Date.now() / 1000);
    const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const idToken = [
      b64url({ alg: 'RS256', kid: 'legacy-key', typ: 'JWT' }),
      b64url({ iss: e2e.idp.issuer, sub: 'lena', aud: 'spa', iat: now - 600, exp: now + 3000, name: 'Lena', preferred_username: 'lena@example.test' }),
      Buffer.from('legacy-signature-bytes-not-checked-again').toString('base64url'),
    ].join('.');
    const accessToken = `legacy-at.${Buffer.from(`access token issued before the migration ${now}`).toString('base64url')}`;
    const refreshToken = `legacy-rt-${Buffer.from(`refresh token issued before the migration ${now}`).toString('base64url')}`;
    // Keys as src/cache/keys.ts builds them (MSAL's unified schema, lower-cased, `-`-joined).
    const keys = {
      Account: `lena-${environment}-`,
      IdToken: `lena-${environment}-idtoken-spa--`,
      AccessToken: `lena-${environment}-accesstoken-spa--api://demo/read`,
      RefreshToken: `lena-${environment}-refreshtoken-spa--`,
    };
    const legacy = {
      Account: {
        [keys.Account]: {
          home_account_id: 'lena',
          environment,
          realm: '',
          local_account_id: 'lena',
          username: 'lena@example.test',
          authority_type: 'Generic',
          name: 'Lena',
          last_modification_time: String(now - 600),
        },
      },
      IdToken: {
        [keys.IdToken]: { credential_type: 'IdToken', secret: idToken, home_account_id: 'lena', environment, client_id: 'spa', realm: '' },
      },
      AccessToken: {
        [keys.AccessToken]: {
          credential_type: 'AccessToken',
          secret: accessToken,
          home_account_id: 'lena',
          environment,
          client_id: 'spa',
          realm: '',
          target: 'api://demo/read',
          cached_at: String(now - 600),
          expires_on: String(now + 3000),
          extended_expires_on: String(now + 3000),
          token_type: 'Bearer',
        },
      },
      RefreshToken: {
        [keys.RefreshToken]: {
          credential_type: 'RefreshToken',
          secret: refreshToken,
          home_account_id: 'lena',
          environment,
          client_id: 'spa',
          last_modification_time: String(now - 600),
        },
      },
      AppMetadata: {},
    };

    // Without __E2E_CONFIG__ the page does not touch keyward's storage: write schema 0 by hand.
    const plain = await context.newPage();
    await plain.goto(e2e.app.url);
    await plain.evaluate(async (json) => {
      const open = indexedDB.open('keyward', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('cache');
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      const tx = db.transaction('cache', 'readwrite');
      tx.objectStore('cache').put(json, 'cache');
      await new Promise((ok, fail) => {
        tx.oncomplete = ok;
        tx.onabort = () => fail(tx.error);
      });
      db.close();
    }, JSON.stringify(legacy));
    expect((await rawRecords(plain)).map((r) => r.key)).toEqual(['cache']);
    await plain.close();

    const page = await openApp(e2e, context, {}, { cache: 'indexeddb' });
    expect((await accounts(page)).map((a) => a.username)).toEqual(['lena@example.test']);
    const warnings = await page.evaluate(() => window.cacheWarnings);
    expect(warnings.map((w) => w.code)).toEqual(['cache_migrated']);
    expect(await cacheContents(page)).toEqual(legacy);

    const records = await rawRecords(page);
    const byKey = new Map(records.map((r) => [r.key, r]));
    expect(records.map((r) => r.key).sort()).toEqual(['key', 'meta', ...Object.entries(keys).map(([section, key]) => `entry|${section}|${key}`)].sort());
    expect(byKey.has('cache')).toBe(false);
    expect(JSON.parse(byKey.get('meta')!.text)).toEqual({ schemaVersion: 1 });
    for (const section of ['IdToken', 'AccessToken', 'RefreshToken'] as const) expectSealed(byKey.get(`entry|${section}|${keys[section]}`), section);
    const everything = records.map((r) => `${r.key}\n${r.text}`).join('\n');
    expectNoPieceOf(everything, accessToken, 'access token');
    expectNoPieceOf(everything, refreshToken, 'refresh token');
    expectNoPieceOf(everything, idToken, 'id token');
    expect(JSON.parse(byKey.get(`entry|Account|${keys.Account}`)!.text)).toEqual(legacy.Account[keys.Account]);

    // The migrated access token is served from the cache, without a token request.
    e2e.idp.reset();
    const outcome = await silent(page, { scopes: SCOPES });
    expect(outcome.result).toMatchObject({ fromCache: true, accessToken });
    expect(outcome.result?.account).toMatchObject({ homeAccountId: 'lena', username: 'lena@example.test' });
    expect(e2e.idp.tokenRequests).toEqual([]);

    // Migrated once: the next load finds schema 1 and says nothing.
    await reloadApp(page);
    expect((await accounts(page)).map((a) => a.username)).toEqual(['lena@example.test']);
    expect(await page.evaluate(() => window.cacheWarnings)).toEqual([]);
    expect(await cacheContents(page)).toEqual(legacy);
    await context.close();
  });
});
