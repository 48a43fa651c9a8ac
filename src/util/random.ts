import { base64url } from 'jose';

/** `bytes` random bytes from WebCrypto, base64url without padding. */
export function randomString(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A random RFC 4122 v4 UUID (correlation ids). */
export function randomUuid(): string {
  return crypto.randomUUID();
}
