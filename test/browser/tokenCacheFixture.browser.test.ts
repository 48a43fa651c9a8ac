// A store written by keyward's IndexedDB token cache as it was at schema 1 (per-entry
// records, secrets sealed one record each), checked in as test/fixtures/token-cache/schema1.json
// so every later layout proves it still loads what earlier releases wrote.
//
// The fixture is written by the generator below, which runs only when the file is missing:
// delete the file and run this file to write it again (only with the schema 1 code).
// A non-extractable key cannot be saved to a file, so the generator lets WebCrypto make the
// cache key extractable for that one run; nothing else about the records changes.
import { base64url } from 'jose';
import { commands } from 'vitest/browser';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAuthority } from '../../src/authority/authority.js';
import type { CacheData } from '../../src/cache/entities.js';
import { cacheWriteFor } from '../../src/cache/fromTokenResponse.js';
import { IndexedDbTokenCache } from '../../src/cache/indexedDbTokenCache.js';
import type { CacheWarning } from '../../src/cache/serializableTokenCache.js';
import { applyChange } from '../../src/cache/tokenCache.js';

const fixturePath = 'test/fixtures/token-cache/schema1.json';

interface Fixture {
  /** What wrote it. */
  writtenBy: string;
  /** The AES-GCM cache key as a JWK (extractable only for the fixture). */
  key: JsonWebKey;
  /** Every record of the `cache` object store; byte arrays as `{ $bytes: base64 }`. */
  records: [string, unknown][];
  /** The cache contents the writer held after its last write. */
  contents: CacheData;
}

const toJson = (value: unknown): unknown => {
  if (value instanceof ArrayBuffer) return { $bytes: btoa(String.fromCharCode(...new Uint8Array(value))), $type: 'ArrayBuffer' };
  if (value instanceof Uint8Array) return { $bytes: btoa(String.fromCharCode(...value)), $type: 'Uint8Array' };
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
};
const fromJson = (value: unknown): unknown => {
  if (value && typeof value === 'object' && '$bytes' in value) {
    const { $bytes, $type } = value as { $bytes: string; $type: string };
    const bytes = Uint8Array.from(atob($bytes), (c) => c.charCodeAt(0));
    return $type === 'ArrayBuffer' ? bytes.buffer : bytes;
  }
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(v)]));
  return value;
};

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
async function withRawStore<T>(name: string, mode: IDBTransactionMode, fn: (store: IDBObjectStore) => Promise<T> | T): Promise<T> {
  const open = indexedDB.open(name);
  open.onupgradeneeded = () => open.result.createObjectStore('cache');
  const db = await request(open);
  try {
    const tx = db.transaction('cache', mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () => reject(tx.error);
    });
    const result = await fn(tx.objectStore('cache'));
    await done;
    return result;
  } finally {
    db.close();
  }
}

const databases: string[] = [];
const caches: IndexedDbTokenCache[] = [];
afterEach(async () => {
  for (const cache of caches.splice(0)) cache.close();
  await Promise.all(
    databases.splice(0).map(
      (name) =>
        new Promise<void>((resolve) => {
          const req = indexedDB.deleteDatabase(name);
          req.onsuccess = req.onerror = req.onblocked = () => resolve();
        }),
    ),
  );
});

/** Token responses for three accounts: one with three access tokens, one AT-less. */
function writes(): CacheData {
  const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  let data: CacheData = { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} };
  const responses: [string, string, boolean][] = [
    ['u1', 'User.Read', true],
    ['u1', 'Mail.Read', true],
    ['u1', 'Files.Read', true],
    ['u2', 'User.Read', true],
    ['u3', 'User.Read', false],
  ];
  let n = 0;
  for (const [uid, scope, withAccessToken] of responses) {
    n++;
    const write = cacheWriteFor(
      {
        clientId: 'spa',
        authority: parseAuthority('https://login.microsoftonline.com/common'),
        environment: 'login.microsoftonline.com',
        response: {
          access_token: withAccessToken ? `AT-${uid}-${n}` : '',
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: `RT-${uid}-${n}`,
          id_token: `IDT-${uid}`,
          scope,
          client_info: base64url.encode(JSON.stringify({ uid, utid: tid })),
        },
        idTokenClaims: {
          iss: `https://login.microsoftonline.com/${tid}/v2.0`,
          sub: `sub-${uid}`,
          aud: 'spa',
          exp: 1_700_003_600,
          iat: 1_700_000_000,
          tid,
          oid: `oid-${uid}`,
          preferred_username: `${uid}@contoso.com`,
          name: `User ${uid}`,
        },
        account: undefined,
        requestedScopes: [scope],
        requestedAt: 1_700_000_000 + n,
      },
      data,
    );
    if (!withAccessToken) delete write.change.set?.AccessToken;
    data = applyChange(data, write.change);
  }
  return data;
}

describe('the schema 1 store fixture', () => {
  it('generator (runs only when the fixture file is missing)', async () => {
    const exists = await commands.readFile(fixturePath).then(
      () => true,
      () => false,
    );
    if (exists) return;
    const generateKey = crypto.subtle.generateKey.bind(crypto.subtle);
    crypto.subtle.generateKey = ((algorithm: AlgorithmIdentifier, _extractable: boolean, usages: KeyUsage[]) =>
      generateKey(algorithm as AesKeyGenParams, true, usages)) as typeof crypto.subtle.generateKey;
    const name = `kw-fixture-${crypto.randomUUID()}`;
    databases.push(name);
    try {
      const cache = new IndexedDbTokenCache({ databaseName: name });
      caches.push(cache);
      await cache.load();
      const data = writes();
      for (const section of ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'] as const) {
        for (const [key, entry] of Object.entries(data[section])) await cache.apply({ set: { [section]: { [key]: entry } } });
      }
      const records = await withRawStore(name, 'readonly', async (store) => {
        const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        return keys.map((key, i) => [String(key), values[i]] as [string, unknown]);
      });
      const keyRecord = records.find(([slot]) => slot === 'key')![1] as CryptoKey;
      const fixture: Fixture = {
        writtenBy: 'keyward IndexedDbTokenCache, schema 1 (one record per entry, sealed sections one sealed record each)',
        key: await crypto.subtle.exportKey('jwk', keyRecord),
        records: records.filter(([slot]) => slot !== 'key').map(([slot, value]) => [slot, toJson(value)]),
        contents: JSON.parse(JSON.stringify(cache.read())) as CacheData,
      };
      await commands.writeFile(fixturePath, `${JSON.stringify(fixture, null, 1)}\n`);
    } finally {
      crypto.subtle.generateKey = generateKey;
    }
  });

  it('loads with every account and token intact, and reads back the same after the first load', async () => {
    const fixture = JSON.parse(await commands.readFile(fixturePath)) as Fixture;
    expect(Object.keys(fixture.contents.AccessToken)).toHaveLength(4);
    const name = `kw-fixture-${crypto.randomUUID()}`;
    databases.push(name);
    // The key goes back into IndexedDB as a non-extractable CryptoKey, as keyward keeps it.
    const key = await crypto.subtle.importKey('jwk', fixture.key, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    await withRawStore(name, 'readwrite', (store) => {
      store.put(key, 'key');
      for (const [slot, value] of fixture.records) store.put(fromJson(value), slot);
    });
    for (let round = 0; round < 2; round++) {
      const cache = new IndexedDbTokenCache({ databaseName: name });
      const warnings: CacheWarning[] = [];
      cache.onWarning((warning) => warnings.push(warning));
      caches.push(cache);
      await cache.load();
      expect(cache.persistent).toBe(true);
      expect(warnings.filter((w) => w.code !== 'cache_migrated')).toEqual([]);
      if ('openAll' in cache) await (cache as unknown as { openAll(): Promise<void> }).openAll();
      expect(cache.read()).toEqual(fixture.contents);
      cache.close();
    }
  });
});
