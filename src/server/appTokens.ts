import type { AccessTokenEntity, AppMetadataEntity } from '../cache/entities.js';
import { accessTokenKey, appMetadataKey } from '../cache/keys.js';
import { accessTokenEntity } from '../cache/fromTokenResponse.js';
import type { ClientContext, ResolvedAuthority } from '../client/context.js';
import { accessTokenFields } from '../client/token/results.js';
import { freshness, outcomeOf } from '../cache/freshness.js';
import { requestTokens, type TokenRequest } from '../client/token/tokenExchange.js';
import { CacheOutcome, type CacheOutcomeValue } from '../http/telemetry.js';
import { lookupScopes, splitScopes, targetCovers } from '../protocol/scopes.js';
import { randomUuid } from '../util/random.js';
import { nowSeconds } from '../util/time.js';
import type { AccountInfo, AuthenticationResult } from '../types.js';

/**
 * A token result of keyward/server. Tokens an application gets for itself (client
 * credentials) or for a downstream API on a user's behalf are cached without an account,
 * as MSAL Node caches them, so `account` is `null` for those.
 */
export type ServerAuthenticationResult = Omit<AuthenticationResult, 'account'> & {
  /** The person the token is for; `null` for app-only tokens (`acquireTokenForClient`). */
  account: AccountInfo | null;
};

/** An access token entry as MSAL Node writes it, with the on-behalf-of assertion hash when there is one. */
type AppAccessToken = AccessTokenEntity & { user_assertion_hash?: string };

/** Which cached app tokens a request may use. */
export interface AppTokenQuery {
  resolved: ResolvedAuthority;
  scopes: readonly string[];
  /** On-behalf-of: base64url SHA-256 of the incoming user assertion (MSAL's `user_assertion_hash`). */
  userAssertionHash?: string;
  /** The account an on-behalf-of token is cached under (`''` when the assertion names none). */
  homeAccountId?: string;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function matches(ctx: ClientContext, query: AppTokenQuery, token: AppAccessToken): boolean {
  return (
    same(token.home_account_id, query.homeAccountId ?? '') &&
    same(token.environment, query.resolved.environment) &&
    same(token.realm, query.resolved.authority.tenant) &&
    token.client_id === ctx.clientId &&
    token.credential_type === 'AccessToken' &&
    (token.user_assertion_hash ?? undefined) === query.userAssertionHash
  );
}

/** A usable cached token, or why there is none (the telemetry cache outcome). */
export function findAppToken(ctx: ClientContext, query: AppTokenQuery): { token?: AppAccessToken; outcome: CacheOutcomeValue } {
  const wanted = lookupScopes(query.scopes);
  const candidates = Object.values(ctx.cache.read().AccessToken as Record<string, AppAccessToken>).filter(
    (token) => matches(ctx, query, token) && targetCovers(token.target, wanted),
  );
  const token = candidates[0];
  if (!token || candidates.length > 1) return { outcome: CacheOutcome.noAccessToken };
  return outcomeOf(freshness(token, nowSeconds()), token);
}

/** Sends the request, then stores the access token (and app metadata) in one atomic change, replacing overlapping ones. */
export async function requestAppToken(ctx: ClientContext, query: AppTokenQuery, request: TokenRequest): Promise<ServerAuthenticationResult> {
  const { tokens, requestedAt } = await requestTokens(ctx, request);
  const cache = await ctx.readyCache();
  const { resolved } = query;
  const target = splitScopes(tokens.scope).length > 0 ? tokens.scope! : query.scopes.join(' ');
  const token: AppAccessToken = {
    ...accessTokenEntity(tokens, {
      homeAccountId: query.homeAccountId ?? '',
      environment: resolved.environment,
      clientId: ctx.clientId,
      realm: resolved.authority.tenant,
      target,
      requestedAt,
    }),
    // App and on-behalf-of tokens are Bearer tokens, whatever token_type says.
    credential_type: 'AccessToken',
  };
  if (query.userAssertionHash !== undefined) token.user_assertion_hash = query.userAssertionHash;
  const newScopes = lookupScopes(splitScopes(target));
  const superseded = Object.entries(cache.read().AccessToken as Record<string, AppAccessToken>)
    .filter(
      ([key, old]) => key !== accessTokenKey(token) && matches(ctx, query, old) && splitScopes(old.target).some((scope) => newScopes.has(scope.toLowerCase())),
    )
    .map(([key]) => key);
  const appMetadata: AppMetadataEntity = { client_id: ctx.clientId, environment: resolved.environment };
  await cache.apply({
    set: { AccessToken: { [accessTokenKey(token)]: token }, AppMetadata: { [appMetadataKey(appMetadata)]: appMetadata } },
    remove: { AccessToken: superseded },
  });
  ctx.logger.info(`app token stored (api ${request.apiId}, correlation ${request.correlationId})`);
  return resultOf(token, false, request.correlationId, resolved.authority.canonical);
}

/** The public result for a cached or fresh app token. */
export function resultOf(token: AppAccessToken, fromCache: boolean, correlationId: string | undefined, authority: string): ServerAuthenticationResult {
  return {
    ...accessTokenFields(token),
    account: null,
    fromCache,
    correlationId: correlationId ?? randomUuid(),
    authority,
  };
}
