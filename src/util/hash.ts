import { base64url } from 'jose';

/** `BASE64URL(SHA-256(UTF-8(text)))`: PKCE's S256 challenge, DPoP's `ath`, RFC 7638 thumbprints. */
export async function sha256Base64url(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}
