import { base64url } from 'jose';
import { encodeProtectedHeader, signCompact } from './compactJws.js';
import type { PopKey } from './keyStore.js';

export interface SignedHttpRequestInput {
  accessToken: string;
  method: string;
  url: string;
  /** The resource's nonce (`WWW-Authenticate … nonce=` / `Authentication-Info: nextnonce=`); else a fresh random one. */
  nonce?: string;
  /** Extra claims signed into the request (`client_claims`). */
  claims?: Record<string, unknown>;
}

/**
 * MSAL's Signed HTTP Request for AT-PoP (msal-common `PopTokenGenerator`; docs/protocol.md A10):
 * header `{typ: "pop", alg, kid}` where `kid` is base64url JSON `{kid: thumbprint}` as msal-browser writes it, payload `at`, `ts`, `m`, `u` (host), `p` (path), `q`
 * (raw query, as MSAL sends it), `nonce`, `client_claims`, `cnf.jwk`. A fresh one per call,
 * never cached; sent as `Authorization: PoP <shr>`.
 */
export function createSignedHttpRequest(key: PopKey, input: SignedHttpRequestInput): Promise<string> {
  const url = new URL(input.url);
  const payload: Record<string, unknown> = {
    at: input.accessToken,
    ts: Math.floor(Date.now() / 1000),
    m: input.method.toUpperCase(),
    u: url.host,
    p: url.pathname,
    nonce: input.nonce ?? crypto.randomUUID(),
    cnf: { jwk: key.publicJwk },
  };
  if (url.search.length > 1) payload.q = [[], url.search.slice(1)];
  if (input.claims) payload.client_claims = JSON.stringify(input.claims);
  return signCompact(key, shrHeader(key), payload);
}

/**
 * The encoded SHR header depends on the key alone, so it is built once per key. Keyed by the
 * `PopKey` object: a rotated key is a new object (a new header), and a dropped key takes its
 * header with it.
 */
const shrHeaders = new WeakMap<PopKey, string>();

function shrHeader(key: PopKey): string {
  let header = shrHeaders.get(key);
  if (header === undefined) {
    const kid = base64url.encode(JSON.stringify({ kid: key.thumbprint }));
    header = encodeProtectedHeader({ typ: 'pop', alg: key.alg, kid });
    shrHeaders.set(key, header);
  }
  return header;
}

/** `req_cnf` for the token request: base64url JSON `{kid, xms_ksl}` (msal-common `addPopToken`). */
export function requestConfirmation(key: PopKey): string {
  return base64url.encode(JSON.stringify({ kid: key.thumbprint, xms_ksl: 'sw' }));
}
