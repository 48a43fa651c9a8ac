import { decodeJwt } from 'jose';
import { ClientAuthError, ErrorCode } from '../errors.js';
import type { DpopNonces } from './dpopNonces.js';
import type { PopKey } from './keyStore.js';
import type { PopCrypto, PopKeys } from './popKeys.js';
import type { AuthenticationResult, AuthScheme } from '../types.js';

/** A token request bound to a key: MSAL AT-PoP or DPoP. */
export interface TokenBinding {
  type: 'pop' | 'dpop';
  key: PopKey;
  /** The signers, loaded with the key (pop/popKeys.ts). */
  crypto: PopCrypto;
}

/** The scheme of a request: the one asked for, else the client's default (`dpop: true`), else Bearer. */
export function schemeFor(requested: AuthScheme | undefined, dpopByDefault: boolean | undefined): AuthScheme {
  return requested ?? (dpopByDefault ? { type: 'dpop' } : { type: 'bearer' });
}

export async function bindingFor(keys: PopKeys, scheme: AuthScheme): Promise<TokenBinding | undefined> {
  if (scheme.type === 'bearer') return undefined;
  const { crypto, store } = await keys.load();
  return { type: scheme.type, key: await store.get(scheme.type), crypto };
}

/** Form fields MSAL sends for AT-PoP: `token_type=pop` and `req_cnf` (msal-common `addPopToken`). */
export function popRequestFields(binding: TokenBinding | undefined): Record<string, string> {
  return binding?.type === 'pop' ? { token_type: 'pop', req_cnf: binding.crypto.requestConfirmation(binding.key) } : {};
}

/** The `DPoP` header for a token-endpoint request (no `ath` there, RFC 9449 4.2). */
export function tokenEndpointProof(binding: TokenBinding | undefined, tokenEndpoint: string, nonces: DpopNonces, nonce?: string): Promise<string> | undefined {
  if (binding?.type !== 'dpop') return undefined;
  return binding.crypto.createDpopProof(binding.key, { htm: 'POST', htu: tokenEndpoint, nonce: nonce ?? nonces.get(tokenEndpoint) });
}

/**
 * The token type must be the one asked for (docs/protocol.md check 21, compared case-insensitively), and
 * an AT-PoP token must be bound to our key (`cnf.kid`, docs/protocol.md check 22); otherwise nothing is stored.
 */
export function assertBoundTokenType(binding: TokenBinding | undefined, tokenType: string, accessToken: string): void {
  const type = tokenType.toLowerCase();
  if (!binding) {
    if (type !== 'bearer')
      throw new ClientAuthError(
        ErrorCode.tokenTypeMismatch,
        `Asked for Bearer, the provider issued token_type "${tokenType}"; nothing stored. Ask for that scheme with authScheme.`,
      );
    return;
  }
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
export async function present(result: AuthenticationResult, scheme: AuthScheme, binding: TokenBinding | undefined): Promise<AuthenticationResult> {
  if (!binding) return result;
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
