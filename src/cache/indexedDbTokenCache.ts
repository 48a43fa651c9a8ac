import { createStore, entries, promisifyRequest, update, get, type UseStore } from 'idb-keyval';
import { CacheError, ErrorCode } from '../errors.js';
import { type CacheData, cacheSections, type CacheSection, emptyCacheData } from './entities.js';
import { createCacheKey, open, seal } from './encryption.js';
import { SerializableTokenCache } from './serializableTokenCache.js';
import { applyChange, type CacheChange, isEmptyChange } from './tokenCache.js';
import { normalizeEntry } from './validation.js';

export interface IndexedDbTokenCacheOptions {
  /** IndexedDB database name; tabs sharing it share accounts. Default `keyward`. */
  databaseName?: string;
  /** How long opening IndexedDB may take before the cache runs in memory instead. Default 3000 ms. */
  openTimeout?: number;
}

/** Current layout. 0 was a single unencrypted MSAL-format JSON record (`cache`); see {@link migrate}. */
export const cacheSchemaVersion = 1;
const storeName = 'cache';
const metaSlot = 'meta';
const keySlot = 'key';
const legacySlot = 'cache';
const entryPrefix = 'entry|';
/** Sections whose entries hold secrets: sealed at rest. Accounts stay readable, to list them before decryption. */
const sealedSections = new Set<CacheSection>(['IdToken', 'AccessToken', 'RefreshToken']);

const slotFor = (section: CacheSection, key: string): string => `${entryPrefix}${section}|${key}`;

interface ChangeMessage {
  change: CacheChange;
}

/**
 * The persistent token cache: MSAL's unified schema in IndexedDB (through idb-keyval),
 * secrets sealed with AES-GCM under a non-extractable key, every change broadcast to the
 * other tabs of the origin, reads from memory so a cache hit costs no I/O.
 *
 * It degrades instead of failing: without IndexedDB (blocked, some private modes, server
 * rendering) it runs in memory for the life of the page and emits a `storage_unavailable`
 * warning; an unreadable entry is dropped and reported, every other entry kept.
 */
export class IndexedDbTokenCache extends SerializableTokenCache {
  readonly #databaseName: string;
  readonly #openTimeout: number;
  #store: UseStore | undefined;
  #key: CryptoKey | undefined;
  #channel: BroadcastChannel | undefined;
  #loading: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Changes applied in memory whose write failed; written with the next successful write. */
  #pending: CacheChange[] = [];
  /** Changes from other tabs that arrived while loading; applied once loaded. */
  #early: CacheChange[] | undefined = [];

  constructor(options: IndexedDbTokenCacheOptions = {}) {
    super();
    this.#databaseName = options.databaseName ?? 'keyward';
    this.#openTimeout = options.openTimeout ?? 3000;
  }

  /** True once loaded from IndexedDB; false when running in memory only. */
  get persistent(): boolean {
    return this.#store !== undefined;
  }

  override load(): Promise<void> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<void> {
    this.#openChannel();
    try {
      if (typeof indexedDB === 'undefined' || indexedDB === null) throw new Error('this environment has no IndexedDB');
      const store = createStore(this.#databaseName, storeName);
      // One read transaction for everything a page load needs (a cold start is dominated by
      // transactions): meta, key, the schema 0 record and every entry.
      const snapshot = await withTimeout(readSnapshot(store), this.#openTimeout, 'opening IndexedDB timed out (blocked by another connection?)');
      // Checked before anything is written: a newer keyward's cache is left exactly as it is.
      if ((snapshot.meta?.schemaVersion ?? 0) > cacheSchemaVersion) {
        throw new Error(
          `the stored cache has schema ${String(snapshot.meta?.schemaVersion)}, newer than this keyward (${cacheSchemaVersion}); it is left untouched`,
        );
      }
      let key = snapshot.key;
      let settled = true;
      if (!(key instanceof CryptoKey)) {
        // First run. Two tabs may start at once: keep whichever key landed first (one readwrite transaction).
        const candidate = await createCacheKey();
        await update<CryptoKey>(keySlot, (existing) => existing ?? candidate, store);
        key = await get<CryptoKey>(keySlot, store);
        if (!(key instanceof CryptoKey)) throw new Error('the stored cache key is not a CryptoKey');
        settled = false;
      }
      this.#key = key;
      if (typeof snapshot.legacy === 'string' || snapshot.meta === undefined) {
        await this.#migrate(store, key, snapshot.legacy);
        settled = false;
      }
      // Entries read before this page wrote anything are still the whole story; otherwise read again.
      this.replaceData(await this.#readAll(store, key, settled ? snapshot.entries : undefined));
      this.#store = store;
    } catch (error) {
      this.#store = undefined;
      this.warn(
        ErrorCode.storageUnavailable,
        `IndexedDB is unavailable (${error instanceof Error ? error.message : String(error)}); tokens are kept in memory for this page only.`,
      );
    } finally {
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const change of early) this.replaceData(applyChange(this.data, change));
    }
  }

  /**
   * Reads every entry (or uses `records`, already read); drops and reports the ones that
   * cannot be opened or are not valid entries. Sealed entries are opened all at once:
   * WebCrypto works through them in parallel, where one at a time costs a round trip each.
   */
  async #readAll(store: UseStore, key: CryptoKey, records?: [IDBValidKey, unknown][]): Promise<CacheData> {
    const data = emptyCacheData();
    const dropped: string[] = [];
    const opened = await Promise.all(
      (records ?? (await entries<IDBValidKey, unknown>(store))).map(async ([slot, value]) => {
        if (typeof slot !== 'string' || !slot.startsWith(entryPrefix)) return undefined;
        const [section, ...rest] = slot.slice(entryPrefix.length).split('|');
        if (!cacheSections.includes(section as CacheSection)) return { slot, dropped: true as const };
        try {
          const plain = sealedSections.has(section as CacheSection) ? await open(key, slot, value) : value;
          const entry = normalizeEntry(section as CacheSection, plain);
          if (!entry) throw new Error('not a valid entry');
          return { slot, section: section as CacheSection, entryKey: rest.join('|'), entry };
        } catch {
          return { slot, dropped: true as const };
        }
      }),
    );
    // In storage order, as the sequential read gave.
    for (const item of opened) {
      if (!item) continue;
      if ('dropped' in item) dropped.push(item.slot);
      else (data[item.section] as Record<string, unknown>)[item.entryKey] = item.entry;
    }
    if (dropped.length) {
      await store('readwrite', (s) => {
        for (const slot of dropped) s.delete(slot);
        return promisifyRequest(s.transaction);
      });
      this.warn(
        ErrorCode.cacheEntryDropped,
        `${dropped.length} unreadable cache entr${dropped.length === 1 ? 'y was' : 'ies were'} dropped (corrupted, or sealed with a lost key); the rest of the cache is intact.`,
      );
    }
    return data;
  }

  /**
   * Schema 0 kept the whole cache as one MSAL-format JSON string under `cache`, in clear.
   * It is moved into sealed per-entry records in one transaction, then removed: migrated, not wiped.
   */
  async #migrate(store: UseStore, key: CryptoKey, legacy: unknown): Promise<void> {
    if (typeof legacy === 'string') {
      let parsed: Partial<Record<CacheSection, Record<string, unknown>>> = {};
      try {
        parsed = JSON.parse(legacy) as typeof parsed;
      } catch {
        this.warn(ErrorCode.cacheEntryDropped, 'The schema 0 cache record was not JSON and was dropped.');
      }
      const set: CacheChange['set'] = {};
      let dropped = 0;
      for (const section of cacheSections) {
        for (const [entryKey, value] of Object.entries(parsed[section] ?? {})) {
          const entry = normalizeEntry(section, value);
          if (entry) {
            set[section] ??= {} as never;
            set[section][entryKey] = entry as never;
          } else dropped++;
        }
      }
      if (dropped)
        this.warn(ErrorCode.cacheEntryDropped, `${dropped} invalid schema 0 cache entr${dropped === 1 ? 'y was' : 'ies were'} dropped during migration.`);
      const records = await this.#recordsFor({ set }, key);
      await store('readwrite', (s) => {
        for (const [slot, value] of records) s.put(value, slot);
        s.delete(legacySlot);
        s.put({ schemaVersion: cacheSchemaVersion }, metaSlot);
        return promisifyRequest(s.transaction);
      });
      this.warn(ErrorCode.cacheMigrated, `The token cache was migrated from schema 0 to ${cacheSchemaVersion}.`);
      return;
    }
    await update<{ schemaVersion: number }>(metaSlot, (meta) => meta ?? { schemaVersion: cacheSchemaVersion }, store);
  }

  async #recordsFor(change: CacheChange, key: CryptoKey): Promise<[string, unknown][]> {
    const records: Promise<[string, unknown]>[] = [];
    for (const section of cacheSections) {
      for (const [entryKey, entry] of Object.entries(change.set?.[section] ?? {})) {
        const slot = slotFor(section, entryKey);
        records.push(sealedSections.has(section) ? seal(key, slot, entry).then((sealed) => [slot, sealed]) : Promise.resolve([slot, entry]));
      }
    }
    return Promise.all(records);
  }

  /**
   * Persists first, in one transaction, then makes the change visible here and in the other
   * tabs. If persisting fails (quota), the change is still applied in memory and broadcast,
   * because it may hold a refresh token the provider has just rotated: dropping it would
   * make the next refresh a replay that revokes the whole grant. It is kept as pending,
   * written with the next successful write, and reported: a `CacheError` with
   * `keptInMemory: true` is thrown and the same error goes to `onWarning` listeners.
   */
  protected override async commit(change: CacheChange): Promise<void> {
    const run = async (): Promise<void> => {
      const store = this.#store;
      const key = this.#key;
      if (store && key && !isEmptyChange(change)) {
        const changes = [...this.#pending, change];
        try {
          await this.#persist(store, key, changes);
          this.#pending = [];
        } catch (error) {
          this.#pending = changes;
          this.#publish(change);
          const failure = writeError(error);
          this.warn(failure.errorCode, failure.message);
          throw failure;
        }
      }
      this.#publish(change);
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #publish(change: CacheChange): void {
    this.replaceData(applyChange(this.data, change));
    if (this.#store) this.#channel?.postMessage({ change } satisfies ChangeMessage);
  }

  /** Writes changes in order, all in one transaction: all or nothing. */
  async #persist(store: UseStore, key: CryptoKey, changes: CacheChange[]): Promise<void> {
    const steps = await Promise.all(
      changes.map(async (change) => ({
        removals: cacheSections.flatMap((section) => (change.remove?.[section] ?? []).map((entryKey) => slotFor(section, entryKey))),
        records: await this.#recordsFor(change, key),
      })),
    );
    await store('readwrite', (s) => {
      try {
        for (const { removals, records } of steps) {
          for (const slot of removals) s.delete(slot);
          for (const [slot, value] of records) s.put(value, slot);
        }
      } catch (error) {
        s.transaction.abort(); // queued deletes must not commit alone
        throw error;
      }
      return promisifyRequest(s.transaction);
    });
  }

  /** Re-reads IndexedDB: the authoritative state after another tab's refresh (plus this tab's unpersisted changes). */
  async sync(): Promise<void> {
    await this.load();
    const run = async (): Promise<void> => {
      if (!this.#store || !this.#key) return;
      let data = await this.#readAll(this.#store, this.#key);
      for (const change of this.#pending) data = applyChange(data, change);
      this.replaceData(data);
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #openChannel(): void {
    if (this.#channel || typeof BroadcastChannel === 'undefined') return;
    this.#channel = new BroadcastChannel(`keyward.cache.${this.#databaseName}`);
    // Another tab persisted a change: apply it here at once, no storage read needed.
    this.#channel.onmessage = (event: MessageEvent<ChangeMessage>) => {
      const change = event.data?.change;
      if (!change) return;
      if (this.#early) this.#early.push(change);
      else this.replaceData(applyChange(this.data, change));
    };
  }

  /** Stops listening to other tabs (tests, or an app tearing down its client). */
  close(): void {
    this.#channel?.close();
    this.#channel = undefined;
  }
}

interface Snapshot {
  meta: { schemaVersion?: number } | undefined;
  key: unknown;
  legacy: unknown;
  entries: [IDBValidKey, unknown][];
}

/** Meta, key, the schema 0 record and every `entry|…` record, in one readonly transaction. */
function readSnapshot(store: UseStore): Promise<Snapshot> {
  return store('readonly', async (s) => {
    // Every key that starts with `entry|`: '}' is the character after '|'.
    const range = IDBKeyRange.bound(entryPrefix, `${entryPrefix.slice(0, -1)}}`, false, true);
    const [meta, key, legacy, keys, values] = await Promise.all([
      promisifyRequest(s.get(metaSlot)),
      promisifyRequest(s.get(keySlot)),
      promisifyRequest(s.get(legacySlot)),
      promisifyRequest(s.getAllKeys(range)),
      promisifyRequest(s.getAll(range)),
    ]);
    return { meta: meta as Snapshot['meta'], key, legacy, entries: keys.map((k, i) => [k, values[i]] as [IDBValidKey, unknown]) };
  });
}

function writeError(error: unknown): CacheError {
  const name = (error as { name?: string })?.name;
  if (name === 'QuotaExceededError') {
    return new CacheError(
      ErrorCode.cacheQuotaExceeded,
      'The browser refused to store more data for this site (storage quota exceeded). The change is kept in memory for this page and written with the next successful write; free space or remove unused accounts.',
      { cause: error, keptInMemory: true },
    );
  }
  return new CacheError(
    ErrorCode.cacheWriteFailed,
    'Writing the token cache to IndexedDB failed. The change is kept in memory for this page and retried with the next write.',
    { cause: error, keptInMemory: true },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
