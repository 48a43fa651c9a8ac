import { ClientAuthError, ErrorCode } from '../errors.js';
import { isLoopbackHost } from '../authority/authority.js';
import { encodeProtectedHeader, signCompact } from './compactJws.js';
import type { PopKey } from './keyStore.js';
import { sha256Base64url } from '../util/hash.js';

export interface DpopProofInput {
  /** HTTP method of the request the proof is for. */
  htm: string;
  /** Request URL; query and fragment are dropped (RFC 9449 4.2). */
  htu: string;
  /** The server's last `DPoP-Nonce`, if any. */
  nonce?: string;
  /** For resource requests: the access token, hashed into `ath`. */
  accessToken?: string;
}

const methodPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A DPoP proof JWT (RFC 9449 4.2), signed with WebCrypto over the non-extractable key (compactJws.ts):
 * header `typ: dpop+jwt`, `alg`, the public `jwk`; claims `jti`, `htm`, `htu`, `iat`,
 * `nonce` when the server gave one, `ath` for resource requests. Bad input is refused
 * before anything is signed (docs/protocol.md check 29).
 */
export async function createDpopProof(key: PopKey, input: DpopProofInput): Promise<string> {
  if (!methodPattern.test(input.htm)) throw invalid(`"${input.htm}" is not an HTTP method`);
  let url: URL;
  try {
    url = new URL(input.htu);
  } catch {
    throw invalid(`"${input.htu}" is not an absolute URL`);
  }
  if (url.username || url.password) throw invalid('the URL carries user information');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) throw invalid('the URL is not https');
  if (input.nonce !== undefined && input.nonce === '') throw invalid('the DPoP nonce is empty');
  const claims: Record<string, unknown> = {
    jti: crypto.randomUUID(),
    htm: input.htm.toUpperCase(),
    htu: `${url.origin}${url.pathname}`,
    iat: Math.floor(Date.now() / 1000),
  };
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  if (input.accessToken !== undefined) claims.ath = await accessTokenHash(key, input.accessToken);
  return signCompact(key, entryFor(key).header, claims);
}

/**
 * Per key: the encoded proof header (`typ`, `alg`, public `jwk`: the key's alone) and the last
 * `ath` (the same access token is presented many times). Keyed by the `PopKey` object, so a
 * rotated key (sign-out, removeAccount) starts afresh and the old key's entries go with it.
 */
const perKey = new WeakMap<PopKey, { header: string; ath?: { accessToken: string; hash: string } }>();

function entryFor(key: PopKey): { header: string; ath?: { accessToken: string; hash: string } } {
  let entry = perKey.get(key);
  if (!entry) {
    entry = { header: encodeProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk }) };
    perKey.set(key, entry);
  }
  return entry;
}

/** `ath`: base64url SHA-256 of the access token (RFC 9449 4.2), remembered for the last token of each key. */
async function accessTokenHash(key: PopKey, accessToken: string): Promise<string> {
  const entry = entryFor(key);
  if (entry.ath?.accessToken === accessToken) return entry.ath.hash;
  const hash = await sha256Base64url(accessToken);
  entry.ath = { accessToken, hash };
  return hash;
}

function invalid(reason: string): ClientAuthError {
  return new ClientAuthError(ErrorCode.invalidRequest, `Cannot create a DPoP proof: ${reason}.`);
}
