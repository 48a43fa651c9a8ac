import { cacheSections, type CacheData, emptyCacheData } from './entities.js';
import type { CacheChange, TokenCache } from './tokenCache.js';

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

/** The in-memory cache: the default until a persistent one is configured. Lives as long as the page. */
export class MemoryTokenCache implements TokenCache {
  #data: CacheData = emptyCacheData();
  readonly #listeners = new Set<() => void>();

  async load(): Promise<void> {}

  read(): Readonly<CacheData> {
    return this.#data;
  }

  async apply(change: CacheChange): Promise<void> {
    this.#data = applyChange(this.#data, change);
    for (const listener of this.#listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
