import { ClientAuthError, ErrorCode } from '../../errors.js';
import { ApiId } from '../../http/telemetry.js';
import { requestScopes } from '../../protocol/scopes.js';
import { randomUuid } from '../../util/random.js';
import { mergeClaims } from './claims.js';
import type { ClientContext } from '../context.js';
import { exchangeToken } from '../token/tokenExchange.js';
import { bindingFor, present, schemeFor } from '../../pop/binding.js';
import type { AuthenticationResult, AuthScheme } from '../../types.js';

/** Options of `acquireTokenByUsernamePassword`. */
export interface UsernamePasswordOptions {
  /** A JSON claims request to send. */
  claimsChallenge?: string;
  /** Authority override, in the same family as the configured one. */
  authority?: string;
  /** Bind the tokens: MSAL AT-PoP or DPoP. */
  authScheme?: AuthScheme;
}

/**
 * The resource owner password grant (MSAL `acquire_token_by_username_password`).
 * Legacy and discouraged: it bypasses MFA and conditional access prompts, and RFC 9700 2.4
 * says not to use it. It exists for migrations and test automation. The password goes only
 * into the token request body; it is never logged, stored, or put in an error.
 */
export async function acquireTokenByUsernamePassword(
  ctx: ClientContext,
  username: string,
  password: string,
  scopes: readonly string[],
  options: UsernamePasswordOptions = {},
): Promise<AuthenticationResult> {
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw new ClientAuthError(ErrorCode.invalidRequest, 'acquireTokenByUsernamePassword needs a username and a password.');
  }
  const scheme = schemeFor(options.authScheme, ctx.options.dpop);
  const binding = await bindingFor(ctx.keys, scheme);
  const result = await exchangeToken(ctx, {
    binding,
    resolved: await ctx.resolve(options.authority),
    grant: { grant_type: 'password', username, password },
    scopes: requestScopes(scopes, ctx.options.excludeScopes),
    claims: mergeClaims(options.claimsChallenge, ctx.options.clientCapabilities),
    apiId: ApiId.acquireTokenByUsernamePassword,
    correlationId: randomUuid(),
    nonce: null,
    idTokenRequired: true,
  });
  return present(result, scheme, binding);
}
