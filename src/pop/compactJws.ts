import { base64url } from 'jose';
import type { PopKey } from './keyStore.js';

/** WebCrypto parameters of the two signing algorithms (RFC 7518 3.3 RS256, 3.4 ES256: raw `r || s`, which WebCrypto's ECDSA returns). */
const signing = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
} as const;

const encoder = new TextEncoder();

/** `BASE64URL(UTF8(JSON(header)))`: a JWS Protected Header (RFC 7515 7.1), encoded once per key by the callers. */
export function encodeProtectedHeader(header: Readonly<Record<string, unknown>>): string {
  return base64url.encode(JSON.stringify(header));
}

/**
 * A JWS in Compact Serialization (RFC 7515 7.1) over `payload`, signed with the key's
 * non-extractable private key: `header.payload.signature`, each base64url without padding.
 *
 * jose stays the JWS library for everything else (verification, base64url here); this hot path
 * signs directly because a Signed HTTP Request or DPoP proof is made per request with a key
 * this SDK generated itself for exactly one algorithm, so CompactSign's per-call work buys
 * nothing: re-serializing and re-parsing the same header, checking the key's type, usages and
 * modulus length, and two extra awaits (profile in bench/README.md, PoP section). The output is
 * byte for byte what `new CompactSign(utf8(JSON(payload))).setProtectedHeader(header).sign(key)`
 * gives (test/browser/pop.browser.test.ts compares them).
 */
export async function signCompact(key: PopKey, encodedProtectedHeader: string, payload: Readonly<Record<string, unknown>>): Promise<string> {
  const signingInput = `${encodedProtectedHeader}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign(signing[key.alg], key.privateKey, encoder.encode(signingInput));
  return `${signingInput}.${base64url.encode(new Uint8Array(signature))}`;
}
