import type { CacheData, CacheSection } from './entities.js';

/** A batch of writes and removals applied atomically: readers see all of it or none. */
export interface CacheChange {
  set?: { [S in CacheSection]?: CacheData[S] };
  remove?: { [S in CacheSection]?: string[] };
}

/**
 * The storage contract the core uses. Reads are synchronous over an in-memory view, so a
 * cache hit costs no I/O; writes are asynchronous so an implementation can persist them
 * (the IndexedDB cache implements this same interface).
 */
export interface TokenCache {
  /** Loads persisted state; called once before the first read. */
  load(): Promise<void>;
  /** The current contents. Treat as immutable: it is replaced, never mutated, on change. */
  read(): Readonly<CacheData>;
  /** Applies a change; resolves when it is durable. On failure nothing of it is visible. */
  apply(change: CacheChange): Promise<void>;
  /** Called after every applied change (from this page, or from another tab where supported). */
  subscribe(listener: () => void): () => void;
}
