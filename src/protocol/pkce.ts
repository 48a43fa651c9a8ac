import { randomString } from '../util/random.js';
import { sha256Base64url } from '../util/hash.js';

/** A PKCE pair (RFC 7636). Only S256 is ever used (RFC 9700 2.1.1; docs/protocol.md check 33). */
export interface Pkce {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
}

/**
 * Fresh verifier per request: 32 random bytes, base64url (43 chars), as MSAL.js does.
 * oidc-client-ts has the same helper, but only inside `SigninRequest`, which also owns
 * the `state` value and cannot send a caller-chosen `state` as MSAL's API requires.
 */
export async function createPkce(): Promise<Pkce> {
  const codeVerifier = randomString(32);
  return { codeVerifier, codeChallenge: await codeChallengeFor(codeVerifier), codeChallengeMethod: 'S256' };
}

/** `BASE64URL(SHA256(ascii(verifier)))` (RFC 7636 4.2). */
export function codeChallengeFor(codeVerifier: string): Promise<string> {
  return sha256Base64url(codeVerifier);
}
