import { decodeJwt, type JWTPayload } from 'jose';
import type { AccountEntity } from '../../cache/entities.js';
import { cacheWriteFor, refOf } from '../../cache/fromTokenResponse.js';
import { findIdToken } from '../../cache/queries.js';
import { CacheError, ClientAuthError, ErrorCode, IdTokenError } from '../../errors.js';
import { ApiId, currentTelemetry, telemetryParams, type ApiIdValue, type CacheOutcomeValue } from '../../http/telemetry.js';
import { send } from '../../http/transport.js';
import { parseClientInfo } from '../../protocol/clientInfo.js';
import { verifyIdToken } from '../../protocol/idToken.js';
import { parseTokenResponse, type TokenResponse } from '../../protocol/tokenResponse.js';
import { throttleKey } from '../../http/throttle.js';
import { assertBoundTokenType, popRequestFields, tokenEndpointProof, type TokenBinding } from '../../pop/binding.js';
import { nowSeconds } from '../../util/time.js';
import type { ClientContext, ResolvedAuthority } from '../context.js';
import { accountInfoFrom, resultFrom } from './results.js';
import type { IdTokenClaims, AuthenticationResult } from '../../types.js';
import { accountGroup, clientGroupKey } from '../../cache/keys.js';
import type { Authority } from '../../authority/authority.js';

/** One call to the token endpoint: what is sent, and how. */
export interface TokenRequest {
  resolved: ResolvedAuthority;
  /** Grant-specific form fields (`grant_type`, `code`, `refresh_token`, …). */
  grant: Record<string, string>;
  scopes: string[];
  claims: string | undefined;
  apiId: ApiIdValue;
  cacheOutcome?: CacheOutcomeValue;
  correlationId: string;
  /** For refreshes: the account the refresh token belongs to. */
  account?: AccountEntity;
  /** The key the tokens are bound to (AT-PoP or DPoP), if any. */
  binding?: TokenBinding;
  /** Aborts the request; an answer arriving after the abort is not stored. */
  signal?: AbortSignal;
  /**
   * The sign-out generation of this client's part of the account when the request started
   * (`TokenCache.generationOf` with the client id): the answer is stored only if neither the
   * account nor this client's part of it was signed out meanwhile, in any tab.
   */
  generation?: number;
  /** Another host's token endpoint for this authority (an Entra regional endpoint); default the metadata's. */
  tokenEndpoint?: string;
  /** Platform fields of `x-client-current-telemetry` (the region used, see keyward/server). */
  telemetryPlatformFields?: string;
}

/** One call to the token endpoint and everything that follows from its answer. */
export interface TokenExchange extends TokenRequest {
  /** id_token expectations: the nonce sent (`null`: none sent; `undefined`: refresh, skip). */
  nonce: string | null | undefined;
  maxAge?: number;
  /** True when the response must carry an id_token (code grants: `openid` is always requested). */
  idTokenRequired: boolean;
  state?: string;
}

/** A token response that passed the transport and shape checks, and when it was asked for. */
export interface ReceivedTokens {
  tokens: TokenResponse;
  /** Epoch seconds when the request was sent (expiry is counted from here, as MSAL does). */
  requestedAt: number;
}

/**
 * Sends one token request (with the client's credential, telemetry, PoP/DPoP fields) and
 * checks the answer's shape; nothing is validated against the cache or stored here.
 * Throttles repeatable grants, as MSAL does.
 */
export async function requestTokens(ctx: ClientContext, exchange: TokenRequest): Promise<ReceivedTokens> {
  const { resolved, correlationId, binding } = exchange;
  const { authority, metadata } = resolved;
  const tokenEndpoint = exchange.tokenEndpoint ?? metadata.tokenEndpoint;
  const body = new URLSearchParams({ client_id: ctx.clientId, ...exchange.grant, scope: exchange.scopes.join(' '), ...popRequestFields(binding) });
  if (exchange.claims) body.set('claims', exchange.claims);
  if (authority.kind !== 'oidc') body.set('client_info', '1');
  for (const [name, value] of Object.entries(telemetryParams({ correlationId, appName: ctx.options.appName, appVersion: ctx.options.appVersion })))
    body.set(name, value);

  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' };
  const telemetry = currentTelemetry(exchange.apiId, exchange.cacheOutcome, exchange.telemetryPlatformFields);
  // Entra allows this header in CORS (MSAL.js sends it); elsewhere a custom header costs a preflight per call.
  if (authority.kind === 'oidc') body.set('x-client-current-telemetry', telemetry);
  else headers['x-client-current-telemetry'] = telemetry;

  const homeAccountId = exchange.account?.home_account_id;
  // Only grants that can be repeated identically are throttled; a code or device code is new each time.
  const repeatable = exchange.grant.grant_type === 'refresh_token' || exchange.grant.grant_type === 'password';
  // For the password grant the person is the username: one person's throttle must not block another.
  const throttleId = throttleKey({
    clientId: ctx.clientId,
    authority: authority.canonical,
    grantType: exchange.grant.grant_type ?? '',
    scopes: exchange.scopes,
    homeAccountId: homeAccountId ?? exchange.grant.username,
    claims: exchange.claims,
  });
  if (repeatable) ctx.throttle.check(throttleId);

  const requestedAt = nowSeconds();
  ctx.logger.verbose(`token request (api ${exchange.apiId}, grant ${exchange.grant.grant_type ?? '?'}) correlation ${correlationId}`);
  let tokens: TokenResponse;
  try {
    const post = async (nonce?: string) => {
      // Built per attempt, transport retries included: a DPoP proof's and a client
      // assertion's jti are single-use, so a retry must not replay them.
      const build = async () => {
        const proof = await tokenEndpointProof(binding, tokenEndpoint, ctx.dpopNonces, nonce);
        const form = new URLSearchParams(body);
        for (const [name, value] of Object.entries((await ctx.clientAuthentication?.(tokenEndpoint)) ?? {})) form.set(name, value);
        return { url: tokenEndpoint, method: 'POST' as const, headers: proof ? { ...headers, dpop: proof } : headers, body: form.toString() };
      };
      const response = await send(ctx.transport, build, exchange.signal);
      if (binding?.type === 'dpop') ctx.dpopNonces.remember(tokenEndpoint, response.headers);
      return response;
    };
    let response = await post();
    // RFC 9449 8: the server wants a nonce; retry exactly once with it (MSAL.js has no such retry).
    if (binding?.type === 'dpop' && response.status === 400 && response.headers['dpop-nonce'] && /"use_dpop_nonce"/.test(response.body)) {
      response = await post(response.headers['dpop-nonce']);
    }
    tokens = parseTokenResponse(response, tokenEndpoint, correlationId);
    assertBoundTokenType(binding, tokens.token_type, tokens.access_token);
  } catch (error) {
    if (repeatable) ctx.throttle.record(throttleId, error, homeAccountId, exchange.apiId === ApiId.acquireTokenSilent);
    throw error;
  }
  return { tokens, requestedAt };
}

/**
 * Redeems a grant at the token endpoint, validates everything in the answer, and only
 * then writes the cache in one atomic change: a bad answer never touches stored state.
 */
export async function exchangeToken(ctx: ClientContext, exchange: TokenExchange): Promise<AuthenticationResult> {
  const { resolved, correlationId } = exchange;
  const { authority, metadata } = resolved;
  const { binding } = exchange;
  const { tokens, requestedAt } = await requestTokens(ctx, exchange);

  let claims: IdTokenClaims | undefined;
  if (tokens.id_token) {
    const expectations = { issuer: metadata.issuer, clientId: ctx.clientId, nonce: exchange.nonce, advertisedAlgs: metadata.idTokenSigningAlgs };
    claims = await verifyIdToken(tokens.id_token, exchange.maxAge === undefined ? expectations : { ...expectations, maxAge: exchange.maxAge }, {
      get: () => ctx.keySets.get(metadata.jwksUri),
      refetch: () => ctx.keySets.refetch(metadata.jwksUri),
    });
    if (exchange.account) {
      const stored = findIdToken((await ctx.readyCache()).read(), refOf(exchange.account), ctx.clientId);
      assertSamePerson(exchange.account, stored && storedClaims(stored.secret), claims, tokens.client_info);
    }
  } else if (exchange.idTokenRequired) {
    throw new IdTokenError(ErrorCode.idTokenMissing, 'The token response has no id_token although "openid" was requested. Nothing was stored.', {
      correlationId,
    });
  }

  const cache = await ctx.readyCache();
  if (exchange.signal?.aborted) throw new ClientAuthError(ErrorCode.aborted, 'The request was aborted; the answer was not stored.', { correlationId });
  const writeFor = () =>
    cacheWriteFor(
      {
        clientId: ctx.clientId,
        authority,
        environment: resolved.environment,
        response: tokens,
        idTokenClaims: claims,
        account: exchange.account,
        requestedScopes: exchange.scopes,
        requestedAt,
        ...(binding && { keyId: binding.key.thumbprint, refreshTokenBound: binding.type === 'dpop' }),
        ...refreshTokenRules(ctx, authority, exchange.grant.grant_type),
      },
      cache.read(),
    );
  if (exchange.account) await cache.openAccount?.(exchange.account.home_account_id, exchange.account.environment);
  let write = writeFor();
  // A write replaces the account's overlapping tokens: they must be readable first.
  const opening = cache.openAccount?.(write.account.home_account_id, write.account.environment);
  if (opening) {
    await opening;
    write = writeFor();
  }

  const guarded =
    exchange.generation === undefined || !exchange.account
      ? write.change
      : {
          ...write.change,
          expect: { [clientGroupKey(accountGroup(exchange.account.home_account_id, exchange.account.environment), ctx.clientId)]: exchange.generation },
        };
  try {
    await cache.apply(guarded);
  } catch (error) {
    // The tokens are valid and already in memory (the refresh token may have rotated): hand
    // them out; the cache reported the failure to its onWarning listeners.
    if (!(error instanceof CacheError && error.keptInMemory)) throw error;
    ctx.logger.warning(`tokens kept in memory only: ${error.errorCode}`);
  }
  ctx.throttle.clearAccount(write.account.home_account_id);
  ctx.logger.info(`tokens stored (correlation ${correlationId})`);
  ctx.logger.pii('verbose', `tokens stored for ${write.account.username}`);

  const parts = {
    accessToken: write.accessToken,
    account: accountInfoFrom(write.account, cache.read(), ctx.clientId),
    idToken: tokens.id_token,
    fromCache: false,
    correlationId,
    authority: authority.canonical,
  };
  const result = resultFrom(exchange.state === undefined ? parts : { ...parts, state: exchange.state });
  if (tokens.spa_code !== undefined) result.spaCode = tokens.spa_code;
  return result;
}

/** Entra single-page-app refresh tokens live 24 hours from the sign-in (learn.microsoft.com/entra/identity-platform/refresh-tokens). */
const entraSpaRefreshTokenLifetime = 24 * 60 * 60;

/**
 * The refresh-token lifetime to assume when the provider does not say (docs/protocol.md,
 * refresh-token deadline): the app's `refreshTokenLifetime`, else 24 hours for a browser
 * client of an Entra authority (a `spa` redirect URI; AD FS has no such rule), else none.
 */
function refreshTokenRules(
  ctx: ClientContext,
  authority: Authority,
  grantType: string | undefined,
): { refreshTokenLifetime?: number; fromRefreshToken: boolean } {
  const entraSpa = ctx.browser && authority.kind !== 'oidc' && authority.kind !== 'adfs';
  const lifetime = ctx.options.refreshTokenLifetime ?? (entraSpa ? entraSpaRefreshTokenLifetime : undefined);
  return { ...(lifetime !== undefined && { refreshTokenLifetime: lifetime }), fromRefreshToken: grantType === 'refresh_token' };
}

/**
 * A refreshed id_token must describe the same person (OIDC Core 12.2): the same `iss`, the
 * same signed `sub`, the same `aud` and `azp` as the id_token stored at sign-in. Without a
 * stored one, its `oid` (else `sub`) must be the account's local id, which came from a
 * signed id_token too. The unsigned `client_info` never stands in for these; it must only
 * agree when present. One case has no signed link: an Entra token for another tenant of the
 * same person (a new tenant profile: another `iss`, `sub` and `oid`); there the account key
 * MSAL uses, `client_info`'s `uid.utid`, is required and must match.
 */
function assertSamePerson(account: AccountEntity, stored: JWTPayload | undefined, claims: IdTokenClaims, clientInfo: string | undefined): void {
  const changed = (): IdTokenError =>
    new IdTokenError(
      ErrorCode.idTokenSubjectChanged,
      'The refreshed id_token names another person, issuer or audience than the signed-in account; the account was kept. Sign in again.',
    );
  const info = parseClientInfo(clientInfo);
  if (info && account.client_info && `${info.uid}.${info.utid}` !== account.home_account_id) throw changed();
  const tenant = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : undefined;
  if (tenant !== undefined && account.realm !== '' && tenant !== account.realm.toLowerCase()) {
    if (!info || `${info.uid}.${info.utid}` !== account.home_account_id) throw changed();
    return;
  }
  if (stored) {
    if (stored.iss !== claims.iss || stored.sub !== claims.sub || audiences(stored.aud) !== audiences(claims.aud) || stored.azp !== claims.azp) throw changed();
    return;
  }
  if ((typeof claims.oid === 'string' ? claims.oid : claims.sub) !== account.local_account_id) throw changed();
}

function audiences(aud: unknown): string {
  return (Array.isArray(aud) ? [...aud] : [aud]).map(String).sort().join(' ');
}

/** Claims of the id_token stored at sign-in (verified then); undefined when unreadable. */
function storedClaims(idToken: string): JWTPayload | undefined {
  try {
    return decodeJwt(idToken);
  } catch {
    return undefined;
  }
}
