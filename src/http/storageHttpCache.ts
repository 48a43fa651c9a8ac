import type { HttpCacheStore } from './httpCache.js';
import { localStorageOrUndefined } from '../util/storage.js';

/**
 * The default `httpCache`: discovery documents and instance metadata kept in localStorage, so a
 * reload needs no metadata round trip before the first token. Only public documents ever
 * go here (never tokens), which is why plain localStorage is fine. Falls back to memory
 * where localStorage is missing or full; touches no browser global until first used.
 */
export class StorageHttpCache implements HttpCacheStore {
  readonly #memory = new Map<string, unknown>();
  readonly #prefix: string;

  constructor(prefix = 'keyward.http|') {
    this.#prefix = prefix;
  }

  /** The value for `key`: from memory, else from localStorage. */
  get(key: string): unknown {
    if (this.#memory.has(key)) return this.#memory.get(key);
    try {
      const raw = storage()?.getItem(this.#prefix + key);
      if (raw == null) return undefined;
      const value: unknown = JSON.parse(raw);
      this.#memory.set(key, value);
      return value;
    } catch {
      return undefined;
    }
  }

  /** Stores `value` in memory and, when it can, in localStorage. */
  set(key: string, value: unknown): void {
    this.#memory.set(key, value);
    try {
      storage()?.setItem(this.#prefix + key, JSON.stringify(value));
    } catch {
      // Quota or privacy mode: the memory copy still serves this page.
    }
  }

  /** Removes `key` from memory and localStorage. */
  delete(key: string): void {
    this.#memory.delete(key);
    try {
      storage()?.removeItem(this.#prefix + key);
    } catch {
      // Nothing to do.
    }
  }
}

const storage = localStorageOrUndefined;
