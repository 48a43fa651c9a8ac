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
 * The bound checks live with the signers (pop/boundTokens.ts, loaded with the key).
 */
export function assertBoundTokenType(binding: TokenBinding | undefined, tokenType: string, accessToken: string): void {
  if (binding) binding.crypto.assertBoundToken(binding, tokenType, accessToken);
  else if (tokenType.toLowerCase() !== 'bearer')
    throw new ClientAuthError(
      ErrorCode.tokenTypeMismatch,
      `Asked for Bearer, the provider issued token_type "${tokenType}"; nothing stored. Ask for that scheme with authScheme.`,
    );
}

/**
 * What the caller gets for a token: a Bearer token as it is; a bound one through
 * pop/boundTokens.ts (a fresh Signed HTTP Request or DPoP proof per call, cache hits included).
 */
export function present(result: AuthenticationResult, scheme: AuthScheme, binding: TokenBinding | undefined): Promise<AuthenticationResult> {
  return binding ? binding.crypto.presentBound(result, scheme, binding) : Promise.resolve(result);
}
