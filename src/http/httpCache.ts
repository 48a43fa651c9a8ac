/**
 * Where metadata and JWKS documents are kept between calls (the `httpCache` option):
 * any Map-like store. A `Map` is the default; an app may pass one that persists.
 * Only public documents go here, never tokens.
 */
export interface HttpCacheStore {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  delete?(key: string): unknown;
}

/** One cached document. */
export interface CachedDocument {
  body: unknown;
  /** Epoch milliseconds after which the document is fetched again. */
  expiresAt: number;
}

export function readCachedDocument(store: HttpCacheStore, key: string): unknown {
  const entry = store.get(key) as Partial<CachedDocument> | undefined;
  if (!entry || typeof entry !== 'object' || typeof entry.expiresAt !== 'number') return undefined;
  return entry.expiresAt > Date.now() ? entry.body : undefined;
}

export function writeCachedDocument(store: HttpCacheStore, key: string, body: unknown, ttlMs: number): void {
  const entry: CachedDocument = { body, expiresAt: Date.now() + ttlMs };
  store.set(key, entry);
}
