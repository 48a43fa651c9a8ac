import { CacheError, ErrorCode } from '../errors.js';
import { type CacheData, cacheSections, emptyCacheData } from './entities.js';
import { applyChange, type CacheChange, generationIn, signedOutError, type TokenCache } from './tokenCache.js';
import { accountGroup, clientGroupKey } from './keys.js';
import { normalizeEntry } from './validation.js';
import { Subscribable } from '../util/subscribable.js';

/** A warning from a cache that degraded but kept working (no throw: the app goes on). */
export interface CacheWarning {
  /** Always `warning`: warnings are reported, never thrown. */
  type: 'warning';
  /** `storage_unavailable`, `cache_entry_dropped`, `cache_migrated`… (see {@link ErrorCode}). */
  code: string;
  /** What happened, for people (no secrets, no claims). */
  message: string;
}

/** What a {@link CachePlugin} is handed around each cache access (MSAL's `TokenCacheContext`). */
export interface CacheAccessContext {
  /** The cache being accessed: `deserialize()` into it before, `serialize()` it after. */
  tokenCache: SerializableTokenCache;
  /** On `afterCacheAccess`: true when the access changed the cache (persist it then). */
  cacheHasChanged: boolean;
}

/**
 * Keeps the cache somewhere else (a server, an encrypted file, another storage): load it in
 * `beforeCacheAccess` with `tokenCache.deserialize()`, save it in `afterCacheAccess` with
 * `tokenCache.serialize()` when `cacheHasChanged` (MSAL's `ICachePlugin`).
 * `beforeCacheAccess` runs when the cache is loaded and before every write; reads between
 * writes come from memory, so a cache hit never waits on the plugin.
 */
export interface CachePlugin {
  /** Called before keyward reads or writes the cache: load the stored state with `context.tokenCache.deserialize(...)`. */
  beforeCacheAccess(context: CacheAccessContext): Promise<void> | void;
  /** Called after the access: when `context.cacheHasChanged`, store `context.tokenCache.serialize()`. */
  afterCacheAccess(context: CacheAccessContext): Promise<void> | void;
}

/** Options of {@link SerializableTokenCache}. */
export interface SerializableTokenCacheOptions {
  /** Where to persist the cache (MSAL's cache-plugin contract). Default none: memory only. */
  plugin?: CachePlugin;
}

/**
 * The in-memory token cache, serializable in MSAL's cross-language JSON format so a cache
 * can move between keyward and MSAL (`serialize`, `deserialize`, `hasStateChanged`, as
 * MSAL's `SerializableTokenCache`). The default `tokenCache`.
 */
export class SerializableTokenCache implements TokenCache {
  /** The current contents, for subclasses; replaced (never mutated) through `replaceData`. */
  protected data: CacheData = emptyCacheData();
  /** Top-level sections keyward does not use, kept so a round trip through keyward loses nothing MSAL wrote. */
  #otherSections: Record<string, unknown> = {};
  #changed = false;
  readonly #changes = new Subscribable();
  readonly #warnings = new Subscribable<(warning: CacheWarning) => void>();
  readonly #plugin: CachePlugin | undefined;
  /** Sign-out generation per account group (absent: 0). */
  protected readonly generations = new Map<string, number>();

  constructor(options: SerializableTokenCacheOptions = {}) {
    this.#plugin = options.plugin;
  }

  /** True when the cache changed since the last `serialize()` (or creation). */
  get hasStateChanged(): boolean {
    return this.#changed;
  }

  async load(): Promise<void> {
    if (this.#plugin) {
      await this.#plugin.beforeCacheAccess({ tokenCache: this, cacheHasChanged: false });
      await this.#plugin.afterCacheAccess({ tokenCache: this, cacheHasChanged: false });
    }
  }

  read(): Readonly<CacheData> {
    return this.data;
  }

  async apply(change: CacheChange): Promise<void> {
    await this.#plugin?.beforeCacheAccess({ tokenCache: this, cacheHasChanged: false });
    await this.commit(change);
    await this.#plugin?.afterCacheAccess({ tokenCache: this, cacheHasChanged: true });
  }

  /** Makes a change durable and visible; subclasses persist here. */
  protected async commit(change: CacheChange): Promise<void> {
    this.assertCurrent(change, this.generations);
    this.#signOut([...(change.signOut ?? []), ...(change.retire ?? [])], this.generations);
    this.replaceData(applyChange(this.data, change));
  }

  generationOf(homeAccountId: string, environment: string, clientId?: string): number {
    // On the token hot path (every acquireTokenSilent): the sum generationIn makes, without parsing the key back.
    const group = accountGroup(homeAccountId, environment);
    const account = this.generations.get(group) ?? 0;
    return clientId === undefined ? account : account + (this.generations.get(clientGroupKey(group, clientId)) ?? 0);
  }

  /** Refuses a change started before a sign-out of an account it writes for. */
  protected assertCurrent(change: CacheChange, generations: ReadonlyMap<string, number>): void {
    for (const [group, generation] of Object.entries(change.expect ?? {})) {
      if (generationIn(generations, group) !== generation) {
        throw signedOutError();
      }
    }
  }

  #signOut(groups: readonly string[], generations: Map<string, number>): void {
    for (const group of groups) generations.set(group, (generations.get(group) ?? 0) + 1);
  }

  /** Swaps in new contents and tells every subscriber. */
  protected replaceData(next: CacheData): void {
    this.data = next;
    this.#changed = true;
    this.#changes.notify();
  }

  subscribe(listener: () => void): () => void {
    return this.#changes.subscribe(listener);
  }

  /** Warnings: storage unavailable, an unreadable entry dropped, a migration. */
  onWarning(listener: (warning: CacheWarning) => void): () => void {
    return this.#warnings.subscribe(listener);
  }

  /** For subclasses: reports a warning to every `onWarning` listener. */
  protected warn(code: string, message: string): void {
    this.#warnings.notify({ type: 'warning', code, message });
  }

  /** The whole cache as MSAL's JSON (top-level `Account`, `IdToken`, `AccessToken`, `RefreshToken`, `AppMetadata`). */
  serialize(): string {
    this.#changed = false;
    return JSON.stringify({ ...this.#otherSections, ...this.data });
  }

  /**
   * Replaces the contents with a cache serialized by keyward or MSAL. Entries that are not
   * valid entries of their section are dropped (and reported); JSON that is not a cache at
   * all throws and leaves the current contents as they were.
   */
  async deserialize(json: string): Promise<void> {
    const parsed = parseCacheJson(json);
    this.#otherSections = Object.fromEntries(Object.entries(parsed).filter(([name]) => !(cacheSections as readonly string[]).includes(name)));
    const next = emptyCacheData();
    let dropped = 0;
    for (const section of cacheSections) {
      for (const [key, value] of Object.entries(parsed[section] ?? {})) {
        const entry = normalizeEntry(section, value);
        if (entry) (next[section] as Record<string, unknown>)[key] = entry;
        else dropped++;
      }
    }
    if (dropped)
      this.warn(
        ErrorCode.cacheEntryDropped,
        `${dropped} cache entr${dropped === 1 ? 'y was' : 'ies were'} not valid and ${dropped === 1 ? 'was' : 'were'} dropped while deserializing.`,
      );
    const remove = Object.fromEntries(cacheSections.map((section) => [section, Object.keys(this.data[section])]));
    await this.commit({ remove, set: next });
  }
}

function parseCacheJson(json: string): Partial<Record<keyof CacheData, Record<string, unknown>>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw new CacheError(ErrorCode.cacheDeserializeFailed, 'The serialized token cache is not JSON. Nothing was changed.', { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CacheError(ErrorCode.cacheDeserializeFailed, 'The serialized token cache is not a JSON object. Nothing was changed.');
  }
  const record = parsed as Record<string, unknown>;
  for (const section of cacheSections) {
    const value = record[section];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new CacheError(ErrorCode.cacheDeserializeFailed, `The serialized token cache's "${section}" is not an object. Nothing was changed.`);
    }
  }
  return record as Partial<Record<keyof CacheData, Record<string, unknown>>>;
}
