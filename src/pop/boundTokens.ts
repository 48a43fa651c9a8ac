// The bound-token half of pop/binding.ts: the checks and presentation that only a DPoP or AT-PoP
// request needs. Part of the proof-of-possession chunk (pop/popCrypto.ts), so a Bearer-only app
// does not download it.
import { decodeJwt } from 'jose';
import { ClientAuthError, ErrorCode } from '../errors.js';
import type { TokenBinding } from './binding.js';
import type { AuthenticationResult, AuthScheme } from '../types.js';

/** A bound token's type and key (docs/protocol.md checks 21 and 22); the Bearer case is pop/binding.ts's. */
export function assertBoundToken(binding: TokenBinding, tokenType: string, accessToken: string): void {
  const type = tokenType.toLowerCase();
  if (binding.type === 'dpop' && type !== 'dpop') {
    throw new ClientAuthError(
      ErrorCode.dpopTokenTypeMismatch,
      `Asked for DPoP, the provider issued token_type "${tokenType}" (does it support DPoP?); nothing stored.`,
    );
  }
  if (binding.type === 'pop') {
    if (type !== 'pop')
      throw new ClientAuthError(ErrorCode.popTokenTypeMismatch, `Asked for PoP, the provider issued token_type "${tokenType}"; nothing stored.`);
    let kid: unknown;
    try {
      kid = (decodeJwt(accessToken).cnf as { kid?: unknown } | undefined)?.kid;
    } catch {
      kid = undefined;
    }
    if (kid !== binding.key.thumbprint) {
      throw new ClientAuthError(ErrorCode.popCnfMismatch, 'The PoP access token is not bound to this client\'s key ("cnf.kid"); nothing stored.');
    }
  }
}

/**
 * What the caller gets for a bound token: for AT-PoP a fresh Signed HTTP Request wrapping the
 * token (every call, cache hits included); for DPoP the raw token plus, when the request
 * named `method` and `url`, a proof for that resource request (with `ath`).
 */
export async function presentBound(result: AuthenticationResult, scheme: AuthScheme, binding: TokenBinding): Promise<AuthenticationResult> {
  if (scheme.type === 'pop') {
    const shr = await binding.crypto.createSignedHttpRequest(binding.key, {
      accessToken: result.accessToken,
      method: scheme.method,
      url: scheme.url,
      ...(scheme.nonce !== undefined && { nonce: scheme.nonce }),
      ...(scheme.claims !== undefined && { claims: scheme.claims }),
    });
    return { ...result, accessToken: shr, tokenType: 'pop' };
  }
  if (scheme.type === 'dpop' && scheme.method && scheme.url) {
    const dpopProof = await binding.crypto.createDpopProof(binding.key, {
      htm: scheme.method,
      htu: scheme.url,
      accessToken: result.accessToken,
      ...(scheme.nonce !== undefined && { nonce: scheme.nonce }),
    });
    return { ...result, tokenType: 'DPoP', dpopProof };
  }
  return { ...result, tokenType: 'DPoP' };
}
