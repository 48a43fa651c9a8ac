// Its own module, apart from the proof signer (dpopProof.ts): every client keeps nonces, but the
// signer and jose's JWS code load only with the first DPoP request (pop/popKeys.ts).

/** Remembers the last `DPoP-Nonce` per server origin (RFC 9449 8, 9). */
export class DpopNonces {
  readonly #byOrigin = new Map<string, string>();

  get(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin);
  }

  /** Keeps a nonce a response carried (on errors and successes alike). */
  remember(url: string, headers: Record<string, string> | Headers): void {
    const nonce = headers instanceof Headers ? headers.get('dpop-nonce') : headers['dpop-nonce'];
    if (nonce) this.#byOrigin.set(new URL(url).origin, nonce);
  }
}
