import { ClientAuthError, ErrorCode } from '../../errors.js';
import { ApiId } from '../../http/telemetry.js';
import { requestScopes } from '../../protocol/scopes.js';
import { randomUuid } from '../../util/random.js';
import type { ClientContext } from '../context.js';
import { exchangeToken } from '../token/tokenExchange.js';
import type { AuthenticationResult } from '../../types.js';

/**
 * Redeems a refresh token obtained elsewhere (e.g. from another library) and stores the
 * result, migrating the person into keyward's cache (MSAL `acquire_token_by_refresh_token`).
 * The provider must return an id_token, which keyward needs to know whose tokens these are.
 */
export async function acquireTokenByRefreshToken(
  ctx: ClientContext,
  refreshToken: string,
  scopes: readonly string[],
  authority?: string,
): Promise<AuthenticationResult> {
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    throw new ClientAuthError(ErrorCode.invalidRequest, 'acquireTokenByRefreshToken needs a refresh token.');
  }
  return exchangeToken(ctx, {
    resolved: await ctx.resolve(authority),
    grant: { grant_type: 'refresh_token', refresh_token: refreshToken },
    scopes: requestScopes(scopes, ctx.options.excludeScopes),
    claims: undefined,
    apiId: ApiId.acquireTokenByRefreshToken,
    correlationId: randomUuid(),
    nonce: undefined,
    idTokenRequired: true,
  });
}
