import { CacheError, ErrorCode } from '../errors.js';
/**
 * Encryption at rest for cache entries: AES-GCM 256 under a key WebCrypto generates as
 * non-extractable, so its bytes never exist in JavaScript; IndexedDB stores the
 * `CryptoKey` object itself (structured clone keeps it non-extractable).
 *
 * What this protects against: anyone who reads the storage without running code in the
 * page — a copied browser profile, disk forensics, a storage dump, a backup. What it does
 * not: code running in this origin (XSS, a malicious dependency) can ask WebCrypto to
 * decrypt, exactly as keyward does. It raises the bar; it does not replace a CSP.
 */

/** A sealed entry as stored. */
export interface SealedEntry {
  v: 1;
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

export function createCacheKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/**
 * Seals `value` as JSON. `slot` (the record key) is authenticated data: a sealed entry
 * copied to another key fails to open, so entries cannot be swapped around.
 */
export async function seal(key: CryptoKey, slot: string, value: unknown): Promise<SealedEntry> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(slot) },
    key,
    new TextEncoder().encode(JSON.stringify(value)),
  );
  return { v: 1, iv, data };
}

export async function open(key: CryptoKey, slot: string, sealed: unknown): Promise<unknown> {
  const entry = sealed as Partial<SealedEntry>;
  if (entry?.v !== 1 || !(entry.iv instanceof Uint8Array) || !(entry.data instanceof ArrayBuffer))
    throw new CacheError(ErrorCode.cacheEntryDropped, 'not a sealed entry');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: entry.iv as Uint8Array<ArrayBuffer>, additionalData: new TextEncoder().encode(slot) },
    key,
    entry.data,
  );
  return JSON.parse(new TextDecoder().decode(plain));
}
