import { CacheError, ErrorCode } from '../errors.js';
import { type AccountEntity, type CacheData, cacheSections, type CacheSection } from './entities.js';
import { accountGroup } from './keys.js';

/** A batch of writes and removals applied atomically: readers see all of it or none. */
export interface CacheChange {
  /** Entries to write, by section and cache key (replacing an entry with the same key). */
  set?: Partial<CacheData>;
  /** Cache keys to remove, by section. */
  remove?: Partial<Record<CacheSection, string[]>>;
  /**
   * Account groups (`home_account_id-environment`) signed out by this change: every entry of theirs is
   * removed and their generation goes up, so an answer still on the wire for them is
   * discarded when it arrives (see `expect`).
   */
  signOut?: string[];
  /**
   * The generation of each named account group this change was started under. The change
   * is applied only if every one is still current: a sign-out in any tab since then wins and
   * the change is refused with a `CacheError` `account_signed_out`.
   */
  expect?: Record<string, number>;
}

/**
 * The storage contract the core uses. Reads are synchronous over an in-memory view, so a
 * cache hit costs no I/O; writes are asynchronous so an implementation can persist them.
 * keyward ships two, in `keyward/cache`: `SerializableTokenCache` (memory, MSAL-compatible
 * serialization, plugin hook) and `IndexedDbTokenCache` (persistent, encrypted, shared by tabs).
 */
export interface TokenCache {
  /** Loads persisted state; called once before the first read. */
  load(): Promise<void>;
  /** The current contents. Treat as immutable: it is replaced, never mutated, on change. */
  read(): Readonly<CacheData>;
  /**
   * Applies a change; resolves when it is durable. If it cannot be made durable, it throws a
   * `CacheError`; with `keptInMemory` the change is nonetheless visible (see IndexedDbTokenCache).
   */
  apply(change: CacheChange): Promise<void>;
  /** Called after every applied change (from this page, or from another tab where supported). */
  subscribe(listener: () => void): () => void;
  /**
   * Re-reads persisted state written by other tabs. Called inside the cross-tab refresh
   * lock, never on the hot path. Caches that only live in this page need not implement it.
   * With `options.accessTokens`, a cache may re-read only the access tokens whose cache key
   * passes (a refresh needs its refresh token and the tokens that could answer its scopes).
   */
  sync?(account?: { homeAccountId: string; environment: string }, options?: { accessTokens?: (cacheKey: string) => boolean }): Promise<void>;
  /**
   * Caches that unseal secrets lazily: makes the access and refresh tokens of one account
   * readable through `read()`. Returns `undefined` when they already are, so a cache hit
   * awaits nothing.
   */
  openAccount?(homeAccountId: string, environment: string): Promise<void> | undefined;
  /** The sign-out generation of an account group (0 until it is first signed out). */
  generationOf?(homeAccountId: string, environment: string): number;
  /**
   * Releases what the cache holds open (a `BroadcastChannel`, a connection); reads from memory
   * keep working. Optional; `PublicClientApplication.close()` calls it on the cache it created.
   */
  close?(): void;
  /**
   * Caches that keep a clear account index: the Account entities known before `load()`
   * settles (synchronously, no token unsealed). Used only until the cache is loaded. With
   * `clientId`, only the accounts that client holds a credential for, or that no client does
   * (as `read()` would list them for it once loaded).
   */
  peekAccounts?(clientId?: string): AccountEntity[];
}

/** Applies a change to a copy of `data` (copy-on-write keeps earlier snapshots valid). */
export function applyChange(data: Readonly<CacheData>, change: CacheChange): CacheData {
  const next = { ...data };
  const signedOut = change.signOut?.length ? new Set(change.signOut) : undefined;
  for (const section of cacheSections) {
    let removals = change.remove?.[section];
    if (signedOut && section !== 'AppMetadata') {
      const owned = Object.entries(data[section] as Record<string, { home_account_id: string; environment: string }>)
        .filter(([, entry]) => signedOut.has(accountGroup(entry.home_account_id, entry.environment)))
        .map(([key]) => key);
      if (owned.length) removals = [...(removals ?? []), ...owned];
    }
    const additions = change.set?.[section];
    if (!removals?.length && !additions) continue;
    const copy: Record<string, unknown> = { ...data[section] };
    for (const key of removals ?? []) delete copy[key];
    Object.assign(copy, additions);
    (next as Record<string, unknown>)[section] = copy;
  }
  return next;
}

/** True when a change writes or removes nothing. */
export function isEmptyChange(change: CacheChange): boolean {
  return (
    !change.signOut?.length && cacheSections.every((section) => !change.remove?.[section]?.length && Object.keys(change.set?.[section] ?? {}).length === 0)
  );
}

/** The error a write refused by a sign-out (`expect`) gets, and a renewal a sign-out stopped. */
export function signedOutError(): CacheError {
  return new CacheError(ErrorCode.accountSignedOut, 'The account was signed out while this request was in flight; its answer was discarded.');
}
