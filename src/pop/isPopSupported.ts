/**
 * True when this runtime can hold proof-of-possession keys: WebCrypto's `subtle` API (which
 * implies a secure context in browsers) with key generation and signing. Touches nothing at import.
 */
export function isPopSupported(): boolean {
  const subtle = globalThis.crypto?.subtle;
  const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext !== false;
  return secure && typeof subtle?.generateKey === 'function' && typeof subtle.sign === 'function' && typeof subtle.exportKey === 'function';
}
