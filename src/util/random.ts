import { base64url } from 'jose';

/** `bytes` random bytes from WebCrypto, base64url without padding. */
export function randomString(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/*
 * UUIDs are formatted from a pool of WebCrypto random bytes: `crypto.randomUUID()` per call
 * was a fifth of a cache hit's time (every hit gets a correlation id). The ids are as random
 * as before (CSPRNG bytes, RFC 4122 version and variant bits).
 */
const uuidPool = new Uint8Array(16 * 256);
let uuidNext = uuidPool.length;
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A random RFC 4122 v4 UUID (correlation ids, assertion ids). */
export function randomUuid(): string {
  if (uuidNext === uuidPool.length) {
    crypto.getRandomValues(uuidPool);
    uuidNext = 0;
  }
  const b = uuidPool.subarray(uuidNext, uuidNext + 16);
  uuidNext += 16;
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return `${hex[b[0]!]}${hex[b[1]!]}${hex[b[2]!]}${hex[b[3]!]}-${hex[b[4]!]}${hex[b[5]!]}-${hex[b[6]!]}${hex[b[7]!]}-${hex[b[8]!]}${hex[b[9]!]}-${hex[b[10]!]}${hex[b[11]!]}${hex[b[12]!]}${hex[b[13]!]}${hex[b[14]!]}${hex[b[15]!]}`;
}
