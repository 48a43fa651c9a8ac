import { type Authority, multiTenantAliases } from '../../authority/authority.js';
import type { AccessTokenEntity, AccountEntity } from '../../cache/entities.js';
import { refOf } from '../../cache/fromTokenResponse.js';
import { bindingFor, present, schemeFor, type TokenBinding } from '../../pop/binding.js';
import { findAccessTokens, findAccount, findRefreshToken } from '../../cache/queries.js';
import { ClientAuthError, ConfigurationError, ErrorCode, InteractionRequiredError } from '../../errors.js';
import { ApiId, CacheOutcome, type CacheOutcomeValue } from '../../http/telemetry.js';
import { lookupScopes, requestScopes } from '../../protocol/scopes.js';
import { randomUuid } from '../../util/random.js';
import { nowSeconds } from '../../util/time.js';
import { freshness, outcomeOf, refreshTokenExpired } from '../../cache/freshness.js';
import { requestKey } from '../../util/requestKey.js';
import { mergeClaims } from './claims.js';
import type { ClientContext } from '../context.js';
import { accountAndIdToken, accountInfoFrom, resultFrom } from '../token/results.js';
import { withAccountRenewal } from './renewalLock.js';
import { exchangeToken } from '../token/tokenExchange.js';
import type { AccountInfo, AuthenticationResult, AuthScheme, CacheLookupPolicy, SilentOptions } from '../../types.js';

/**
 * Silent acquisition: a cached access token, else the refresh-token grant. Resolves
 * `null` when the cache holds nothing usable for the account; throws
 * {@link InteractionRequiredError} when the provider refuses the refresh token.
 * Concurrent calls for the same request share one network call.
 */
export async function acquireTokenSilent(
  ctx: ClientContext,
  scopes: readonly string[],
  account: AccountInfo,
  options: SilentOptions = {},
): Promise<AuthenticationResult | null> {
  if (!account || typeof account.homeAccountId !== 'string') {
    throw new ConfigurationError(ErrorCode.noAccount, 'acquireTokenSilent needs an account: pass one from getAccounts().');
  }
  const steps = stepsFor(ctx, options);
  const claims = mergeClaims(options.claimsChallenge, ctx.options.clientCapabilities);
  const scheme = schemeFor(options.authScheme, ctx.options.dpop);
  // The hot path (a Bearer cache hit) awaits nothing that has already settled: no key for
  // Bearer, and the context hands out the loaded cache and a resolved authority directly.
  const binding = scheme.type === 'bearer' ? undefined : await bindingFor(ctx.keys, scheme);
  const cache = ctx.loadedCache ?? (await ctx.readyCache());
  const resolved = ctx.resolvedNow(options.authority) ?? (await ctx.resolve(options.authority));
  const ref = { homeAccountId: account.homeAccountId, environment: resolved.environment, tenantId: tenantFor(resolved.authority, account) };
  const entity = findAccount(cache.read(), ref);
  if (!entity) return null;
  // Taken before any await that could let a sign-out in: an answer started under an older generation is discarded.
  const generation = cache.generationOf?.(entity.home_account_id, entity.environment, ctx.clientId);
  // The account's tokens are unsealed on its first use; afterwards this is undefined and nothing is awaited.
  const opening = cache.openAccount?.(entity.home_account_id, entity.environment);
  if (opening) await opening;

  let outcome: CacheOutcomeValue = CacheOutcome.noAccessToken;
  if (!steps.accessToken) {
    outcome = CacheOutcome.forceRefresh;
  } else {
    const hit = cachedAccessToken(ctx, entity, scopes, binding);
    if (hit.token) {
      const result = cachedResult(ctx, entity, hit.token, resolved.authority.canonical);
      return binding ? present(result, scheme, binding) : result;
    }
    outcome = hit.outcome;
  }
  // MSAL.js CacheLookupPolicy.AccessToken: the cache only, never the network.
  if (!steps.refreshToken && !steps.frame) return null;

  const sentScopes = requestScopes(scopes, ctx.options.excludeScopes);
  const key = requestKey({
    scopes: sentScopes,
    account: ref,
    authority: resolved.authority.canonical,
    ...(claims !== undefined && { claims }),
    ...(options.forceRefresh && { forceRefresh: true }),
    // One network call per scheme, key and set of allowed steps; the presentation (SHR, DPoP proof) is per caller.
    extra: `${scheme.type}|${steps.accessToken ? 'at' : ''}|${steps.refreshToken ? 'rt' : ''}|${steps.frame ? 'frame' : ''}`,
  });
  // Shared network call, per-caller presentation (a fresh SHR or DPoP proof for each).
  // What the cache held when this call began: a newer token found after waiting for the lock was renewed by someone else for us.
  const seenToken = newestToken(ctx, entity, scopes, binding);
  const result = await ctx.silentFlights.run(key, () =>
    refresh(ctx, entity, {
      requested: scopes,
      scopes: sentScopes,
      claims,
      outcome,
      authorityOverride: options.authority,
      binding,
      generation,
      steps,
      options,
      seenToken,
    }),
  );
  return result && present(result, scheme, binding);
}

const policies = new Set<CacheLookupPolicy>(['default', 'accessToken', 'accessTokenAndRefreshToken', 'refreshToken', 'refreshTokenAndNetwork', 'skipCache']);

/** Which steps a silent request may take (MSAL.js `CacheLookupPolicy`, see its TSDoc in types.ts). */
export interface SilentSteps {
  accessToken: boolean;
  refreshToken: boolean;
  /** The hidden-iframe sign-in (`prompt=none`): only in a browser client. */
  frame: boolean;
}

function stepsFor(ctx: ClientContext, options: SilentOptions): SilentSteps {
  const policy = options.cacheLookupPolicy ?? 'default';
  if (!policies.has(policy)) {
    throw new ConfigurationError(ErrorCode.invalidRequest, `"cacheLookupPolicy" must be one of ${[...policies].map((p) => `'${p}'`).join(', ')}.`);
  }
  const skipAccessToken = options.forceRefresh === true || options.claimsChallenge !== undefined;
  return {
    accessToken: !skipAccessToken && (policy === 'default' || policy === 'accessToken' || policy === 'accessTokenAndRefreshToken'),
    refreshToken: policy !== 'accessToken' && policy !== 'skipCache',
    frame: ctx.browser && typeof document !== 'undefined' && (policy === 'default' || policy === 'refreshTokenAndNetwork' || policy === 'skipCache'),
  };
}

/** What {@link refresh} needs of the request. */
interface RefreshRequest {
  requested: readonly string[];
  scopes: string[];
  claims: string | undefined;
  outcome: CacheOutcomeValue;
  authorityOverride: string | undefined;
  binding: TokenBinding | undefined;
  generation: number | undefined;
  steps: SilentSteps;
  options: SilentOptions;
  /** The newest matching access-token entry when the call began (entries are replaced, never mutated). */
  seenToken: AccessTokenEntity | undefined;
}

function newestToken(ctx: ClientContext, account: AccountEntity, scopes: readonly string[], binding: TokenBinding | undefined): AccessTokenEntity | undefined {
  const matches = findAccessTokens(ctx.cache.read(), refOf(account), ctx.clientId, scopes, binding?.type ?? 'bearer', binding?.key.thumbprint);
  return matches.map(([, token]) => token).sort((a, b) => Number(b.cached_at) - Number(a.cached_at))[0];
}

/** The cached access token if one is usable, or why not (the telemetry cache outcome). */
function cachedAccessToken(
  ctx: ClientContext,
  account: AccountEntity,
  scopes: readonly string[],
  binding: TokenBinding | undefined,
): { token?: AccessTokenEntity; outcome: CacheOutcomeValue } {
  const data = ctx.cache.read();
  // Bound tokens are looked up by scheme and key: a Bearer request never gets a PoP token, nor the reverse.
  const matches = findAccessTokens(data, refOf(account), ctx.clientId, scopes, binding?.type ?? 'bearer', binding?.key.thumbprint);
  if (matches.length === 0) return { outcome: CacheOutcome.noAccessToken };
  if (matches.length > 1) {
    // Ambiguous: MSAL drops them all and goes to the network.
    dropInBackground(
      ctx,
      matches.map(([key]) => key),
    );
    return { outcome: CacheOutcome.noAccessToken };
  }
  const [key, token] = matches[0]!;
  const state = freshness(token, nowSeconds());
  if (state === 'futureDated') {
    // The clock was turned back: the expiry cannot be trusted.
    dropInBackground(ctx, [key]);
    return { outcome: CacheOutcome.expired };
  }
  return outcomeOf(state, token);
}

/**
 * Removes access tokens without waiting. The caller goes to the network either way, so a
 * failing cache (a plugin whose storage is down) only costs a warning, never an unhandled
 * rejection, which would end a Node process by default.
 */
function dropInBackground(ctx: ClientContext, keys: string[]): void {
  ctx.cache.apply({ remove: { AccessToken: keys } }).catch((error: unknown) => {
    ctx.logger.warning(`could not drop unusable access tokens: ${(error as { errorCode?: string })?.errorCode ?? 'cache failure'}`);
  });
}

function cachedResult(ctx: ClientContext, account: AccountEntity, token: AccessTokenEntity, authority: string): AuthenticationResult {
  const { info, idToken } = accountAndIdToken(account, ctx.cache.read(), ctx.clientId);
  return resultFrom({
    accessToken: token,
    account: info,
    idToken: idToken?.secret,
    fromCache: true,
    correlationId: randomUuid(),
    authority,
  });
}

/**
 * The refresh-token grant, one at a time per account across all tabs: the refresh token
 * rotates, so a second redemption of the same one would be a replay that revokes the grant.
 * Inside the lock the cache is re-read, because another tab may have refreshed meanwhile.
 */
function refresh(ctx: ClientContext, account: AccountEntity, request: RefreshRequest): Promise<AuthenticationResult | null> {
  const { requested, scopes, claims, outcome, authorityOverride, binding, generation, steps } = request;
  return withAccountRenewal(ctx, account, generation, async (signal) => {
    const cache = await ctx.readyCache();
    // Only this account's records, and of its access tokens only those that could answer these
    // scopes (none for a forced refresh): nothing else matters to this refresh, so an account
    // with 1,000 cached tokens costs a refresh no more than one with a single token. A cache key
    // holds the token's target in lower case, so every token whose target covers the wanted
    // scopes passes this (a superset: the exact match is findAccessTokens' below).
    const wanted = [...lookupScopes(requested)];
    const accessTokens = outcome === CacheOutcome.forceRefresh ? () => false : (cacheKey: string) => wanted.every((scope) => cacheKey.includes(scope));
    await cache.sync?.({ homeAccountId: account.home_account_id, environment: account.environment }, { accessTokens });
    const resolved = await ctx.resolve(authorityOverride);
    const storedRefreshToken = findRefreshToken(cache.read(), refOf(account), ctx.clientId);
    const hit = cachedAccessToken(ctx, account, requested, binding);
    if (hit.token) {
      // Another tab renewed while this call waited for the lock (a refresh or an iframe sign-in):
      // that answer is ours, so tabs share one renewal. A forced refresh that still has a refresh
      // token redeems it (MSAL's forceRefresh goes to the provider: forced calls in several tabs
      // redeem one after another, each with the refresh token the previous one stored); one
      // without a refresh token would open another iframe, so it shares the renewal instead. A
      // claims request always needs its own.
      const forcedWithRefreshToken = outcome === CacheOutcome.forceRefresh && storedRefreshToken !== undefined;
      const renewedMeanwhile = !forcedWithRefreshToken && hit.token.secret !== request.seenToken?.secret && request.options.claimsChallenge === undefined;
      if ((outcome !== CacheOutcome.forceRefresh && steps.accessToken) || renewedMeanwhile) {
        return cachedResult(ctx, account, hit.token, resolved.authority.canonical);
      }
    }
    const viaFrame = (why: unknown): Promise<AuthenticationResult | null> => {
      if (!steps.frame) {
        if (why !== undefined) throw why;
        return Promise.resolve(null);
      }
      return renewThroughFrame(ctx, account, request, resolved.authority.canonical, why, signal);
    };
    let found = steps.refreshToken ? storedRefreshToken : undefined;
    if (found && refreshTokenExpired(found[1], nowSeconds())) {
      // Past its deadline (docs/protocol.md, refresh-token deadline): the provider would refuse it.
      await cache.apply({ remove: { RefreshToken: [found[0]] } });
      found = undefined;
    }
    if (!found) return viaFrame(undefined);
    const [rtKey, refreshToken] = found;
    // A DPoP-bound refresh token needs its own key (RFC 9449 5).
    if (refreshToken.key_id !== undefined) {
      if (binding?.type !== 'dpop') {
        // The provider would answer with a DPoP-bound token whatever we asked for; say so instead of mislabelling it.
        throw new ClientAuthError(
          ErrorCode.tokenTypeMismatch,
          `This account's refresh token is DPoP-bound: no ${binding ? 'PoP' : 'Bearer'} token from it. Ask with authScheme { type: 'dpop' }, or sign in again.`,
        );
      }
      if (binding.key.thumbprint !== refreshToken.key_id) {
        // The key is gone (site data cleared): the token is useless. Drop it so the app signs in again instead of looping.
        ctx.logger.warning('the key of a DPoP-bound refresh token is gone; dropping the refresh token');
        await cache.apply({ remove: { RefreshToken: [rtKey] } });
        return null;
      }
    }
    try {
      return await exchangeToken(ctx, {
        resolved,
        grant: { grant_type: 'refresh_token', refresh_token: refreshToken.secret },
        scopes,
        claims,
        apiId: ApiId.acquireTokenSilent,
        cacheOutcome: outcome,
        correlationId: randomUuid(),
        nonce: undefined,
        account,
        idTokenRequired: false,
        signal,
        ...(generation !== undefined && { generation }),
        ...(binding && { binding }),
      });
    } catch (error) {
      // A refused refresh token is dead: drop it so the next call does not send it again.
      if (refreshTokenRefused(error)) {
        await cache.apply({ remove: { RefreshToken: [rtKey] } });
      }
      if (frameMayHelp(error)) return viaFrame(error);
      throw error;
    }
  });
}

/**
 * True when a refused refresh token may be replaced by a `prompt=none` sign-in: the provider
 * refused the token (`invalid_grant`, `bad_token`) or asked for interaction, without a
 * suberror that needs the person (MSAL.js `acquireTokenSilent` falls back to the iframe on
 * the same errors; `basic_action`, `additional_action`, `message_only`, `consent_required`
 * would come back from the iframe unchanged).
 */
function frameMayHelp(error: unknown): boolean {
  if (!(error instanceof InteractionRequiredError)) return false;
  const suberror = error.suberror ?? '';
  if (suberror !== '' && suberror !== ErrorCode.badToken) return false;
  return error.errorCode === ErrorCode.invalidGrant || error.errorCode === ErrorCode.badToken || error.errorCode === ErrorCode.interactionRequired;
}

/**
 * The silent fallback: a hidden-iframe sign-in for this account (see ssoSilent.ts), inside the
 * caller's cross-tab lock so tabs do not each open one. The answer must be the same person;
 * the access token is then read from the cache, so every scheme gets its own presentation.
 * When the iframe cannot help either, its error is thrown (an {@link InteractionRequiredError}
 * for "ask the person"); `cause` keeps the refresh token's refusal, if there was one.
 */
async function renewThroughFrame(
  ctx: ClientContext,
  account: AccountEntity,
  request: RefreshRequest,
  authority: string,
  refusal: unknown,
  signal: AbortSignal,
): Promise<AuthenticationResult> {
  const { options } = request;
  const info = accountInfoFrom(account, ctx.cache.read(), ctx.clientId);
  let result: AuthenticationResult;
  try {
    // The frame code loads with the first frame sign-in: most silent calls never need it.
    const { ssoSilent } = await import('./ssoSilent.js');
    result = await ssoSilent(
      ctx,
      {
        scopes: [...request.requested],
        account: info,
        ...(options.authority !== undefined && { authority: options.authority }),
        ...(options.claimsChallenge !== undefined && { claimsChallenge: options.claimsChallenge }),
        ...(options.authScheme && { authScheme: options.authScheme.type === 'pop' ? options.authScheme : ({ type: options.authScheme.type } as AuthScheme) }),
      },
      { account, signal, ...(request.generation !== undefined && { generation: request.generation }) },
    );
  } catch (error) {
    if (refusal !== undefined && error instanceof Error && error.cause === undefined) (error as { cause?: unknown }).cause = refusal;
    throw error;
  }
  const hit = cachedAccessToken(ctx, account, request.requested, request.binding);
  if (!hit.token) return result;
  return { ...cachedResult(ctx, account, hit.token, authority), fromCache: false, correlationId: result.correlationId };
}

/**
 * True when the provider refused the refresh token itself, not this one request.
 * msal-common `RefreshTokenClient.acquireTokenWithCachedRefreshToken` removes the refresh
 * token only for the `bad_token` suberror (`InteractionRequiredAuthErrorCodes.badToken`);
 * keyward also drops it for a plain `invalid_grant` without suberror (RFC 6749 5.2: the
 * refresh token is invalid, expired or revoked): sending it again can only fail again.
 * Where the hidden-iframe fallback may run (`cacheLookupPolicy` `default`,
 * `refreshTokenAndNetwork`) it replaces the token at once; elsewhere the next call goes
 * interactive instead of looping (docs/protocol.md, silent fallback). Any other suberror (`consent_required`, `basic_action`,
 * `additional_action`, `message_only`, `user_password_expired`…) concerns the one resource
 * or a step the person must take; the refresh token still serves other resources and stays.
 */
export function refreshTokenRefused(error: unknown): boolean {
  if (!(error instanceof InteractionRequiredError)) return false;
  if (error.suberror === ErrorCode.badToken || error.errorCode === ErrorCode.badToken) return true;
  return error.errorCode === ErrorCode.invalidGrant && (error.suberror === undefined || error.suberror === '');
}

/** A tenant-specific authority selects that tenant profile of a multi-tenant account; otherwise the account's own. */
function tenantFor(authority: Authority, account: AccountInfo): string {
  if (authority.kind === 'aad' && !multiTenantAliases.has(authority.tenant)) {
    const profile = account.tenantProfiles?.find((candidate) => candidate.tenantId.toLowerCase() === authority.tenant);
    if (profile) return profile.tenantId;
  }
  return account.tenantId;
}
