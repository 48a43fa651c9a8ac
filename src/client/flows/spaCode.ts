import { ClientAuthError, ErrorCode } from '../../errors.js';
import { ApiId } from '../../http/telemetry.js';
import { requestScopes } from '../../protocol/scopes.js';
import type { AuthenticationResult } from '../../types.js';
import { randomUuid } from '../../util/random.js';
import { mergeClaims } from './claims.js';
import type { ClientContext } from '../context.js';
import { exchangeToken } from '../token/tokenExchange.js';

/** What `acquireTokenByCode` takes (MSAL.js `AuthorizationCodeRequest`, the hybrid SPA part). */
export interface AcquireTokenByCodeRequest {
  /** The `spaCode` keyward/server (or MSAL) obtained with `returnSpaCode: true`. Single-use. */
  code: string;
  /** Scopes to ask for; `openid profile offline_access` are added. Default: those alone. */
  scopes?: readonly string[];
  /** Authority override; default the configured one. */
  authority?: string;
}

/**
 * Redeems an Entra hybrid SPA code in the browser (MSAL.js `acquireTokenByCode`): a code the
 * web app's server got from its own redemption with `return_spa_code=1`, so the page gets its
 * own account and tokens without a second sign-in or a hidden iframe. As MSAL.js sends it
 * (its `HybridSpaAuthorizationCodeClient`): no PKCE verifier (a confidential client obtained
 * the code) and no `redirect_uri`. Its id_token's nonce belongs to the server's request, so
 * no nonce is checked; signature, issuer, audience and lifetime are. Concurrent calls with
 * the same code share one redemption, since a second one would be refused as a replay.
 * Sources: learn.microsoft.com/entra/msal/dotnet/advanced/spa-authorization-code;
 * MSAL Node `enableSpaAuthorizationCode`.
 */
export function acquireTokenByCode(ctx: ClientContext, request: AcquireTokenByCodeRequest): Promise<AuthenticationResult> {
  if (typeof request?.code !== 'string' || request.code === '') {
    return Promise.reject(
      new ClientAuthError(ErrorCode.codeMissing, 'acquireTokenByCode needs the SPA authorization code ("code") the server obtained with returnSpaCode.'),
    );
  }
  // Keyed by the code alone, not by a request key: the code is single-use whatever scopes or
  // authority a second caller names, so any second redemption would be refused as a replay.
  return ctx.spaCodeRedemptions.run(request.code, async () => {
    const resolved = await ctx.resolve(request.authority);
    return exchangeToken(ctx, {
      resolved,
      grant: { grant_type: 'authorization_code', code: request.code },
      scopes: requestScopes(request.scopes ?? [], ctx.options.excludeScopes),
      claims: mergeClaims(undefined, ctx.options.clientCapabilities),
      apiId: ApiId.acquireTokenByAuthCode,
      correlationId: randomUuid(),
      // The nonce in this id_token is the one of the server's authorization request.
      nonce: undefined,
      idTokenRequired: true,
    });
  });
}
