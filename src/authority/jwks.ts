import type { JSONWebKeySet } from 'jose';
import { ConfigurationError, ErrorCode } from '../errors.js';
import { type HttpCacheStore, readCachedDocument, writeCachedDocument } from '../http/httpCache.js';
import { parseJsonBody, send, type TransportOptions } from '../http/transport.js';

const jwksTtlMs = 24 * 60 * 60 * 1000;
/** An unknown `kid` may trigger a refetch at most this often (OIDC Core 10.1; keeps a forged `kid` from becoming a request flood). */
const refetchIntervalMs = 60 * 1000;

/**
 * The provider's signing keys, cached in `httpCache` so verifying an id_token costs no
 * round trip on the hot path. jose's `createRemoteJWKSet` would fetch with its own `fetch`
 * and cache, bypassing `httpClient`, `timeout` and `httpCache`; so keyward fetches the set
 * and gives it to jose's `createLocalJWKSet`.
 */
export class KeySetSource {
  readonly #transport: TransportOptions;
  readonly #httpCache: HttpCacheStore;
  readonly #lastFetch = new Map<string, number>();

  constructor(transport: TransportOptions, httpCache: HttpCacheStore) {
    this.#transport = transport;
    this.#httpCache = httpCache;
  }

  /** The cached set, fetched when absent or stale. */
  async get(jwksUri: string): Promise<JSONWebKeySet> {
    const cached = readCachedDocument(this.#httpCache, cacheKey(jwksUri)) as JSONWebKeySet | undefined;
    return cached ?? this.#fetch(jwksUri);
  }

  /** A fresh set after an unknown `kid`, or `undefined` when one was fetched too recently. */
  async refetch(jwksUri: string): Promise<JSONWebKeySet | undefined> {
    const last = this.#lastFetch.get(jwksUri) ?? 0;
    if (Date.now() - last < refetchIntervalMs) return undefined;
    return this.#fetch(jwksUri);
  }

  async #fetch(jwksUri: string): Promise<JSONWebKeySet> {
    this.#lastFetch.set(jwksUri, Date.now());
    const response = await send({ ...this.#transport, maxRetryAfterWait: 5 }, { url: jwksUri, method: 'GET', headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      throw new ConfigurationError(ErrorCode.invalidMetadata, `The provider's key set at ${jwksUri} answered HTTP ${response.status}.`);
    }
    const body = parseJsonBody(response, jwksUri);
    if (!Array.isArray(body.keys)) throw new ConfigurationError(ErrorCode.invalidMetadata, `The key set at ${jwksUri} has no "keys" array.`);
    const keySet = body as unknown as JSONWebKeySet;
    writeCachedDocument(this.#httpCache, cacheKey(jwksUri), keySet, jwksTtlMs);
    return keySet;
  }
}

function cacheKey(jwksUri: string): string {
  return `keyward.jwks|${jwksUri}`;
}
