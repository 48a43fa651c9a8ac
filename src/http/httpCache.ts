/**
 * Where metadata and JWKS documents are kept between calls (the `httpCache` option):
 * any Map-like store. A `Map` is the default; an app may pass one that persists.
 * Only public documents go here, never tokens.
 */
export interface HttpCacheStore {
  /** The value stored under `key`, or `undefined`. */
  get(key: string): unknown;
  /** Stores `value` (JSON-serializable) under `key`. */
  set(key: string, value: unknown): unknown;
  /** Removes `key` (a document that failed re-validation). */
  delete?(key: string): unknown;
}

/** One cached document. */
export interface CachedDocument {
  body: unknown;
  /** Epoch milliseconds after which the document is fetched again. */
  expiresAt: number;
  /** Epoch milliseconds when it was written. */
  storedAt: number;
}

/** How far in the future a `storedAt` may lie (another tab's clock is the same clock; this is rounding room). */
const futureToleranceMs = 60 * 1000;

/**
 * A cached document, or `undefined` when absent or stale. The store may be persistent and
 * shared with every script of the origin (localStorage), so nothing in an entry is trusted
 * beyond what keyward itself would have written: the entry lives at most `ttlMs` after its
 * `storedAt` (a far-future `expiresAt` is capped), an entry "written in the future" or
 * without `storedAt` is ignored, and callers re-validate the body as they validate a fresh
 * answer. One injected entry therefore lasts at most `ttlMs`, and only if it passes those checks.
 */
export function readCachedDocument(store: HttpCacheStore, key: string, ttlMs: number): unknown {
  const entry = store.get(key) as Partial<CachedDocument> | undefined;
  if (!entry || typeof entry !== 'object' || typeof entry.expiresAt !== 'number' || typeof entry.storedAt !== 'number') return undefined;
  const now = Date.now();
  if (!Number.isFinite(entry.storedAt) || entry.storedAt > now + futureToleranceMs) return undefined;
  return Math.min(entry.expiresAt, entry.storedAt + ttlMs) > now ? entry.body : undefined;
}

export function writeCachedDocument(store: HttpCacheStore, key: string, body: unknown, ttlMs: number): void {
  const now = Date.now();
  const entry: CachedDocument = { body, expiresAt: now + ttlMs, storedAt: now };
  store.set(key, entry);
}
