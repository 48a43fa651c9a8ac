import { base64url } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAuthority } from '../../src/authority/authority.js';
import type { AccountEntity, CacheData } from '../../src/cache/entities.js';
import { type CacheWriteInput, cacheWriteFor } from '../../src/cache/fromTokenResponse.js';
import { IndexedDbTokenCache } from '../../src/cache/indexedDbTokenCache.js';
import { accountGroup, clientGroupKey } from '../../src/cache/keys.js';
import type { CacheWarning } from '../../src/cache/serializableTokenCache.js';
import type { CacheChange } from '../../src/cache/tokenCache.js';
import { CacheError, ErrorCode } from '../../src/errors.js';
import type { AccountInfo, IdTokenClaims } from '../../src/types.js';
import { PublicClientApplication } from '../../src/client/PublicClientApplication.js';

// Layout of the store, as src/cache/indexedDbTokenCache.ts writes it.
const storeName = 'cache';
const slot = (section: keyof CacheData, key: string): string => `entry|${section}|${key}`;
const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const requestedAt = 1_700_000_000;

/** A token response's cache entries for user `uid`, secrets made unique so they can be searched for in raw bytes. */
function changeFor(uid: string, overrides: Partial<CacheWriteInput['response']> = {}, clientId = 'spa') {
  const marker = crypto.randomUUID();
  const idTokenClaims: IdTokenClaims = {
    iss: `https://login.microsoftonline.com/${tid}/v2.0`,
    sub: `sub-${uid}`,
    aud: clientId,
    exp: requestedAt + 3600,
    iat: requestedAt,
    tid,
    oid: `oid-${uid}`,
    preferred_username: `${uid}@contoso.com`,
  };
  const write = cacheWriteFor(
    {
      clientId,
      authority: parseAuthority('https://login.microsoftonline.com/common'),
      environment: 'login.microsoftonline.com',
      response: {
        access_token: `AT-SECRET-${marker}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: `RT-SECRET-${marker}`,
        id_token: `IDT-SECRET-${marker}`,
        scope: 'User.Read',
        client_info: base64url.encode(JSON.stringify({ uid, utid: tid })),
        ...overrides,
      },
      idTokenClaims,
      account: undefined,
      requestedScopes: ['User.Read'],
      requestedAt,
    },
    { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} },
  );
  const key = (section: keyof CacheData): string => Object.keys(write.change.set?.[section] ?? {})[0]!;
  return { ...write, marker, secrets: [`AT-SECRET-${marker}`, `RT-SECRET-${marker}`, `IDT-SECRET-${marker}`], key };
}

// ---- raw IndexedDB access (what another writer, or someone reading the disk, sees) ----

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withRawStore<T>(name: string, mode: IDBTransactionMode, fn: (store: IDBObjectStore) => Promise<T> | T): Promise<T> {
  const open = indexedDB.open(name);
  open.onupgradeneeded = () => open.result.createObjectStore(storeName);
  const db = await request(open);
  try {
    const tx = db.transaction(storeName, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () => reject(tx.error);
    });
    const result = await fn(tx.objectStore(storeName));
    await done;
    return result;
  } finally {
    db.close();
  }
}

async function rawRecords(name: string): Promise<Map<string, unknown>> {
  return withRawStore(name, 'readonly', async (store) => {
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    return new Map(keys.map((key, i) => [String(key), values[i]]));
  });
}

const rawPut = (name: string, records: Record<string, unknown>): Promise<void> =>
  withRawStore(name, 'readwrite', (store) => {
    for (const [key, value] of Object.entries(records)) store.put(value, key);
  });

// ---- bookkeeping: every cache is closed and every database deleted after each test ----

const opened: IndexedDbTokenCache[] = [];
const databases: string[] = [];

function freshDatabase(): string {
  const name = `kw-test-${crypto.randomUUID()}`;
  databases.push(name);
  return name;
}

function newCache(databaseName: string): { cache: IndexedDbTokenCache; warnings: CacheWarning[] } {
  const cache = new IndexedDbTokenCache({ databaseName });
  const warnings: CacheWarning[] = [];
  cache.onWarning((warning) => warnings.push(warning));
  opened.push(cache);
  return { cache, warnings };
}

/**
 * Resolves once the deletion completed or is queued behind a connection still open: the cache
 * keeps its idb-keyval connection for the life of the page, so deletion then finishes on unload.
 */
function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

afterEach(async () => {
  for (const cache of opened.splice(0)) cache.close();
  await Promise.all(databases.splice(0).map(deleteDatabase));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IndexedDbTokenCache in a real browser', () => {
  it('persists: a new instance on the same database loads what an earlier one applied', async () => {
    const name = freshDatabase();
    const { cache: first, warnings } = newCache(name);
    await first.load();
    expect(first.persistent).toBe(true);
    const { change } = changeFor('u1');
    await first.apply(change);

    const { cache: second, warnings: secondWarnings } = newCache(name);
    await second.load();
    expect(second.persistent).toBe(true);
    // Accounts before secrets: the tokens are unsealed on first use (openAll: all of them now).
    expect(Object.keys(second.read().Account)).toHaveLength(1);
    expect(second.read().RefreshToken).toEqual({});
    await second.openAll();
    expect(second.read()).toEqual(first.read());
    expect(Object.keys(second.read().RefreshToken)).toHaveLength(1);
    expect(warnings).toEqual([]);
    expect(secondWarnings).toEqual([]);
  });

  it('seals secrets at rest: token records are {v, iv, data} without plaintext, accounts plain, the key non-extractable', async () => {
    const name = freshDatabase();
    const { cache } = newCache(name);
    await cache.load();
    const write = changeFor('u1');
    await cache.apply(write.change);

    const records = await rawRecords(name);
    const written = Object.entries(write.change.set!).flatMap(([section, entries]) => Object.keys(entries).map((key) => slot(section as keyof CacheData, key)));
    expect(written).toEqual(
      expect.arrayContaining(
        ['AccessToken', 'Account', 'IdToken', 'RefreshToken'].map((section) => slot(section as keyof CacheData, write.key(section as keyof CacheData))),
      ),
    );
    expect([...records.keys()].sort()).toEqual(['key', 'meta', ...written].sort());

    for (const section of ['IdToken', 'AccessToken', 'RefreshToken'] as const) {
      const sealed = records.get(slot(section, write.key(section))) as { v: unknown; iv: unknown; data: unknown; rev: unknown };
      expect(Object.keys(sealed).sort(), section).toEqual(['data', 'iv', 'rev', 'v']);
      expect(sealed.rev).toBe(1);
      expect(sealed.v).toBe(1);
      expect(sealed.iv).toBeInstanceOf(Uint8Array);
      expect((sealed.iv as Uint8Array).byteLength).toBe(12);
      expect(sealed.data).toBeInstanceOf(ArrayBuffer);
      const text = new TextDecoder('utf-8', { fatal: false }).decode(sealed.data as ArrayBuffer);
      const latin1 = String.fromCharCode(...new Uint8Array(sealed.data as ArrayBuffer));
      for (const secret of write.secrets) {
        expect(text).not.toContain(secret);
        expect(latin1).not.toContain(secret);
      }
      // Nor anything else of the entry: home_account_id, target.
      expect(latin1).not.toContain('u1.');
    }
    // No secret anywhere in the store, in any form.
    const everything = [...records.values()].map((value) => (value instanceof CryptoKey ? '' : JSON.stringify(value))).join('\n');
    for (const secret of write.secrets) expect(everything).not.toContain(secret);

    // Accounts (and app metadata, which holds no secret) stay readable.
    expect(records.get(slot('Account', write.key('Account')))).toEqual(write.account);
    for (const [key, entry] of Object.entries(write.change.set!.AppMetadata ?? {})) expect(records.get(slot('AppMetadata', key))).toEqual(entry);
    expect(records.get('meta')).toEqual({ schemaVersion: 1 });

    const key = records.get('key');
    expect(key).toBeInstanceOf(CryptoKey);
    const cryptoKey = key as CryptoKey;
    expect(cryptoKey.extractable).toBe(false);
    expect(cryptoKey.algorithm.name).toBe('AES-GCM');
    expect((cryptoKey.algorithm as AesKeyAlgorithm).length).toBe(256);
    expect([...cryptoKey.usages].sort()).toEqual(['decrypt', 'encrypt']);
    await expect(crypto.subtle.exportKey('raw', cryptoKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('jwk', cryptoKey)).rejects.toThrow();
  });

  it('drops records that fail to open (moved to another key, garbage, unknown section), deletes them, keeps the rest', async () => {
    const name = freshDatabase();
    const { cache: writer } = newCache(name);
    await writer.load();
    const write = changeFor('u1');
    await writer.apply(write.change);

    const records = await rawRecords(name);
    const sealedAt = records.get(slot('AccessToken', write.key('AccessToken')));
    const sealedRt = records.get(slot('RefreshToken', write.key('RefreshToken')));
    const bad = {
      // A genuine sealed record under another record key: the AAD (the slot) no longer matches.
      [slot('AccessToken', `${write.key('AccessToken')} files.read`)]: sealedAt,
      [slot('IdToken', write.key('IdToken').replace('u1', 'u2'))]: sealedRt,
      [slot('RefreshToken', 'garbage')]: 'not a sealed entry',
      [slot('IdToken', 'forged')]: { v: 1, iv: new Uint8Array(12), data: new Uint8Array(64).buffer },
      [slot('AccessToken', 'wrong-shape')]: { v: 2, iv: 'x', data: 'y' },
      [slot('Account', 'not-an-account')]: { home_account_id: 'only this' },
      'entry|Bogus|x': { any: 'thing' },
    };
    await rawPut(name, bad);

    const { cache: reader, warnings } = newCache(name);
    await reader.load();
    expect(reader.persistent).toBe(true);
    // Load reads accounts and id tokens; the rest is read when first used, here all at once.
    await reader.openAll();
    expect(warnings.map((w) => w.code)).toEqual([ErrorCode.cacheEntryDropped, ErrorCode.cacheEntryDropped]);
    expect(warnings.map((w) => Number(/^(\d+) unreadable cache entries were dropped/.exec(w.message)?.[1])).reduce((a, b) => a + b)).toBe(7);
    expect(reader.read()).toEqual(writer.read());

    const after = await rawRecords(name);
    for (const badSlot of Object.keys(bad)) expect(after.has(badSlot), badSlot).toBe(false);
    expect([...after.keys()].sort()).toEqual([...records.keys()].sort());
    expect(after.get(slot('AccessToken', write.key('AccessToken')))).toEqual(sealedAt);
  });

  it('broadcasts: an apply or a removal on one instance reaches another instance of the same database', async () => {
    const name = freshDatabase();
    const { cache: a } = newCache(name);
    const { cache: b } = newCache(name);
    await Promise.all([a.load(), b.load()]);
    let notified = 0;
    b.subscribe(() => notified++);

    const write = changeFor('u1');
    await a.apply(write.change);
    await expect.poll(() => b.read().AccessToken).toEqual(a.read().AccessToken);
    expect(b.read()).toEqual(a.read());
    expect(notified).toBeGreaterThanOrEqual(1);

    const before = notified;
    await a.apply({ remove: { AccessToken: [write.key('AccessToken')], RefreshToken: [write.key('RefreshToken')] } });
    await expect.poll(() => Object.keys(b.read().AccessToken)).toEqual([]);
    expect(b.read().RefreshToken).toEqual({});
    expect(Object.keys(b.read().Account)).toEqual([write.key('Account')]);
    expect(notified).toBeGreaterThan(before);
  });

  it('sync() picks up records another writer put in IndexedDB without telling this instance', async () => {
    const name = freshDatabase();
    const { cache } = newCache(name);
    await cache.load();

    // A writer whose broadcast never arrives (its channel is closed): only IndexedDB has its change.
    const { cache: silent } = newCache(name);
    await silent.load();
    silent.close();
    const write = changeFor('u1');
    await silent.apply(write.change);
    // And a plain account record written straight into the store.
    const other: AccountEntity = {
      home_account_id: 'u9.t',
      environment: 'login.microsoftonline.com',
      realm: 't',
      local_account_id: 'o9',
      username: 'u9@contoso.com',
      authority_type: 'MSSTS',
    };
    await rawPut(name, { [slot('Account', 'u9.t-login.microsoftonline.com-t')]: other });

    await sleep(50);
    expect(cache.read().AccessToken).toEqual({});
    let notified = 0;
    cache.subscribe(() => notified++);
    await cache.sync();
    expect(notified).toBe(1);
    expect(cache.read().AccessToken).toEqual(write.change.set!.AccessToken);
    expect(cache.read().RefreshToken).toEqual(write.change.set!.RefreshToken);
    expect(cache.read().Account['u9.t-login.microsoftonline.com-t']).toEqual(other);

    // A record removed behind its back disappears on the next sync.
    await withRawStore(name, 'readwrite', (store) => {
      store.delete(slot('RefreshToken', write.key('RefreshToken')));
    });
    await cache.sync();
    expect(cache.read().RefreshToken).toEqual({});
  });

  it('instances loading at the same moment on a fresh database agree on one key', async () => {
    const name = freshDatabase();
    const instances = [newCache(name), newCache(name), newCache(name), newCache(name)];
    await Promise.all(instances.map(({ cache }) => cache.load()));
    for (const { cache } of instances) expect(cache.persistent).toBe(true);

    const writes = instances.map((_, i) => changeFor(`u${i}`));
    await Promise.all(instances.map(({ cache }, i) => cache.apply(writes[i]!.change)));

    const { cache: reloaded, warnings } = newCache(name);
    await reloaded.load();
    await reloaded.openAll();
    expect(warnings).toEqual([]);
    expect(Object.keys(reloaded.read().AccessToken).sort()).toEqual(writes.map((w) => w.key('AccessToken')).sort());
    expect(Object.keys(reloaded.read().RefreshToken)).toHaveLength(4);
    // Each instance reads every other's sealed entries too.
    for (const { cache, warnings: own } of instances) {
      await cache.sync();
      expect(Object.keys(cache.read().IdToken)).toHaveLength(4);
      expect(own).toEqual([]);
    }
    expect((await rawRecords(name)).get('key')).toBeInstanceOf(CryptoKey);
  });

  it('without IndexedDB: load() resolves in memory with storage_unavailable, and apply/read still work', async () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB');
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });
    try {
      expect(globalThis.indexedDB).toBeUndefined();
      const { cache, warnings } = newCache(`kw-test-${crypto.randomUUID()}`);
      await expect(cache.load()).resolves.toBeUndefined();
      expect(cache.persistent).toBe(false);
      expect(warnings.map((w) => w.code)).toEqual([ErrorCode.storageUnavailable]);

      const write = changeFor('u1');
      await cache.apply(write.change);
      expect(cache.read().AccessToken).toEqual(write.change.set!.AccessToken);
      await cache.apply({ remove: { AccessToken: [write.key('AccessToken')] } });
      expect(cache.read().AccessToken).toEqual({});
      await expect(cache.sync()).resolves.toBeUndefined();
      expect(Object.keys(cache.read().Account)).toHaveLength(1);
    } finally {
      if (own) Object.defineProperty(globalThis, 'indexedDB', own);
      else delete (globalThis as { indexedDB?: unknown }).indexedDB;
    }
    expect(globalThis.indexedDB).toBeInstanceOf(IDBFactory);
  });

  it('a database with a newer schema: runs in memory with storage_unavailable and leaves every stored record untouched', async () => {
    const name = freshDatabase();
    const future = {
      meta: { schemaVersion: 99 },
      [slot('Account', 'u1.t-login.microsoftonline.com-t')]: {
        home_account_id: 'u1.t',
        environment: 'login.microsoftonline.com',
        realm: 't',
        local_account_id: 'o',
        username: 'u',
        authority_type: 'MSSTS',
      },
      'entry|AccessToken|v99-layout': { v: 99, wrapped: 'whatever a later keyward writes' },
    };
    await rawPut(name, future);
    const before = await rawRecords(name);

    const { cache, warnings } = newCache(name);
    await cache.load();
    expect(cache.persistent).toBe(false);
    expect(warnings).toEqual([{ type: 'warning', code: ErrorCode.storageUnavailable, message: expect.stringContaining('schema 99') }]);
    expect(cache.read().Account).toEqual({});

    await cache.apply(changeFor('u2').change);
    expect(Object.keys(cache.read().AccessToken)).toHaveLength(1);

    const after = await rawRecords(name);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
  });

  it('a failed IndexedDB transaction: nothing is stored, but the change (maybe a rotated refresh token) stays in memory, reaches the other tabs, and is written with the next write', async () => {
    const name = freshDatabase();
    const { cache } = newCache(name);
    const { cache: otherTab } = newCache(name);
    await Promise.all([cache.load(), otherTab.load()]);
    const first = changeFor('u1');
    await cache.apply(first.change);
    await expect.poll(() => otherTab.read().AccessToken).toEqual(cache.read().AccessToken);

    const storedBefore = await rawRecords(name);
    const warnings: string[] = [];
    cache.onWarning((warning) => warnings.push(warning.code));

    // A real engine-side failure: `add` on a record key that exists raises ConstraintError
    // asynchronously, which aborts the whole readwrite transaction (as a quota error does).
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      return this.add(value, key);
    };
    const rotated: CacheChange = {
      remove: { RefreshToken: [first.key('RefreshToken')] },
      set: { AccessToken: { [first.key('AccessToken')]: { ...first.accessToken, secret: 'ROTATED', expires_on: String(requestedAt + 7200) } } },
    };
    let failure: unknown;
    try {
      await cache.apply(rotated);
    } catch (error) {
      failure = error;
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(failure).toBeInstanceOf(CacheError);
    expect((failure as CacheError).errorCode).toBe(ErrorCode.cacheWriteFailed);
    expect((failure as CacheError).keptInMemory).toBe(true);
    expect(warnings).toEqual([ErrorCode.cacheWriteFailed]);

    // Storage is exactly as before (the transaction was atomic)…
    expect(Object.fromEntries(await rawRecords(name))).toEqual(Object.fromEntries(storedBefore));
    // …while this tab and the other one use the new state.
    expect(cache.read().AccessToken[first.key('AccessToken')]?.secret).toBe('ROTATED');
    await expect.poll(() => otherTab.read().AccessToken[first.key('AccessToken')]?.secret).toBe('ROTATED');
    // sync() must not resurrect the old state from storage while the change is pending.
    await cache.sync();
    expect(cache.read().AccessToken[first.key('AccessToken')]?.secret).toBe('ROTATED');
    expect(cache.read().RefreshToken).toEqual({});

    // The next successful write carries the pending change to storage too.
    await cache.apply(changeFor('u2').change);
    const { cache: reopened } = newCache(name);
    await reopened.load();
    await reopened.openAll();
    expect(reopened.read().AccessToken[first.key('AccessToken')]?.secret).toBe('ROTATED');
    expect(reopened.read().RefreshToken[first.key('RefreshToken')]).toBeUndefined();
  });

  // ---- lifecycle (issue 17): no channel where no cache needs one, and close() releases it ----

  /** Counts BroadcastChannels opened and closed while `fn` runs (the real class, instrumented). */
  async function countingChannels<T>(fn: (seen: { opened: string[]; closed: string[] }) => Promise<T>): Promise<T> {
    const Real = globalThis.BroadcastChannel;
    const seen = { opened: [] as string[], closed: [] as string[] };
    class Counting extends Real {
      constructor(name: string) {
        super(name);
        seen.opened.push(name);
      }
      override close(): void {
        seen.closed.push(this.name);
        super.close();
      }
    }
    globalThis.BroadcastChannel = Counting;
    try {
      return await fn(seen);
    } finally {
      globalThis.BroadcastChannel = Real;
    }
  }

  it('without IndexedDB no BroadcastChannel is opened (nothing to share, and it would keep a Node process alive)', async () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB');
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });
    try {
      await countingChannels(async (seen) => {
        const { cache } = newCache(`kw-test-${crypto.randomUUID()}`);
        await cache.load();
        expect(cache.persistent).toBe(false);
        expect(seen.opened).toEqual([]);
      });
    } finally {
      if (own) Object.defineProperty(globalThis, 'indexedDB', own);
      else delete (globalThis as { indexedDB?: unknown }).indexedDB;
    }
  });

  it("close() stops listening: a closed instance no longer receives other instances' changes, an open one does", async () => {
    const name = freshDatabase();
    const { cache: writer } = newCache(name);
    const { cache: closed } = newCache(name);
    const { cache: open } = newCache(name);
    await Promise.all([writer.load(), closed.load(), open.load()]);
    closed.close();
    const write = changeFor('u1');
    await writer.apply(write.change);
    await expect.poll(() => Object.keys(open.read().AccessToken)).toEqual([write.key('AccessToken')]);
    // Delivered to `open` in the same task as it would have been to `closed`; one more turn for safety.
    await sleep(50);
    expect(closed.read().AccessToken).toEqual({});
  });

  it('PublicClientApplication.close() and Symbol.asyncDispose close the channel of the cache it created, and leave a cache passed in open', async () => {
    await countingChannels(async (seen) => {
      const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9' });
      await app.getAccounts();
      expect(seen.opened).toEqual(['keyward.cache.keyward']);
      await app.close();
      expect(seen.closed).toEqual(['keyward.cache.keyward']);
      await app.close(); // idempotent
      expect(seen.closed).toHaveLength(1);

      const disposed = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9' });
      await disposed.getAccounts();
      await disposed[Symbol.asyncDispose]();
      expect(seen.closed).toEqual(['keyward.cache.keyward', 'keyward.cache.keyward']);

      const name = freshDatabase();
      const { cache: mine } = newCache(name);
      const withOwnCache = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9', tokenCache: mine });
      await withOwnCache.getAccounts();
      await withOwnCache.close();
      expect(seen.closed).not.toContain(`keyward.cache.${name}`);
    });
  });
});

describe("IndexedDbTokenCache: one client's part of an account signed out (retire), two apps of one provider", () => {
  it("raises that client's generation in storage and in every tab: its writes started before are refused, the other client's are not, and a new page knows it", async () => {
    const name = freshDatabase();
    const { cache: tab1 } = newCache(name);
    const { cache: tab2 } = newCache(name);
    await Promise.all([tab1.load(), tab2.load()]);
    const spa = changeFor('u1', {}, 'spa');
    const other = changeFor('u1', {}, 'other-app');
    await tab1.apply(spa.change);
    await tab1.apply(other.change);
    const account = Object.values(spa.change.set!.Account!)[0]!;
    const group = accountGroup(account.home_account_id, account.environment);
    const spaKey = clientGroupKey(group, 'spa');
    const otherKey = clientGroupKey(group, 'other-app');
    // What a refresh of each client in tab 2 captures when it starts (tokenExchange's expect).
    const startedSpa = tab2.generationOf(account.home_account_id, account.environment, 'spa');
    const startedOther = tab2.generationOf(account.home_account_id, account.environment, 'other-app');

    const spaKeys = { IdToken: [spa.key('IdToken')], AccessToken: [spa.key('AccessToken')], RefreshToken: [spa.key('RefreshToken')] };
    await tab1.apply({ remove: spaKeys, retire: [spaKey] });
    expect(tab1.generationOf(account.home_account_id, account.environment, 'spa')).toBe(startedSpa + 1);
    expect(tab1.generationOf(account.home_account_id, account.environment, 'other-app')).toBe(startedOther);
    expect(tab1.generationOf(account.home_account_id, account.environment)).toBe(0); // not the account's: the other client keeps it
    // Tab 2 hears of it on the channel.
    await expect.poll(() => tab2.generationOf(account.home_account_id, account.environment, 'spa')).toBe(startedSpa + 1);
    await expect.poll(() => Object.keys(tab2.read().RefreshToken)).toEqual([other.key('RefreshToken')]);

    // Tab 2's spa answer, started before: refused, in memory and in storage; its other-app answer lands.
    const lateSpa = changeFor('u1', {}, 'spa');
    await expect(tab2.apply({ ...lateSpa.change, expect: { [spaKey]: startedSpa } })).rejects.toMatchObject({ errorCode: ErrorCode.accountSignedOut });
    const lateOther = changeFor('u1', {}, 'other-app');
    await tab2.apply({ ...lateOther.change, expect: { [otherKey]: startedOther } });

    // A new page (nothing in memory): spa has nothing, other-app has its new tokens, and the raised generation.
    const { cache: fresh } = newCache(name);
    await fresh.load();
    await fresh.openAccount(account.home_account_id, account.environment);
    const stored = fresh.read();
    for (const section of ['IdToken', 'AccessToken', 'RefreshToken'] as const)
      expect(
        Object.values(stored[section]).map((entry) => entry.client_id),
        section,
      ).toEqual(['other-app']);
    expect(Object.values(stored.RefreshToken)[0]!.secret).toBe(`RT-SECRET-${lateOther.marker}`);
    expect(Object.keys(stored.Account)).toEqual(Object.keys(spa.change.set!.Account!));
    expect(fresh.generationOf(account.home_account_id, account.environment, 'spa')).toBe(startedSpa + 1);
    await expect(fresh.apply({ ...changeFor('u1', {}, 'spa').change, expect: { [spaKey]: startedSpa } })).rejects.toBeInstanceOf(CacheError);

    // A sign-out of the whole account moves every client's generation: a write of either, started before, is refused.
    const beforeOther = fresh.generationOf(account.home_account_id, account.environment, 'other-app');
    await fresh.apply({ signOut: [group] });
    await expect(tab2.apply({ ...changeFor('u1', {}, 'other-app').change, expect: { [otherKey]: beforeOther } })).rejects.toMatchObject({
      errorCode: ErrorCode.accountSignedOut,
    });
    // A sign-in of spa after its retirement, with the generation it now reads, is stored and reaches the other tab.
    const now = tab1.generationOf(account.home_account_id, account.environment, 'spa');
    const signIn = changeFor('u1', {}, 'spa');
    await tab1.apply({ ...signIn.change, expect: { [spaKey]: now } });
    await expect.poll(() => Object.values(tab2.read().RefreshToken).map((t) => t.secret)).toEqual([`RT-SECRET-${signIn.marker}`]);
  });
});

describe('IndexedDbTokenCache account index (accounts known before IndexedDB opens)', () => {
  const indexSlot = (name: string) => `keyward.accounts.${name}`;
  afterEach(() => {
    for (const key of Object.keys(localStorage)) if (key.startsWith('keyward.accounts.kw-test-')) localStorage.removeItem(key);
  });

  it('a new page knows the accounts synchronously, before load(), from a clear copy that holds no token and no claim', async () => {
    const name = freshDatabase();
    const { cache: first } = newCache(name);
    await first.load();
    const write = changeFor('u1');
    await first.apply(write.change);

    const stored = localStorage.getItem(indexSlot(name));
    expect(stored).not.toBeNull();
    for (const secret of write.secrets) expect(stored).not.toContain(secret);
    expect(stored).not.toContain('sub-u1'); // an id_token claim: the index copies Account fields only
    expect(stored).not.toContain('client_info');

    const { cache: second } = newCache(name);
    const early = second.peekAccounts();
    expect(early).toEqual(Object.values(write.change.set!.Account!).map(({ client_info: _, last_modification_time: __, ...rest }) => rest));
    await second.load();
    expect(Object.keys(second.read().Account)).toEqual(Object.keys(write.change.set!.Account!));
  });

  it('sign-out removes the account from the index in the same step, in this tab and for the next page', async () => {
    const name = freshDatabase();
    const { cache } = newCache(name);
    await cache.load();
    const u1 = changeFor('u1');
    const u2 = changeFor('u2');
    await cache.apply(u1.change);
    await cache.apply(u2.change);
    expect(
      newCache(name)
        .cache.peekAccounts()
        .map((a) => a.local_account_id)
        .sort(),
    ).toEqual(['oid-u1', 'oid-u2']);
    const account = Object.values(u1.change.set!.Account!)[0]!;
    await cache.apply({ signOut: [accountGroup(account.home_account_id, account.environment)] });
    expect(
      newCache(name)
        .cache.peekAccounts()
        .map((a) => a.local_account_id),
    ).toEqual(['oid-u2']);
    await cache.apply({ remove: { Account: Object.keys(u2.change.set!.Account!) } });
    expect(localStorage.getItem(indexSlot(name))).toBeNull();
    expect(newCache(name).cache.peekAccounts()).toEqual([]);
  });

  it('an unreadable index is ignored (nothing thrown, nothing invented) and rewritten from IndexedDB on load', async () => {
    const name = freshDatabase();
    const { cache: first } = newCache(name);
    await first.load();
    const write = changeFor('u1');
    await first.apply(write.change);
    for (const junk of ['{not json', JSON.stringify({ v: 2, accounts: [] }), JSON.stringify({ v: 1, accounts: [{ username: 7 }, null, 'x'] })]) {
      localStorage.setItem(indexSlot(name), junk);
      const { cache } = newCache(name);
      expect(cache.peekAccounts()).toEqual([]);
      await cache.load();
      expect(
        newCache(name)
          .cache.peekAccounts()
          .map((a) => a.local_account_id),
      ).toEqual(['oid-u1']);
    }
  });

  it('PublicClientApplication.getAllAccounts(): synchronous; before the cache loads, the indexed accounts without claims; after, with them', async () => {
    const name = freshDatabase();
    const { cache: first } = newCache(name);
    await first.load();
    // A JWT-shaped id_token (claims are decoded from the stored id_token; it was validated when stored).
    const jwt = [{ alg: 'none' }, { oid: 'oid-u1', sub: 'sub-u1' }].map((part) => base64url.encode(JSON.stringify(part))).join('.');
    await first.apply(changeFor('u1', { id_token: `${jwt}.c2ln` }).change);

    const { cache } = newCache(name);
    const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common', tokenCache: cache });
    const early = app.getAllAccounts();
    expect(early.map((a) => [a.username, a.localAccountId, a.tenantId])).toEqual([['u1@contoso.com', 'oid-u1', tid]]);
    expect(early[0]!.idTokenClaims).toBeUndefined();
    expect(app.getAllAccounts('U1@CONTOSO.COM')).toHaveLength(1);
    expect(app.getAllAccounts('someone@else')).toEqual([]);
    const loaded = await app.getAccounts();
    expect(app.getAllAccounts()).toEqual(loaded);
    expect(app.getAllAccounts()[0]!.idTokenClaims?.oid).toBe('oid-u1');
  });

  it('two apps of one provider on one origin: before the load, getAllAccounts() lists only the accounts the app holds a credential for, as after it', async () => {
    const name = freshDatabase();
    const { cache: first } = newCache(name);
    await first.load();
    await first.apply(changeFor('u1', {}, 'spa').change);
    await first.apply(changeFor('u2', {}, 'other-app').change);
    await first.apply(changeFor('u3', {}, 'spa').change);
    await first.apply(changeFor('u3', {}, 'other-app').change);
    const stored = localStorage.getItem(indexSlot(name))!;
    const names = (accounts: AccountInfo[]) => accounts.map((a) => a.username).sort();
    const appFor = (clientId: string) =>
      new PublicClientApplication({ clientId, authority: 'https://login.microsoftonline.com/common', tokenCache: newCache(name).cache });

    const spa = appFor('spa');
    expect(names(spa.getAllAccounts())).toEqual(['u1@contoso.com', 'u3@contoso.com']);
    expect(names(await spa.getAccounts())).toEqual(['u1@contoso.com', 'u3@contoso.com']);
    const other = appFor('other-app');
    expect(names(other.getAllAccounts())).toEqual(['u2@contoso.com', 'u3@contoso.com']);
    expect(names(await other.getAccounts())).toEqual(['u2@contoso.com', 'u3@contoso.com']);
    await Promise.all([spa.close(), other.close()]);

    // The index still holds no secret; an index written before it recorded client ids lists every account, as it did.
    for (const secret of ['AT-SECRET', 'RT-SECRET', 'IDT-SECRET']) expect(stored).not.toContain(secret);
    const { clients: _, ...older } = JSON.parse(stored) as { clients: unknown };
    localStorage.setItem(indexSlot(name), JSON.stringify(older));
    expect(names(appFor('spa').getAllAccounts())).toEqual(['u1@contoso.com', 'u2@contoso.com', 'u3@contoso.com']);
  });

  it("an indexed account's tokens come with the load transaction, still sealed: its first use opens no second transaction", async () => {
    const name = freshDatabase();
    const { cache: first } = newCache(name);
    await first.load();
    const write = changeFor('u1');
    await first.apply(write.change);
    const account = Object.values(write.change.set!.Account!)[0]!;

    const transaction = IDBDatabase.prototype.transaction;
    const modes: IDBTransactionMode[] = [];
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      modes.push(args[1] ?? 'readonly');
      return transaction.apply(this, args);
    } as IDBDatabase['transaction'];
    try {
      const { cache } = newCache(name);
      await cache.load();
      expect(cache.read().AccessToken).toEqual({}); // not unsealed before first use
      expect(modes).toEqual(['readonly']);
      await cache.openAccount(account.home_account_id, account.environment);
      expect(modes).toEqual(['readonly']);
      expect(cache.read().AccessToken).toEqual(write.change.set!.AccessToken);
      expect(cache.read().RefreshToken).toEqual(write.change.set!.RefreshToken);
    } finally {
      IDBDatabase.prototype.transaction = transaction;
    }
  });

  it('a change between load and first use makes the first use read storage again (the records read at load are stale then)', async () => {
    const name = freshDatabase();
    const { cache: first } = newCache(name);
    await first.load();
    const write = changeFor('u1');
    await first.apply(write.change);
    const account = Object.values(write.change.set!.Account!)[0]!;

    const { cache } = newCache(name);
    await cache.load();
    // Another tab rotates the refresh token; its broadcast reaches this tab before its first use.
    const rotated = changeFor('u1');
    const received = new Promise<void>((resolve) => {
      const off = cache.subscribe(() => {
        off();
        resolve();
      });
    });
    await first.apply({ set: { RefreshToken: rotated.change.set!.RefreshToken! } });
    await received;
    await cache.openAccount(account.home_account_id, account.environment);
    const secrets = Object.values(cache.read().RefreshToken).map((rt) => rt.secret);
    expect(secrets).toEqual([rotated.secrets[1]]);
  });

  it('sync of one account with an access-token filter reads only the access tokens it passes (by key), and leaves the others in memory as they are', async () => {
    const name = freshDatabase();
    const { cache: first } = newCache(name);
    await first.load();
    const files = changeFor('u1', { scope: 'Files.Read' });
    const mail = changeFor('u1', { scope: 'Mail.Read' });
    await first.apply(files.change);
    await first.apply({ set: { AccessToken: mail.change.set!.AccessToken! } });
    const account = Object.values(files.change.set!.Account!)[0]!;
    const { cache } = newCache(name);
    await cache.load();
    await cache.openAccount(account.home_account_id, account.environment);
    expect(Object.keys(cache.read().AccessToken)).toHaveLength(2);

    const get = IDBObjectStore.prototype.get;
    const getAll = IDBObjectStore.prototype.getAll;
    const gets: string[] = [];
    const getAlls: string[] = [];
    IDBObjectStore.prototype.get = function (this: IDBObjectStore, query: IDBValidKey | IDBKeyRange) {
      gets.push(String(query));
      return get.call(this, query);
    };
    IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, query?: IDBValidKey | IDBKeyRange | null, count?: number) {
      getAlls.push(query instanceof IDBKeyRange ? String(query.lower) : String(query));
      return getAll.call(this, query, count);
    };
    try {
      const ref = { homeAccountId: account.home_account_id, environment: account.environment };
      await cache.sync(ref, { accessTokens: (key) => key.includes('mail.read') });
      expect(gets).toEqual([slot('AccessToken', mail.key('AccessToken'))]);
      expect(getAlls.some((lower) => lower.startsWith('entry|AccessToken|'))).toBe(false);
      expect(getAlls.some((lower) => lower.startsWith('entry|RefreshToken|'))).toBe(true);
      expect(Object.keys(cache.read().AccessToken).sort()).toEqual([files.key('AccessToken'), mail.key('AccessToken')].sort());

      gets.length = 0;
      await cache.sync(ref, { accessTokens: () => false }); // a forced refresh: no access token read
      expect(gets).toEqual([]);
      expect(cache.read().AccessToken).toEqual({ ...files.change.set!.AccessToken, ...mail.change.set!.AccessToken });
    } finally {
      IDBObjectStore.prototype.get = get;
      IDBObjectStore.prototype.getAll = getAll;
    }
  });

  it('a tab running in memory (no IndexedDB) leaves the index alone: its accounts are not stored', async () => {
    const name = `kw-test-${crypto.randomUUID()}`;
    const own = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB');
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });
    try {
      const { cache } = newCache(name);
      await cache.load();
      await cache.apply(changeFor('u1').change);
      expect(Object.keys(cache.read().Account)).toHaveLength(1);
      expect(localStorage.getItem(indexSlot(name))).toBeNull();
    } finally {
      if (own) Object.defineProperty(globalThis, 'indexedDB', own);
      else delete (globalThis as { indexedDB?: unknown }).indexedDB;
    }
  });
});
