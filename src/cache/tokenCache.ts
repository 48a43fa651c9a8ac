import { CacheError, ErrorCode } from '../errors.js';
import { type AccountEntity, type CacheData, cacheSections, type CacheSection } from './entities.js';
import { accountGroup, clientGroupKey, parseClientGroupKey } from './keys.js';

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
   * One client's part of accounts signed out by this change, while other client ids of the same
   * provider keep theirs (keys of the form `["<account group>","<client id>"]`): that client's
   * id, access and refresh tokens of the account are removed and its own generation goes up,
   * so an answer still on the wire for that client is discarded; the other clients' tokens
   * and requests are left alone.
   */
  retire?: string[];
  /**
   * The generation of each named account group this change was started under. The change
   * is applied only if every one is still current: a sign-out in any tab since then wins and
   * the change is refused with a `CacheError` `account_signed_out`. A client's key
   * (`["<account group>","<client id>"]`) stands for the account's generation plus that client's
   * own: a sign-out of the account, or of that client only, refuses the change.
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
  /**
   * The sign-out generation of an account group (0 until it is first signed out). With
   * `clientId`, that of the client's part of it: the account's generation plus the client's own
   * (see `CacheChange.retire`), the value its `expect` entries compare with.
   */
  generationOf?(homeAccountId: string, environment: string, clientId?: string): number;
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
  const retired = change.retire?.length ? new Set(change.retire) : undefined;
  for (const section of cacheSections) {
    let removals = change.remove?.[section];
    if ((signedOut || (retired && section !== 'Account')) && section !== 'AppMetadata') {
      const owned = Object.entries(data[section] as Record<string, { home_account_id: string; environment: string; client_id?: string }>)
        .filter(([, entry]) => {
          const group = accountGroup(entry.home_account_id, entry.environment);
          return signedOut?.has(group) || (section !== 'Account' && retired?.has(clientGroupKey(group, entry.client_id ?? '')));
        })
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
    !change.signOut?.length &&
    !change.retire?.length &&
    cacheSections.every((section) => !change.remove?.[section]?.length && Object.keys(change.set?.[section] ?? {}).length === 0)
  );
}

/** The error a write refused by a sign-out (`expect`) gets, and a renewal a sign-out stopped. */
export function signedOutError(): CacheError {
  return new CacheError(ErrorCode.accountSignedOut, 'The account was signed out while this request was in flight; its answer was discarded.');
}

/**
 * The generation an `expect` entry compares with: an account group's own, or for a client's
 * key (`clientGroupKey`), the account's plus the client's, so that a sign-out of either moves
 * it (both only ever go up).
 */
export function generationIn(generations: ReadonlyMap<string, number>, key: string): number {
  const client = parseClientGroupKey(key);
  return (generations.get(key) ?? 0) + (client ? (generations.get(client.group) ?? 0) : 0);
}
