import { ClientAuthError, ErrorCode, InteractionRequiredError, isInteractionRequired, isProviderRefusal, ServerError } from '../../errors.js';
import type { AccountEntity } from '../../cache/entities.js';
import { ApiId, telemetryParams } from '../../http/telemetry.js';
import type { AuthCodeFlow } from '../../protocol/authCodeFlow.js';
import { assertMaxAge, buildAuthorizeUrl } from '../../protocol/authorizeRequest.js';
import { type AuthResponse, validateAuthResponse } from '../../protocol/authResponse.js';
import { createPkce } from '../../protocol/pkce.js';
import { requestScopes } from '../../protocol/scopes.js';
import { randomString, randomUuid } from '../../util/random.js';
import { nowSeconds } from '../../util/time.js';
import { mergeClaims } from './claims.js';
import type { ClientContext, ResolvedAuthority } from '../context.js';
import { errorResultFrom } from '../token/results.js';
import { exchangeToken } from '../token/tokenExchange.js';
import { assertNotExpiredRequestUri, usesPushedAuthorization } from './pushedAuthorization.js';
import { bindingFor, present, schemeFor } from '../../pop/binding.js';
import { accountGroup } from '../../cache/keys.js';
import { saveSessionState } from '../browser/sessionStateStore.js';
import type { AuthenticationResult, TokenErrorResult, AuthCodeFlowOptions } from '../../types.js';

/** Options of `getAuthorizationRequestUrl` (MSAL `get_authorization_request_url`). */
export interface AuthorizationRequestUrlOptions {
  /** Pre-fills the sign-in name (`login_hint`). */
  loginHint?: string;
  /** The `state` to send; keep it to compare with the response. Default: a fresh random value. */
  state?: string;
  /** Where the provider sends the response (registered exactly). Default: the client's `redirectUri`. */
  redirectUri?: string;
  /** OAuth `response_type`. Default `code`. */
  responseType?: string;
  /** OIDC `prompt` (`login`, `select_account`, `consent`, `none`, `create`). */
  prompt?: string;
  /** The nonce the id_token must echo. Default: a fresh random value (kept nowhere: check it yourself). */
  nonce?: string;
  /** Entra `domain_hint`. */
  domainHint?: string;
  /** A JSON claims request (`claims`), e.g. from a resource's challenge. */
  claimsChallenge?: string;
  /** PKCE challenge (S256) if you manage the verifier yourself; prefer `initiateAuthCodeFlow`. */
  codeChallenge?: string;
  /** Authority override for this request, in the same family as the configured one. */
  authority?: string;
}

/** Options of `acquireTokenByAuthorizationCode`. */
export interface AuthorizationCodeOptions {
  /** The redirect URI the authorization request used; must be the same. Default: the client's `redirectUri`. */
  redirectUri?: string;
  /** The nonce sent in the authorization request; the id_token must carry it. */
  nonce?: string;
  /** The PKCE verifier, when the authorization request carried a challenge. */
  codeVerifier?: string;
  /** A JSON claims request to send with the redemption. */
  claimsChallenge?: string;
  /** Authority override, in the same family as the configured one. */
  authority?: string;
}

/** The redirect URI: given, configured, or this page (read at call time, never at import). */
export function redirectUriFor(ctx: ClientContext, given: string | undefined): string {
  const uri = given ?? ctx.options.redirectUri ?? (typeof location !== 'undefined' ? `${location.origin}${location.pathname}` : undefined);
  if (!uri) throw new ClientAuthError(ErrorCode.invalidRequest, 'No "redirectUri": pass one in the options (there is no page location to default to here).');
  return uri;
}

function extraParams(ctx: ClientContext, resolved: ResolvedAuthority, correlationId: string): Record<string, string> {
  const extra = telemetryParams({ correlationId, appName: ctx.options.appName, appVersion: ctx.options.appVersion });
  if (resolved.authority.kind !== 'oidc') extra.client_info = '1';
  return extra;
}

/** Starts a PKCE authorization-code flow: fresh state, nonce and verifier every time. */
export async function initiateAuthCodeFlow(
  ctx: ClientContext,
  scopes: readonly string[],
  options: AuthCodeFlowOptions = {},
  // Parameters with no AuthCodeFlowOptions field (a silent sign-in's `sid`).
  extraQuery: Readonly<Record<string, string>> = {},
): Promise<AuthCodeFlow> {
  assertMaxAge(options.maxAge);
  const claims = mergeClaims(options.claimsChallenge, ctx.options.clientCapabilities);
  const resolved = await ctx.resolve(options.authority);
  const redirectUri = redirectUriFor(ctx, options.redirectUri);
  const pkce = await createPkce();
  const state = options.state ?? randomString(32);
  const nonce = randomString(32);
  const sentScopes = requestScopes(scopes, ctx.options.excludeScopes);
  const scheme = schemeFor(options.authScheme, ctx.options.dpop);
  const extra = { ...extraQuery, ...extraParams(ctx, resolved, randomUuid()) };
  if (scheme.type === 'dpop') extra.dpop_jkt = (await ctx.keys.get('dpop')).thumbprint;
  const builtUri = buildAuthorizeUrl(resolved.metadata.authorizationEndpoint, {
    clientId: ctx.clientId,
    redirectUri,
    scopes: sentScopes,
    state,
    nonce,
    codeChallenge: pkce.codeChallenge,
    prompt: options.prompt,
    loginHint: options.loginHint,
    domainHint: options.domainHint,
    maxAge: options.maxAge,
    responseMode: options.responseMode,
    claims,
    extra,
  });
  const pushed = usesPushedAuthorization(ctx, resolved)
    ? await (await import('./pushAuthorizationRequest.js')).pushAuthorizationRequest(ctx, resolved, builtUri)
    : undefined;
  const authUri = pushed?.authUri ?? builtUri;
  const flow: AuthCodeFlow = {
    authUri,
    state,
    flowId: randomString(32),
    redirectUri,
    scopes: sentScopes,
    codeVerifier: pkce.codeVerifier,
    nonce,
    authority: resolved.authority.canonical,
    clientId: ctx.clientId,
    issuer: resolved.metadata.issuer,
    createdAt: nowSeconds(),
  };
  if (options.maxAge !== undefined) flow.maxAge = options.maxAge;
  if (options.claimsChallenge !== undefined) flow.claimsChallenge = options.claimsChallenge;
  if (scheme.type !== 'bearer') flow.authScheme = scheme;
  if (pushed) flow.requestUriExpiresAt = pushed.expiresAt;
  return flow;
}

/**
 * Finishes a flow from `initiateAuthCodeFlow`. Client-side problems (state, replay, a
 * foreign flow, a bad id_token) throw typed errors; the provider's own `error` comes back
 * as a {@link TokenErrorResult}, as MSAL returns it.
 */
export async function acquireTokenByAuthCodeFlow(
  ctx: ClientContext,
  flow: AuthCodeFlow,
  response: AuthResponse,
  scopes?: readonly string[],
  extraGrant?: Readonly<Record<string, string>>,
): Promise<AuthenticationResult | TokenErrorResult> {
  try {
    return await completeAuthCodeFlow(ctx, flow, response, scopes, ApiId.acquireTokenByAuthCode, extraGrant);
  } catch (error) {
    if (isProviderRefusal(error)) return errorResultFrom(error);
    throw error;
  }
}

/** {@link acquireTokenByAuthCodeFlow}, throwing provider errors as {@link ServerError}s (what interactive flows want). */
export async function completeAuthCodeFlow(
  ctx: ClientContext,
  flow: AuthCodeFlow,
  response: AuthResponse,
  scopes?: readonly string[],
  // An interactive sign-in reports 169, a flow the app drives itself 832 (MSAL Python's ids), a hidden-iframe sign-in 84 (silent).
  apiId: typeof ApiId.acquireTokenByAuthCode | typeof ApiId.acquireTokenInteractive | typeof ApiId.acquireTokenSilent = ApiId.acquireTokenByAuthCode,
  // Provider-specific token request fields (keyward/server's `return_spa_code`).
  extraGrant: Readonly<Record<string, string>> = {},
  // A silent renewal for a known account: the answer must be that person, and is not stored if it was signed out meanwhile.
  expected: { account?: AccountEntity; generation?: number; signal?: AbortSignal } = {},
): Promise<AuthenticationResult> {
  if (flow?.clientId !== ctx.clientId || typeof flow.codeVerifier !== 'string' || typeof flow.state !== 'string') {
    throw new ClientAuthError(
      ErrorCode.flowMismatch,
      'This flow was not started by this client (different clientId, or not a flow from initiateAuthCodeFlow).',
    );
  }
  const resolved = await ctx.resolve(flow.authority);
  assertNotExpiredRequestUri(flow, response);
  validateAuthResponse(flow, response, resolved.metadata.authorizationResponseIssRequired);
  // A flow (its code verifier and nonce) is single-use: RFC 9700 4.2.4.
  ctx.usedFlows.claim(flow);
  if (response.error !== undefined) {
    const description = response.error_description ? ` (${response.error_description})` : '';
    // OIDC Core 3.1.2.6: login_required, consent_required, interaction_required… mean "ask the person".
    const Refusal = isInteractionRequired(response.error) ? InteractionRequiredError : ServerError;
    throw new Refusal(
      response.error,
      `The provider ended the sign-in with "${response.error}"${description}. Nothing was stored.`,
      authorizeErrorOptions(response),
    );
  }
  const scheme = flow.authScheme ?? { type: 'bearer' as const };
  const binding = await bindingFor(ctx.keys, scheme);
  const result = await exchangeToken(ctx, {
    binding,
    resolved,
    grant: { ...extraGrant, grant_type: 'authorization_code', code: response.code!, redirect_uri: flow.redirectUri, code_verifier: flow.codeVerifier },
    scopes: scopes ? requestScopes(scopes, ctx.options.excludeScopes) : flow.scopes,
    claims: mergeClaims(flow.claimsChallenge, ctx.options.clientCapabilities),
    apiId,
    correlationId: randomUuid(),
    nonce: flow.nonce,
    ...(flow.maxAge !== undefined && { maxAge: flow.maxAge }),
    idTokenRequired: true,
    state: flow.state,
    ...(expected.account && { account: expected.account }),
    ...(expected.generation !== undefined && { generation: expected.generation }),
    ...(expected.signal && { signal: expected.signal }),
  });
  // OIDC Session Management 1.0 section 2: the session this sign-in belongs to, for the session monitor.
  if (ctx.options.monitorSession && typeof response.session_state === 'string' && response.session_state !== '') {
    saveSessionState(ctx.clientId, accountGroup(result.account.homeAccountId, result.account.environment), response.session_state);
  }
  return present(result, scheme, binding);
}

/** Turns an authorization error response into the error's fields. */
export function authorizeErrorOptions(response: AuthResponse): { errorDescription?: string; errorUri?: string } {
  return {
    ...(response.error_description !== undefined && { errorDescription: response.error_description }),
    ...(response.error_uri !== undefined && { errorUri: response.error_uri }),
  };
}

/** Builds an authorization URL without keeping any flow state (MSAL `get_authorization_request_url`). */
export async function getAuthorizationRequestUrl(ctx: ClientContext, scopes: readonly string[], options: AuthorizationRequestUrlOptions = {}): Promise<string> {
  const claims = mergeClaims(options.claimsChallenge, ctx.options.clientCapabilities);
  const resolved = await ctx.resolve(options.authority);
  const url = buildAuthorizeUrl(resolved.metadata.authorizationEndpoint, {
    clientId: ctx.clientId,
    redirectUri: redirectUriFor(ctx, options.redirectUri),
    scopes: requestScopes(scopes, ctx.options.excludeScopes),
    responseType: options.responseType ?? 'code',
    state: options.state ?? randomString(32),
    nonce: options.nonce,
    codeChallenge: options.codeChallenge,
    prompt: options.prompt,
    loginHint: options.loginHint,
    domainHint: options.domainHint,
    claims,
    extra: extraParams(ctx, resolved, randomUuid()),
  });
  return usesPushedAuthorization(ctx, resolved)
    ? (await (await import('./pushAuthorizationRequest.js')).pushAuthorizationRequest(ctx, resolved, url)).authUri
    : url;
}

/** Redeems a code obtained by other means (MSAL `acquire_token_by_authorization_code`). Throws on provider errors. */
export async function acquireTokenByAuthorizationCode(
  ctx: ClientContext,
  code: string,
  scopes: readonly string[],
  options: AuthorizationCodeOptions = {},
  extraGrant: Readonly<Record<string, string>> = {},
): Promise<AuthenticationResult> {
  if (typeof code !== 'string' || code === '')
    throw new ClientAuthError(ErrorCode.codeMissing, 'acquireTokenByAuthorizationCode needs the authorization code.');
  const resolved = await ctx.resolve(options.authority);
  const grant: Record<string, string> = { ...extraGrant, grant_type: 'authorization_code', code, redirect_uri: redirectUriFor(ctx, options.redirectUri) };
  if (options.codeVerifier) grant.code_verifier = options.codeVerifier;
  return exchangeToken(ctx, {
    resolved,
    grant,
    scopes: requestScopes(scopes, ctx.options.excludeScopes),
    claims: mergeClaims(options.claimsChallenge, ctx.options.clientCapabilities),
    apiId: ApiId.acquireTokenByAuthCode,
    correlationId: randomUuid(),
    nonce: options.nonce ?? null,
    idTokenRequired: true,
  });
}
