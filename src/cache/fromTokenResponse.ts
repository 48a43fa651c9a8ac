import type { Authority } from '../authority/authority.js';
import { multiTenantAliases } from '../authority/authority.js';
import { ClientAuthError, ErrorCode } from '../errors.js';
import { parseClientInfo } from '../protocol/clientInfo.js';
import { lookupScopes, splitScopes } from '../protocol/scopes.js';
import type { TokenResponse } from '../protocol/tokenResponse.js';
import type { AccessTokenEntity, AccountEntity, AppMetadataEntity, CacheData, IdTokenEntity, RefreshTokenEntity } from './entities.js';
import { accessTokenKey, accountKey, appMetadataKey, idTokenKey, refreshTokenKey } from './keys.js';
import type { AccountRef } from './queries.js';
import type { CacheChange } from './tokenCache.js';
import type { IdTokenClaims, AuthorityType } from '../types.js';

export interface CacheWriteInput {
  clientId: string;
  authority: Authority;
  /** Cache environment (the authority host, or instance discovery's preferred cache alias). */
  environment: string;
  response: TokenResponse;
  /** Claims of the validated id_token in this response, if it had one. */
  idTokenClaims: IdTokenClaims | undefined;
  /** The account the request was for (refresh without a new id_token keeps it). */
  account: AccountEntity | undefined;
  /** Scopes requested, for when the response does not echo `scope` (RFC 6749 5.1). */
  requestedScopes: readonly string[];
  /** Epoch seconds when the request was sent (MSAL computes expiry from request time). */
  requestedAt: number;
  /** Thumbprint of the key a PoP/DPoP access token is bound to. */
  keyId?: string;
  /** True when the refresh token is bound to that key too (DPoP, RFC 9449 5). */
  refreshTokenBound?: boolean;
  /**
   * Seconds a refresh token lives from the sign-in, when the response does not say
   * (`refresh_token_expires_in`): Entra's 24 hours for single-page apps, or the app's
   * `refreshTokenLifetime`. A refreshed token keeps its predecessor's deadline.
   */
  refreshTokenLifetime?: number;
  /** True when this response answers a refresh-token grant (its deadline carries over). */
  fromRefreshToken?: boolean;
}

export interface CacheWrite {
  change: CacheChange;
  account: AccountEntity;
  accessToken: AccessTokenEntity;
}

/**
 * The access-token entry for a token response, in MSAL's schema (expiry computed from the
 * request time, as MSAL does). Shared by user tokens here and the server's app tokens.
 */
export function accessTokenEntity(
  response: TokenResponse,
  at: { homeAccountId: string; environment: string; clientId: string; realm: string; target: string; requestedAt: number },
): AccessTokenEntity {
  const expiresOn = at.requestedAt + response.expires_in;
  const entity: AccessTokenEntity = {
    credential_type: response.token_type.toLowerCase() === 'bearer' ? 'AccessToken' : 'AccessToken_With_AuthScheme',
    secret: response.access_token,
    home_account_id: at.homeAccountId,
    environment: at.environment,
    client_id: at.clientId,
    realm: at.realm,
    target: at.target,
    cached_at: String(at.requestedAt),
    expires_on: String(expiresOn),
    extended_expires_on: String(expiresOn + (response.ext_expires_in ?? 0)),
    token_type: response.token_type,
  };
  if (response.refresh_in !== undefined) entity.refresh_on = String(at.requestedAt + response.refresh_in);
  return entity;
}

/** Builds the cache entries for one validated token response, and the removals that keep one AT per scope set. */
export function cacheWriteFor(input: CacheWriteInput, current: Readonly<CacheData>): CacheWrite {
  const { response, clientId, environment, requestedAt } = input;
  const account = input.idTokenClaims ? accountFrom(input) : input.account;
  if (!account) throw new ClientAuthError(ErrorCode.idTokenMissing, 'The token response has no id_token and names no account this cache knows: sign in again.');

  const target = splitScopes(response.scope).length > 0 ? response.scope! : input.requestedScopes.join(' ');
  const accessToken = accessTokenEntity(response, { homeAccountId: account.home_account_id, environment, clientId, realm: account.realm, target, requestedAt });
  if (input.keyId !== undefined && accessToken.credential_type !== 'AccessToken') accessToken.key_id = input.keyId;

  const set: CacheChange['set'] = {
    Account: { [accountKey(account)]: account },
    AccessToken: { [accessTokenKey(accessToken)]: accessToken },
  };
  if (input.idTokenClaims) {
    const idToken: IdTokenEntity = {
      credential_type: 'IdToken',
      secret: '',
      home_account_id: account.home_account_id,
      environment,
      client_id: clientId,
      realm: account.realm,
    };
    idToken.secret = response.id_token ?? '';
    set.IdToken = { [idTokenKey(idToken)]: idToken };
  }
  if (response.refresh_token) {
    const refreshToken: RefreshTokenEntity = {
      credential_type: 'RefreshToken',
      secret: response.refresh_token,
      home_account_id: account.home_account_id,
      environment,
      client_id: clientId,
      last_modification_time: String(requestedAt),
    };
    if (response.foci) refreshToken.family_id = response.foci;
    if (input.refreshTokenBound && input.keyId) refreshToken.key_id = input.keyId;
    const expiresOn = refreshTokenExpiry(input, current, refreshTokenKey(refreshToken));
    if (expiresOn !== undefined) refreshToken.expires_on = String(expiresOn);
    set.RefreshToken = { [refreshTokenKey(refreshToken)]: refreshToken };
  }
  if (response.foci) {
    // FOCI: the app belongs to a family whose members share refresh tokens (docs/protocol.md A5).
    const appMetadata: AppMetadataEntity = { client_id: clientId, environment, family_id: response.foci };
    set.AppMetadata = { [appMetadataKey(appMetadata)]: appMetadata };
  }

  // One access token per overlapping scope set (msal-common CacheManager): drop the ones the new token supersedes.
  const newScopes = lookupScopes(splitScopes(target));
  const superseded = Object.entries(current.AccessToken)
    .filter(
      ([key, t]) =>
        key !== accessTokenKey(accessToken) &&
        t.home_account_id === accessToken.home_account_id &&
        t.environment === environment &&
        t.realm === accessToken.realm &&
        t.client_id === clientId &&
        t.credential_type === accessToken.credential_type &&
        [...lookupScopes(splitScopes(t.target))].some((scope) => newScopes.has(scope)),
    )
    .map(([key]) => key);

  return { change: { set, remove: { AccessToken: superseded } }, account, accessToken };
}

/**
 * When the new refresh token stops working (docs/protocol.md, refresh-token deadline): what
 * the provider says (`refresh_token_expires_in`, from the request time); else the assumed
 * lifetime from the sign-in, where a refreshed token inherits its predecessor's deadline
 * (Entra: "additional refresh tokens acquired using the initial refresh token carry over
 * that expiration time", learn.microsoft.com/entra/identity-platform/refresh-tokens).
 */
function refreshTokenExpiry(input: CacheWriteInput, current: Readonly<CacheData>, key: string): number | undefined {
  const { response, requestedAt } = input;
  if (response.refresh_token_expires_in !== undefined) return requestedAt + response.refresh_token_expires_in;
  if (input.refreshTokenLifetime === undefined) return undefined;
  const previous = input.fromRefreshToken ? Number(current.RefreshToken[key]?.expires_on) : Number.NaN;
  return Number.isFinite(previous) && previous > 0 ? previous : requestedAt + input.refreshTokenLifetime;
}

/** Account identity (docs/protocol.md A4): `uid.utid` from `client_info`, else `sub`. */
function accountFrom(input: CacheWriteInput): AccountEntity {
  const claims = input.idTokenClaims!;
  const clientInfo = parseClientInfo(input.response.client_info);
  const tenantFromAuthority = input.authority.kind === 'aad' && !multiTenantAliases.has(input.authority.tenant) ? input.authority.tenant : '';
  // The realm is the tenant this token is for (tid); utid is the home tenant, the same for every profile.
  const realm = typeof claims.tid === 'string' ? claims.tid : (clientInfo?.utid ?? tenantFromAuthority);
  const username = [claims.preferred_username, claims.upn, claims.email].find((value): value is string => typeof value === 'string') ?? '';
  const account: AccountEntity = {
    home_account_id: clientInfo ? `${clientInfo.uid}.${clientInfo.utid}` : claims.sub,
    environment: input.environment,
    realm,
    local_account_id: typeof claims.oid === 'string' ? claims.oid : claims.sub,
    username,
    authority_type: authorityType(input.authority),
    last_modification_time: String(input.requestedAt),
  };
  if (typeof claims.name === 'string') account.name = claims.name;
  if (input.response.client_info) account.client_info = input.response.client_info;
  return account;
}

function authorityType(authority: Authority): AuthorityType {
  if (authority.kind === 'adfs') return 'ADFS';
  return authority.kind === 'oidc' ? 'Generic' : 'MSSTS';
}

/** The {@link AccountRef} of an account entry. */
export function refOf(account: AccountEntity): AccountRef {
  return { homeAccountId: account.home_account_id, environment: account.environment, tenantId: account.realm };
}
