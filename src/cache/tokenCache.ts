import { type CacheData, cacheSections, type CacheSection } from './entities.js';

/** A batch of writes and removals applied atomically: readers see all of it or none. */
export interface CacheChange {
  set?: { [S in CacheSection]?: CacheData[S] };
  remove?: { [S in CacheSection]?: string[] };
}

/**
 * The storage contract the core uses. Reads are synchronous over an in-memory view, so a
 * cache hit costs no I/O; writes are asynchronous so an implementation can persist them.
 * keyward ships two: {@link SerializableTokenCache} (memory, MSAL-compatible
 * serialization, plugin hook) and {@link IndexedDbTokenCache} (persistent, encrypted, shared by tabs).
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
   */
  sync?(): Promise<void>;
}

/** Applies a change to a copy of `data` (copy-on-write keeps earlier snapshots valid). */
export function applyChange(data: Readonly<CacheData>, change: CacheChange): CacheData {
  const next = { ...data };
  for (const section of cacheSections) {
    const removals = change.remove?.[section];
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
  return cacheSections.every((section) => !change.remove?.[section]?.length && Object.keys(change.set?.[section] ?? {}).length === 0);
}
