import type { JSONWebKeySet } from 'jose';
import { ConfigurationError, ErrorCode } from '../errors.js';
import { parseJsonBody, send, type TransportOptions } from '../http/transport.js';
import { SingleFlight } from '../util/singleFlight.js';

/** A key set is fetched again after a day, like the discovery document. */
const jwksTtlMs = 24 * 60 * 60 * 1000;
/**
 * An unknown `kid` refetches the set when the last fetch is older than this (OIDC Core
 * 10.1.1 key rotation). 30 s is jose's `createRemoteJWKSet` `cooldownDuration`: short enough
 * that a sign-in just after a rotation succeeds, long enough that forged `kid`s cannot turn
 * every token into a request.
 */
export const refetchCooldownMs = 30 * 1000;

/**
 * The provider's signing keys, kept in memory for this page (never in `httpCache`): a key
 * set decides which id_tokens are genuine, so one written into persistent storage by a
 * same-origin script would let forged tokens pass on every later page load. One fetch per
 * page load that verifies an id_token is the price. jose's `createRemoteJWKSet` would fetch
 * with its own `fetch`, bypassing `httpClient` and `timeout`; so keyward fetches the set and
 * gives it to jose's `createLocalJWKSet`. Concurrent fetches of one set share one request.
 */
export class KeySetSource {
  readonly #transport: TransportOptions;
  readonly #sets = new Map<string, { keys: JSONWebKeySet; fetchedAt: number }>();
  readonly #inFlight = new SingleFlight<JSONWebKeySet>();

  constructor(transport: TransportOptions) {
    this.#transport = transport;
  }

  /** The set, fetched when absent or older than a day. */
  async get(jwksUri: string): Promise<JSONWebKeySet> {
    const held = this.#sets.get(jwksUri);
    if (held && Date.now() - held.fetchedAt < jwksTtlMs) return held.keys;
    return this.#fetch(jwksUri);
  }

  /** A fresh set after an unknown `kid`, or `undefined` when the last fetch is too recent. */
  async refetch(jwksUri: string): Promise<JSONWebKeySet | undefined> {
    const held = this.#sets.get(jwksUri);
    if (held && Date.now() - held.fetchedAt < refetchCooldownMs) return undefined;
    return this.#fetch(jwksUri);
  }

  #fetch(jwksUri: string): Promise<JSONWebKeySet> {
    return this.#inFlight.run(jwksUri, async () => {
      const response = await send({ ...this.#transport, maxRetryAfterWait: 5 }, { url: jwksUri, method: 'GET', headers: { accept: 'application/json' } });
      if (response.status !== 200) {
        throw new ConfigurationError(ErrorCode.invalidMetadata, `The provider's key set at ${jwksUri} answered HTTP ${response.status}.`);
      }
      const body = parseJsonBody(response, jwksUri);
      if (!Array.isArray(body.keys)) throw new ConfigurationError(ErrorCode.invalidMetadata, `The key set at ${jwksUri} has no "keys" array.`);
      const keys = body as unknown as JSONWebKeySet;
      this.#sets.set(jwksUri, { keys, fetchedAt: Date.now() });
      return keys;
    });
  }
}
