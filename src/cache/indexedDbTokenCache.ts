import { createStore, promisifyRequest, update, get, type UseStore } from 'idb-keyval';
import { AccountIndex } from './accountIndex.js';
import { CacheError, ErrorCode } from '../errors.js';
import { type CacheBroadcast, parseCacheBroadcast } from './cacheBroadcast.js';
import { type AccountEntity, type CacheData, cacheSections, type CacheSection } from './entities.js';
import { createCacheKey, open, seal } from './encryption.js';
import { accountGroup, clientGroupKey, clientGroupPrefix, parseClientGroupKey } from './keys.js';
import { SerializableTokenCache } from './serializableTokenCache.js';
import { applyChange, type CacheChange, generationIn, isEmptyChange, signedOutError } from './tokenCache.js';
import { normalizeEntry } from './validation.js';
import { SingleFlight } from '../util/singleFlight.js';

/** Options of {@link IndexedDbTokenCache}. */
export interface IndexedDbTokenCacheOptions {
  /** IndexedDB database name; tabs sharing it share accounts. Default `keyward`. */
  databaseName?: string;
  /** How long opening IndexedDB may take before the cache runs in memory instead. Default 3000 ms. */
  openTimeout?: number;
}

/** Current layout. 0 was a single unencrypted MSAL-format JSON record (`cache`); migrated on first load. */
export const cacheSchemaVersion = 1;
const storeName = 'cache';
const metaSlot = 'meta';
const keySlot = 'key';
const legacySlot = 'cache';
const entryPrefix = 'entry|';
/** Sections whose entries hold secrets: sealed at rest. Accounts stay readable, to list them before decryption. */
const sealedSections = new Set<CacheSection>(['IdToken', 'AccessToken', 'RefreshToken']);

const slotFor = (section: CacheSection, key: string): string => `${entryPrefix}${section}|${key}`;

/** What a {@link IndexedDbTokenCache.sync} of one account re-reads (see `TokenCache.sync`). */
export interface SyncOptions {
  /**
   * Only the access tokens whose cache key passes are re-read (values fetched by key); the
   * others in memory are left as they are. A refresh needs the refresh token and, unless it is
   * forced, only the access tokens that could answer its scopes: with 1,000 cached tokens it
   * then reads a handful, not all.
   */
  accessTokens?: (cacheKey: string) => boolean;
}

/** A change this tab could not store yet, with the record versions it was given on its first try. */
interface PendingWrite {
  change: CacheChange;
  /** slot → version the record is written with (its basis, what this tab knew, plus one). */
  revs: Map<string, number>;
}

/** What one transaction did with a batch: which changes a sign-out refused, which records a newer one beat. */
interface PersistOutcome {
  refused: Set<PendingWrite>;
  /** Per write, the records a newer stored version beat. */
  skipped: Map<PendingWrite, Set<string>>;
  generations: Map<string, number>;
}

const attempts = [0, 50, 200];

/**
 * The persistent token cache: MSAL's unified schema in IndexedDB (through idb-keyval),
 * secrets sealed with AES-GCM under a non-extractable key, every change broadcast to the
 * other tabs of the origin, reads from memory so a cache hit costs no I/O.
 *
 * Accounts before secrets: loading reads accounts, app metadata and id tokens (the claims
 * of an account) and nothing else; an account's access and refresh tokens are read and
 * unsealed on its first use ({@link openAccount}), one key range per account, because every
 * MSAL cache key starts with `home_account_id-environment-`.
 *
 * Writes are compare-and-set: each sealed record carries a version, and a write applies a
 * record only if storage still holds the version this tab knew, so an older refresh token
 * (a retried write, a stale tab) never replaces a newer one. A sign-out raises the account's
 * generation in storage; a write started before it is refused inside the same transaction.
 *
 * It degrades instead of failing: without IndexedDB (blocked, some private modes, server
 * rendering) it runs in memory for the life of the page and emits a `storage_unavailable`
 * warning; such a tab never takes another tab's refresh tokens (it could not share its
 * rotations of them). An unreadable entry is dropped and reported, every other entry kept.
 */
export class IndexedDbTokenCache extends SerializableTokenCache {
  readonly #databaseName: string;
  readonly #openTimeout: number;
  #store: UseStore | undefined;
  #key: CryptoKey | undefined;
  #channel: BroadcastChannel | undefined;
  #loading: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Changes applied in memory whose write failed; written, versions unchanged, with the next write. */
  #pending: PendingWrite[] = [];
  /** Messages from other tabs that arrived while loading; applied once loaded. */
  #early: CacheBroadcast[] | undefined = [];
  /** The version of each sealed record as this tab last saw it. */
  readonly #revs = new Map<string, number>();
  /** Sealed records whose newest version here is not known to be stored (a failed write, here or in another tab). */
  readonly #unstored = new Map<string, number>();
  /** Account groups whose access and refresh tokens have been read. */
  readonly #opened = new Set<string>();
  readonly #opening = new SingleFlight<void>();
  /** Counts removals seen; a read that raced one is done again, so it cannot bring a removed entry back. */
  #removals = 0;
  readonly #index: AccountIndex;
  /**
   * Sealed access and refresh token records of the indexed accounts, read in the load
   * transaction; the first `openAccount` of such an account uses them instead of a second
   * transaction. Dropped at the first change from anywhere (they would be stale).
   */
  #prefetched: { records: [IDBValidKey, unknown][]; generations: [string, number][]; groups: Set<string> } | undefined;

  constructor(options: IndexedDbTokenCacheOptions = {}) {
    super();
    this.#databaseName = options.databaseName ?? 'keyward';
    this.#openTimeout = options.openTimeout ?? 3000;
    this.#index = new AccountIndex(this.#databaseName);
  }

  /**
   * The accounts known before {@link load} settles, from a clear localStorage copy of the
   * Account records (no token, no claims; see `accountIndex.ts`): who is signed in, without
   * waiting for IndexedDB. Once loaded, `read()` is the truth.
   */
  peekAccounts(clientId?: string): AccountEntity[] {
    return this.#index.read(clientId);
  }

  // The index follows this tab's accounts whenever IndexedDB is in use (a tab running in memory
  // leaves it alone: its accounts are not stored, so no next page would find them). Who holds
  // an account changes with its id and refresh tokens (every sign-in and refresh writes one);
  // an access token alone is never written for a client that has neither.
  protected override replaceData(next: CacheData): void {
    const previous = this.data;
    const holdersChanged = next.Account !== previous.Account || next.IdToken !== previous.IdToken || next.RefreshToken !== previous.RefreshToken;
    super.replaceData(next);
    if (holdersChanged && this.#store) this.#index.write(next);
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
    try {
      if (typeof indexedDB === 'undefined' || indexedDB === null) throw new CacheError(ErrorCode.storageUnavailable, 'this environment has no IndexedDB');
      // Only where there is storage to share: without IndexedDB (Node, server rendering) no other
      // tab shares this cache, and an open channel would keep a Node process alive.
      this.#openChannel();
      const store = createStore(this.#databaseName, storeName);
      // One read transaction for everything a page load needs (a cold start is dominated by
      // transactions): meta, key, the schema 0 record, generations, accounts and id tokens.
      // The accounts the index names (at most two people: the common case) get their access and
      // refresh tokens read in the same transaction, still sealed: the page's first token then
      // needs no second transaction, and tokens are unsealed only as before, on first use.
      const indexed = [...new Set(this.#index.read().map((a) => accountGroup(a.home_account_id, a.environment)))];
      const prefetch = indexed.length <= 2 ? indexed : [];
      const prefetchPrefixes = prefetch.flatMap((group) => lazySections.map((section) => `${entryPrefix}${section}|${group}-`));
      const snapshot = await withTimeout(
        readSnapshot(store, prefetchPrefixes),
        this.#openTimeout,
        'opening IndexedDB timed out (blocked by another connection?)',
      );
      // Checked before anything is written: a newer keyward's cache is left exactly as it is.
      if ((snapshot.meta?.schemaVersion ?? 0) > cacheSchemaVersion) {
        throw new CacheError(
          ErrorCode.storageUnavailable,
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
        if (!(key instanceof CryptoKey)) throw new CacheError(ErrorCode.storageUnavailable, 'the stored cache key is not a CryptoKey');
        settled = false;
      }
      this.#key = key;
      if (typeof snapshot.legacy === 'string' || snapshot.meta === undefined) {
        await this.#migrate(store, key, snapshot.legacy);
        settled = false;
      }
      // Records read before this page wrote anything are still the whole story; otherwise read again.
      const records = settled ? snapshot.records : (await readSnapshot(store, [])).records;
      for (const [group, generation] of snapshot.generations) this.generations.set(group, generation);
      const read = await this.#readRecords(store, key, records);
      // Kept sealed until the account's first use; valid only while nothing has changed since
      // (a first run wrote the key or migrated: read again then, as before).
      if (settled && prefetch.length) this.#prefetched = { records: snapshot.prefetched, generations: snapshot.generations, groups: new Set(prefetch) };
      this.replaceData(applyChange(this.data, { set: read.set }));
      this.#store = store;
      this.#index.write(this.data);
    } catch (error) {
      this.#store = undefined;
      this.warn(
        ErrorCode.storageUnavailable,
        `IndexedDB is unavailable (${error instanceof Error ? error.message : String(error)}): tokens live in memory for this page only, unshared with other tabs.`,
      );
    } finally {
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const message of early) this.#receive(message);
    }
  }

  /**
   * Opens `records` (unsealing the sealed ones all at once: WebCrypto works through them in
   * parallel); drops and reports the ones that cannot be opened or are not valid entries.
   * With `group`, keeps only entries of that account group (a key prefix can match a longer home id).
   */
  async #readRecords(
    store: UseStore,
    key: CryptoKey,
    records: [IDBValidKey, unknown][],
    group?: string,
  ): Promise<{ set: NonNullable<CacheChange['set']>; revs: Map<string, number> }> {
    const set: NonNullable<CacheChange['set']> = {};
    const revs = new Map<string, number>();
    const dropped: string[] = [];
    const opened = await Promise.all(
      records.map(async ([slot, value]) => {
        if (typeof slot !== 'string' || !slot.startsWith(entryPrefix)) return undefined;
        const [section, ...rest] = slot.slice(entryPrefix.length).split('|');
        if (!cacheSections.includes(section as CacheSection)) return { slot, dropped: true as const };
        try {
          const sealed = sealedSections.has(section as CacheSection);
          const entryKey = rest.join('|');
          // The version this tab already holds, as stored (not an unstored write of its own or
          // another tab's): the same record, so it is not unsealed again. A record's version is
          // stored once per content (compare-and-set refuses an equal version), so this is exact;
          // it keeps a refresh's re-read of an account with 1,000 tokens from decrypting them all.
          const held =
            sealed && !this.#unstored.has(slot) && this.#revs.get(slot) === revOf(value)
              ? (this.data[section as CacheSection] as Record<string, unknown>)[entryKey]
              : undefined;
          if (held !== undefined) return { slot, section: section as CacheSection, entryKey, entry: held, rev: revOf(value) };
          const plain = sealed ? await open(key, slot, value) : value;
          const entry = normalizeEntry(section as CacheSection, plain);
          if (!entry) throw new CacheError(ErrorCode.cacheEntryDropped, 'not a valid entry');
          return { slot, section: section as CacheSection, entryKey, entry, rev: sealed ? revOf(value) : undefined };
        } catch {
          return { slot, dropped: true as const };
        }
      }),
    );
    // In storage order, as the sequential read gave.
    for (const item of opened) {
      if (!item) continue;
      if ('dropped' in item) {
        dropped.push(item.slot);
        continue;
      }
      const owner = item.entry as { home_account_id?: string; environment?: string };
      if (group !== undefined && item.section !== 'AppMetadata' && accountGroup(owner.home_account_id ?? '', owner.environment ?? '') !== group) continue;
      set[item.section] ??= {};
      (set[item.section] as Record<string, unknown>)[item.entryKey] = item.entry;
      if (item.rev !== undefined) revs.set(item.slot, item.rev);
    }
    for (const [slot, rev] of revs) if (rev > (this.#revs.get(slot) ?? -1)) this.#revs.set(slot, rev);
    if (dropped.length) {
      await store('readwrite', (s) => {
        for (const slot of dropped) s.delete(slot);
        return promisifyRequest(s.transaction);
      });
      this.warn(
        ErrorCode.cacheEntryDropped,
        `${dropped.length} unreadable cache entr${dropped.length === 1 ? 'y was' : 'ies were'} dropped (corrupted, or sealed with a lost key); the rest is intact.`,
      );
    }
    return { set, revs };
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
      const records = await this.#recordsFor({ set }, key, new Map());
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

  async #recordsFor(change: CacheChange, key: CryptoKey, revs: ReadonlyMap<string, number>): Promise<[string, unknown][]> {
    const records: Promise<[string, unknown]>[] = [];
    for (const section of cacheSections) {
      for (const [entryKey, entry] of Object.entries(change.set?.[section] ?? {})) {
        const slot = slotFor(section, entryKey);
        records.push(
          sealedSections.has(section)
            ? seal(key, slot, entry).then((sealed) => [slot, { ...sealed, rev: revs.get(slot) ?? 1 }])
            : Promise.resolve([slot, entry]),
        );
      }
    }
    return Promise.all(records);
  }

  /** Reads and unseals one account's access and refresh tokens (once); `undefined` when they already are readable. */
  openAccount(homeAccountId: string, environment: string): Promise<void> | undefined {
    const group = accountGroup(homeAccountId, environment);
    if (!this.#store || this.#opened.has(group)) return undefined;
    return this.#opening.run(group, () =>
      this.#queued(() => this.#readGroup(group, lazySections)).then(() => {
        this.#opened.add(group);
      }),
    );
  }

  /**
   * Reads and unseals every record, so `read()` holds the whole cache (before `serialize()`,
   * or to find unreadable records early: they are dropped and reported as on load).
   */
  async openAll(): Promise<void> {
    await this.load();
    await this.sync();
  }

  /**
   * Reads one account group's records of `sections` and makes memory match storage for
   * them, keeping what storage does not have yet (this tab's or another tab's unstored writes,
   * when newer). A removal seen meanwhile makes it read again.
   */
  async #readGroup(group: string | undefined, sections: readonly CacheSection[], accessTokens?: (cacheKey: string) => boolean): Promise<void> {
    const store = this.#store;
    const key = this.#key;
    if (!store || !key) return;
    for (;;) {
      const removals = this.#removals;
      const prefetched = group !== undefined && sections === lazySections && this.#prefetched?.groups.has(group) ? this.#prefetched : undefined;
      const { records, generations } = prefetched
        ? {
            records: prefetched.records,
            generations: prefetched.generations.filter(([g]) => g === group || (group !== undefined && g.startsWith(clientGroupPrefix(group)))),
          }
        : await readRanges(
            store,
            group === undefined ? [entryPrefix] : sections.map((section) => `${entryPrefix}${section}|${group}-`),
            group,
            accessTokens && { prefix: `${entryPrefix}AccessToken|`, keep: accessTokens },
          );
      const read = await this.#readRecords(store, key, records, group);
      if (removals !== this.#removals) continue;
      const signedOut: string[] = [];
      const retired: string[] = [];
      for (const [g, generation] of generations) {
        if (generation > (this.generations.get(g) ?? 0)) {
          this.generations.set(g, generation);
          (parseClientGroupKey(g) ? retired : signedOut).push(g);
        }
      }
      this.#forgetRetired(retired);
      const set: NonNullable<CacheChange['set']> = {};
      const remove: NonNullable<CacheChange['remove']> = {};
      for (const section of sections) {
        const stored = (read.set[section] ?? {}) as Record<string, unknown>;
        const current = this.data[section] as Record<string, { home_account_id: string; environment: string }>;
        const keep = (slot: string): boolean => {
          const unstored = this.#unstored.get(slot);
          return unstored !== undefined && unstored > (read.revs.get(slot) ?? 0);
        };
        for (const [entryKey, entry] of Object.entries(current)) {
          if (group !== undefined && accountGroup(entry.home_account_id, entry.environment) !== group) continue;
          // Access tokens left out of a filtered read were not compared with storage: left as they are.
          if (accessTokens && section === 'AccessToken' && !accessTokens(entryKey)) continue;
          if (!(entryKey in stored) && !keep(slotFor(section, entryKey))) {
            remove[section] ??= [];
            remove[section].push(entryKey);
          }
        }
        // This tab's own unstored removals still hold: storage must not bring those entries back.
        const removedHere = new Set(this.#pending.flatMap((write) => write.change.remove?.[section] ?? []));
        for (const [entryKey, entry] of Object.entries(stored)) {
          if (!keep(slotFor(section, entryKey)) && !removedHere.has(entryKey)) {
            set[section] ??= {};
            (set[section] as Record<string, unknown>)[entryKey] = entry;
          }
        }
      }
      this.replaceData(applyChange(this.data, { set, remove, signOut: signedOut, retire: retired }));
      if (group === undefined)
        for (const account of Object.values(this.data.Account)) this.#opened.add(accountGroup(account.home_account_id, account.environment));
      return;
    }
  }

  /**
   * Persists first, in one transaction, then makes the change visible here and in the other
   * tabs. A failed write is tried again (three attempts) before this resolves, so a refresh
   * holding the cross-tab lock does not release it with a rotated refresh token unstored.
   * If it still fails (quota), the change is applied in memory and broadcast as unstored,
   * because it may hold a refresh token the provider has just rotated: dropping it would
   * make the next refresh a replay that revokes the whole grant. It is kept as pending,
   * written (with the versions it was given) before the next write, and reported: a
   * `CacheError` with `keptInMemory: true` is thrown and the same error goes to `onWarning`.
   */
  protected override commit(change: CacheChange): Promise<void> {
    this.#prefetched = undefined;
    return this.#queued(async () => {
      const store = this.#store;
      const key = this.#key;
      this.assertCurrent(change, this.generations);
      if (!store || !key) {
        // In memory only: applied here, never broadcast (see the class comment).
        await super.commit(change);
        return;
      }
      if (isEmptyChange(change)) return;
      if (change.signOut?.length || change.retire?.length) {
        // An unstored write for an account (or a client's part of it) signed out now must never land later.
        const gone = new Set([...(change.signOut ?? []), ...(change.retire ?? [])]);
        this.#pending = this.#pending.filter((pending) => ![...groupsOf(pending.change)].some((group) => gone.has(group)));
      }
      const write: PendingWrite = { change, revs: new Map() };
      for (const section of sealedSections) {
        for (const entryKey of Object.keys(change.set?.[section] ?? {})) {
          const slot = slotFor(section, entryKey);
          write.revs.set(slot, (this.#revs.get(slot) ?? 0) + 1);
        }
      }
      const batch = [...this.#pending, write];
      let failure: unknown;
      for (const delay of attempts) {
        if (delay) await sleep(delay);
        try {
          const outcome = await this.#persist(store, key, batch);
          this.#pending = [];
          await this.#settle(store, key, batch, outcome);
          if (outcome.refused.has(write)) {
            throw signedOutError();
          }
          return;
        } catch (error) {
          if (error instanceof CacheError) throw error;
          failure = error;
        }
      }
      this.#pending = batch;
      this.#publish(write, false);
      const error = writeError(failure);
      this.warn(error.errorCode, error.message);
      throw error;
    });
  }

  /** After a transaction: what it refused or skipped is read back from storage, the rest applied and broadcast as stored. */
  async #settle(store: UseStore, key: CryptoKey, batch: PendingWrite[], outcome: PersistOutcome): Promise<void> {
    for (const [group, generation] of outcome.generations) {
      if (generation > (this.generations.get(group) ?? 0)) {
        this.generations.set(group, generation);
        if (parseClientGroupKey(group)) {
          this.#forgetRetired([group]);
          this.replaceData(applyChange(this.data, { retire: [group] }));
        } else this.replaceData(applyChange(this.data, { signOut: [group] }));
      }
    }
    for (const write of batch) {
      if (outcome.refused.has(write)) continue;
      const set =
        write.change.set &&
        Object.fromEntries(
          Object.entries(write.change.set).map(([section, entries]) => [
            section,
            Object.fromEntries(
              Object.entries(entries ?? {}).filter(([entryKey]) => !outcome.skipped.get(write)?.has(slotFor(section as CacheSection, entryKey))),
            ),
          ]),
        );
      this.#publish({ change: { ...write.change, ...(set && { set }) }, revs: write.revs }, true);
    }
    const skipped = new Set([...outcome.skipped.values()].flatMap((slots) => [...slots]));
    if (skipped.size) {
      // A newer version is stored: take it instead of ours.
      const records = await store('readonly', (s) =>
        Promise.all([...skipped].map(async (slot) => [slot, await promisifyRequest(s.get(slot))] as [IDBValidKey, unknown])),
      );
      const read = await this.#readRecords(
        store,
        key,
        records.filter(([, value]) => value !== undefined),
      );
      for (const slot of skipped) this.#unstored.delete(slot);
      this.replaceData(applyChange(this.data, { set: read.set }));
    }
  }

  #publish(write: PendingWrite, stored: boolean): void {
    const { change, revs } = write;
    this.#forget(change.signOut);
    this.#forgetRetired(change.retire);
    for (const [slot, rev] of revs) {
      if (rev > (this.#revs.get(slot) ?? 0)) this.#revs.set(slot, rev);
      if (stored) {
        if ((this.#unstored.get(slot) ?? 0) <= rev) this.#unstored.delete(slot);
      } else this.#unstored.set(slot, rev);
    }
    if (change.signOut?.length || change.retire?.length || cacheSections.some((section) => change.remove?.[section]?.length)) this.#removals++;
    this.replaceData(applyChange(this.data, change));
    const generations: Record<string, number> = {};
    for (const group of groupsOf(change)) generations[group] = this.generations.get(group) ?? 0;
    const { expect: _expect, ...plain } = change;
    this.#channel?.postMessage({ v: 2, stored, change: plain, revs: Object.fromEntries(revs), generations } satisfies CacheBroadcast);
  }

  /**
   * Writes a batch in order in one transaction: all or nothing. Inside it, a change started
   * before a sign-out of its account is refused, and a sealed record is written only if the
   * stored one is not newer than the version this tab knew (compare-and-set).
   */
  async #persist(store: UseStore, key: CryptoKey, batch: PendingWrite[]): Promise<PersistOutcome> {
    const steps = await Promise.all(
      batch.map(async (write) => ({
        write,
        removals: cacheSections.flatMap((section) => (write.change.remove?.[section] ?? []).map((entryKey) => slotFor(section, entryKey))),
        records: await this.#recordsFor(write.change, key, write.revs),
      })),
    );
    const outcome: PersistOutcome = { refused: new Set(), skipped: new Map(), generations: new Map() };
    await store('readwrite', async (s) => {
      // A client's key counts with its account group's generation (generationIn): both are read.
      const groups = [
        ...new Set(
          batch.flatMap((write) =>
            [...Object.keys(write.change.expect ?? {}), ...(write.change.signOut ?? []), ...(write.change.retire ?? [])].flatMap((group) => {
              const client = parseClientGroupKey(group);
              return client ? [group, client.group] : [group];
            }),
          ),
        ),
      ];
      const sealedSlots = [...new Set(steps.flatMap((step) => step.records.map(([slot]) => slot).filter((slot) => step.write.revs.has(slot))))];
      const [generations, existing] = await Promise.all([
        Promise.all(groups.map((group) => promisifyRequest(s.get(`${generationPrefix}${group}`)))),
        Promise.all(sealedSlots.map((slot) => promisifyRequest(s.get(slot)))),
      ]);
      groups.forEach((group, i) => {
        outcome.generations.set(group, isGeneration(generations[i]) ? generations[i] : 0);
      });
      const storedRevs = new Map(sealedSlots.map((slot, i) => [slot, existing[i] === undefined ? 0 : revOf(existing[i])]));
      try {
        for (const { write, removals, records } of steps) {
          if (Object.entries(write.change.expect ?? {}).some(([group, generation]) => generationIn(outcome.generations, group) !== generation)) {
            outcome.refused.add(write);
            continue;
          }
          for (const group of write.change.signOut ?? []) {
            const generation = (outcome.generations.get(group) ?? 0) + 1;
            outcome.generations.set(group, generation);
            s.put(generation, `${generationPrefix}${group}`);
            for (const section of cacheSections) s.delete(IDBKeyRange.bound(`${entryPrefix}${section}|${group}-`, `${entryPrefix}${section}|${group}-\uffff`));
            for (const slot of storedRevs.keys()) if (slot.slice(slot.indexOf('|', entryPrefix.length) + 1).startsWith(`${group}-`)) storedRevs.set(slot, 0);
          }
          // A client's part: its generation goes up; its records are the change's own removals.
          for (const group of write.change.retire ?? []) {
            const generation = (outcome.generations.get(group) ?? 0) + 1;
            outcome.generations.set(group, generation);
            s.put(generation, `${generationPrefix}${group}`);
          }
          for (const slot of removals) {
            s.delete(slot);
            if (storedRevs.has(slot)) storedRevs.set(slot, 0);
          }
          for (const [slot, value] of records) {
            const rev = write.revs.get(slot);
            if (rev !== undefined) {
              if ((storedRevs.get(slot) ?? 0) >= rev) {
                if (!outcome.skipped.has(write)) outcome.skipped.set(write, new Set());
                outcome.skipped.get(write)!.add(slot);
                continue;
              }
              storedRevs.set(slot, rev);
            }
            s.put(value, slot);
          }
        }
      } catch (error) {
        s.transaction.abort(); // queued deletes must not commit alone
        throw error;
      }
      return promisifyRequest(s.transaction);
    });
    return outcome;
  }

  /**
   * Re-reads IndexedDB: the authoritative state after another tab's refresh (plus unstored
   * changes that are newer). With an account, only that account's records are read: a
   * refresh under the cross-tab lock needs nothing else.
   */
  async sync(account?: { homeAccountId: string; environment: string }, options: SyncOptions = {}): Promise<void> {
    this.#prefetched = undefined;
    await this.load();
    const group = account && accountGroup(account.homeAccountId, account.environment);
    await this.#queued(async () => {
      await this.#readGroup(
        group,
        group === undefined || this.#opened.has(group) ? cacheSections : eagerSections,
        group !== undefined ? options.accessTokens : undefined,
      );
    });
  }

  #queued<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task, task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #openChannel(): void {
    if (this.#channel || typeof BroadcastChannel === 'undefined') return;
    this.#channel = new BroadcastChannel(`keyward.cache.${this.#databaseName}`);
    this.#channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = parseCacheBroadcast(event.data);
      if (!message) {
        // Any page of the origin can post here; nothing of a malformed message is applied.
        this.warn(ErrorCode.cacheBroadcastRejected, 'A cache message from another tab was not well formed and was ignored.');
        return;
      }
      if (this.#early) this.#early.push(message);
      else this.#receive(message);
    };
  }

  /** Another tab's change: applied at once, no storage read needed, unless older than what this tab has. */
  #receive(message: CacheBroadcast): void {
    this.#prefetched = undefined;
    const { change, revs, stored } = message;
    const signOut = change.signOut ?? [];
    const retire = change.retire ?? [];
    // The sender's generations of what it signed out or retired, where newer than this tab's.
    for (const group of [...signOut, ...retire]) {
      const generation = message.generations[group] ?? 0;
      if (generation > (this.generations.get(group) ?? 0)) this.generations.set(group, generation);
    }
    this.#forget(signOut);
    this.#forgetRetired(retire);
    const older = (group: string): boolean => (message.generations[group] ?? 0) < (this.generations.get(group) ?? 0);
    const set: NonNullable<CacheChange['set']> = {};
    for (const section of cacheSections) {
      for (const [entryKey, entry] of Object.entries(change.set?.[section] ?? {})) {
        const slot = slotFor(section, entryKey);
        const owner = entry as { home_account_id?: string; environment?: string; client_id?: string };
        const group = section === 'AppMetadata' ? undefined : accountGroup(owner.home_account_id ?? '', owner.environment ?? '');
        // Written before a sign-out this tab knows of (of the account, or of the writing client's part of it): the sign-out wins.
        if (group !== undefined && (older(group) || (owner.client_id !== undefined && older(clientGroupKey(group, owner.client_id))))) continue;
        // A tab in memory only cannot share rotations of a refresh token, so it takes none.
        if (section === 'RefreshToken' && !this.#store) continue;
        if (sealedSections.has(section)) {
          const rev = revs[slot] ?? 0;
          if (rev <= (this.#revs.get(slot) ?? 0) && this.#revs.has(slot)) continue;
          this.#revs.set(slot, rev);
          if (stored) this.#unstored.delete(slot);
          else this.#unstored.set(slot, rev);
        }
        set[section] ??= {};
        (set[section] as Record<string, unknown>)[entryKey] = entry;
      }
    }
    if (signOut.length || retire.length || cacheSections.some((section) => change.remove?.[section]?.length)) this.#removals++;
    this.replaceData(applyChange(this.data, { set, ...(change.remove && { remove: change.remove }), signOut, retire }));
  }

  /**
   * A signed-out account starts over: its record versions and unstored overlays go (what
   * was written before the sign-out is kept out by the generation check instead), so the
   * next sign-in's records are taken at whatever version they start from.
   */
  #forget(groups: readonly string[] | undefined): void {
    if (!groups?.length) return;
    const owned = (slot: string): boolean => {
      const key = slot.slice(slot.indexOf('|', entryPrefix.length) + 1);
      return groups.some((group) => key.startsWith(`${group}-`));
    };
    for (const slot of [...this.#revs.keys()]) if (owned(slot)) this.#revs.delete(slot);
    for (const slot of [...this.#unstored.keys()]) if (owned(slot)) this.#unstored.delete(slot);
  }

  /**
   * A client's part of an account signed out: as {@link #forget}, for the records of that
   * client only (the ones in memory now, which are what the sign-out removes here).
   */
  #forgetRetired(keys: readonly string[] | undefined): void {
    if (!keys?.length) return;
    const retired = new Set(keys);
    for (const section of sealedSections) {
      for (const [entryKey, entry] of Object.entries(this.data[section]) as [string, { home_account_id: string; environment: string; client_id?: string }][]) {
        if (!retired.has(clientGroupKey(accountGroup(entry.home_account_id, entry.environment), entry.client_id ?? ''))) continue;
        this.#revs.delete(slotFor(section, entryKey));
        this.#unstored.delete(slotFor(section, entryKey));
      }
    }
  }

  /**
   * Stops listening to other tabs (tests, or an app tearing down its client): closes the
   * `BroadcastChannel`. The cache keeps answering reads from memory; `PublicClientApplication.close()`
   * calls this for the cache it created.
   */
  close(): void {
    this.#channel?.close();
    this.#channel = undefined;
  }
}

/** Sections read on load (accounts, and id tokens for their claims); the others on an account's first use. */
const eagerSections: readonly CacheSection[] = ['Account', 'AppMetadata', 'IdToken'];
const lazySections: readonly CacheSection[] = ['AccessToken', 'RefreshToken'];
const generationPrefix = 'gen|';

const isGeneration = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const revOf = (value: unknown): number => {
  const rev = (value as { rev?: unknown } | undefined)?.rev;
  return typeof rev === 'number' && Number.isFinite(rev) ? rev : 0;
};

/** The account groups a change writes for or signs out, and the client keys (`clientGroupKey`) of what it writes and retires. */
function groupsOf(change: CacheChange): Set<string> {
  const groups = new Set([...(change.signOut ?? []), ...(change.retire ?? [])]);
  for (const section of cacheSections) {
    if (section === 'AppMetadata') continue;
    for (const entry of Object.values(change.set?.[section] ?? {}) as { home_account_id: string; environment: string; client_id?: string }[]) {
      const group = accountGroup(entry.home_account_id, entry.environment);
      groups.add(group);
      if (entry.client_id !== undefined) groups.add(clientGroupKey(group, entry.client_id));
    }
  }
  return groups;
}

/**
 * Reads the records under `prefixes` and the generations (of `group` and its clients' parts,
 * or every generation), in one readonly transaction. With
 * `filtered`, the records under a prefix starting with `filtered.prefix` are read by key: keys
 * first (cheap), then only the values whose cache key `keep` accepts.
 */
function readRanges(
  store: UseStore,
  prefixes: string[],
  group: string | undefined,
  filtered?: { prefix: string; keep: (cacheKey: string) => boolean },
): Promise<{ records: [IDBValidKey, unknown][]; generations: [string, number][] }> {
  return store('readonly', async (s) => {
    const prefixRange = (prefix: string): IDBKeyRange => IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const genRanges =
      group === undefined
        ? [prefixRange(generationPrefix)]
        : [IDBKeyRange.only(`${generationPrefix}${group}`), prefixRange(`${generationPrefix}${clientGroupPrefix(group)}`)];
    const readPrefix = async (prefix: string): Promise<[IDBValidKey[], unknown[]]> => {
      const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
      if (!filtered || !prefix.startsWith(filtered.prefix)) return Promise.all([promisifyRequest(s.getAllKeys(range)), promisifyRequest(s.getAll(range))]);
      const keys = (await promisifyRequest(s.getAllKeys(range))).filter((key) => filtered.keep(String(key).slice(filtered.prefix.length)));
      return [keys, await Promise.all(keys.map((key) => promisifyRequest(s.get(key))))];
    };
    const [parts, genParts] = await Promise.all([
      Promise.all(prefixes.map(readPrefix)),
      Promise.all(genRanges.map((range) => Promise.all([promisifyRequest(s.getAllKeys(range)), promisifyRequest(s.getAll(range))]))),
    ]);
    const genKeys = genParts.flatMap(([keys]) => keys);
    const genValues = genParts.flatMap(([, values]) => values);
    const records = parts.flatMap(([keys, values]) => keys.map((k, i) => [k, values[i]] as [IDBValidKey, unknown]));
    const generations = genKeys.flatMap((k, i) =>
      isGeneration(genValues[i]) ? [[String(k).slice(generationPrefix.length), genValues[i]] as [string, number]] : [],
    );
    return { records, generations };
  });
}

interface Snapshot {
  meta: { schemaVersion?: number } | undefined;
  key: unknown;
  legacy: unknown;
  /** The eager sections' records: accounts, app metadata, id tokens. */
  records: [IDBValidKey, unknown][];
  /** Records under the prefetch prefixes (sealed access and refresh tokens of the indexed accounts). */
  prefetched: [IDBValidKey, unknown][];
  generations: [string, number][];
}

/** Meta, key, the schema 0 record, generations, the eager sections and the `prefetch` key prefixes, in one readonly transaction. */
function readSnapshot(store: UseStore, prefetch: readonly string[]): Promise<Snapshot> {
  return store('readonly', async (s) => {
    const ranges = eagerSections.map((section) => IDBKeyRange.bound(`${entryPrefix}${section}|`, `${entryPrefix}${section}|\uffff`));
    const prefetchRanges = prefetch.map((prefix) => IDBKeyRange.bound(prefix, `${prefix}\uffff`));
    const genRange = IDBKeyRange.bound(generationPrefix, `${generationPrefix}\uffff`);
    const both = (range: IDBKeyRange) => Promise.all([promisifyRequest(s.getAllKeys(range)), promisifyRequest(s.getAll(range))]);
    const [meta, key, legacy, parts, extra, genKeys, genValues] = await Promise.all([
      promisifyRequest(s.get(metaSlot)),
      promisifyRequest(s.get(keySlot)),
      promisifyRequest(s.get(legacySlot)),
      Promise.all(ranges.map(both)),
      Promise.all(prefetchRanges.map(both)),
      promisifyRequest(s.getAllKeys(genRange)),
      promisifyRequest(s.getAll(genRange)),
    ]);
    return {
      meta: meta as Snapshot['meta'],
      key,
      legacy,
      records: parts.flatMap(([keys, values]) => keys.map((k, i) => [k, values[i]] as [IDBValidKey, unknown])),
      prefetched: extra.flatMap(([keys, values]) => keys.map((k, i) => [k, values[i]] as [IDBValidKey, unknown])),
      generations: genKeys.flatMap((k, i) =>
        isGeneration(genValues[i]) ? [[String(k).slice(generationPrefix.length), genValues[i]] as [string, number]] : [],
      ),
    };
  });
}

function writeError(error: unknown): CacheError {
  const name = (error as { name?: string })?.name;
  if (name === 'QuotaExceededError') {
    return new CacheError(
      ErrorCode.cacheQuotaExceeded,
      'Storage quota exceeded: the change stays in memory and is written with the next successful write. Free space or remove unused accounts.',
      { cause: error, keptInMemory: true },
    );
  }
  return new CacheError(
    ErrorCode.cacheWriteFailed,
    'Writing the token cache to IndexedDB failed; the change stays in memory and is retried with the next write.',
    { cause: error, keptInMemory: true },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheError(ErrorCode.storageUnavailable, message)), ms);
    }),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
