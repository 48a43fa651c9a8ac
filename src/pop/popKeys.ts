import { deletePopKeys } from './keySlots.js';
import type { PopKey, PopKeyPurpose, PopKeyStore } from './keyStore.js';

/** The proof-of-possession module (pop/popCrypto.ts), once loaded. */
export type PopCrypto = typeof import('./popCrypto.js');

/**
 * A client's proof-of-possession keys, with the signing code loaded on first use.
 *
 * Why a lazy `import()` here rather than scheme objects passed per request or a separate entry
 * point: an app asks for a bound token through the same `authScheme` option (or `dpop: true`)
 * everywhere, so the API stays as it is, and an app that only ever asks for Bearer tokens never
 * downloads the key store, the signers or jose's JWS code. The module is loaded once per client
 * (the first `get`); every later request, including each fresh Signed HTTP Request or DPoP
 * proof on a cache hit, reuses it with no further round trip.
 */
export class PopKeys {
  readonly #clientId: string;
  #loaded: Promise<{ crypto: PopCrypto; store: PopKeyStore }> | undefined;

  constructor(clientId: string) {
    this.#clientId = clientId;
  }

  /** The signing code and this client's key store, loaded once. */
  load(): Promise<{ crypto: PopCrypto; store: PopKeyStore }> {
    this.#loaded ??= import('./popCrypto.js').then((crypto) => ({ crypto, store: new crypto.PopKeyStore(this.#clientId) }));
    // A failed download (offline, a new deployment) is tried again on the next request.
    this.#loaded.catch(() => {
      this.#loaded = undefined;
    });
    return this.#loaded;
  }

  /** The key for `purpose`, loaded or created once per page (see {@link PopKeyStore.get}). */
  async get(purpose: PopKeyPurpose): Promise<PopKey> {
    return (await this.load()).store.get(purpose);
  }

  /** Forgets every key (sign-out): through the loaded store, or straight from IndexedDB when this page never loaded one. */
  async rotate(): Promise<void> {
    if (this.#loaded) await (await this.#loaded).store.rotate();
    else await deletePopKeys(this.#clientId);
  }
}
