import { decodeJwt } from 'jose';
import type { AccessTokenEntity, AccountEntity, CacheData, IdTokenEntity } from '../../cache/entities.js';
import { accountOwnedBy, findIdToken, findRefreshToken } from '../../cache/queries.js';
import type { ServerError } from '../../errors.js';
import { splitScopes } from '../../protocol/scopes.js';
import type { IdTokenClaims, AccountInfo, AuthenticationResult, TokenErrorResult } from '../../types.js';

/** Narrows a result union to {@link TokenErrorResult}. */
export function isTokenErrorResult(value: unknown): value is TokenErrorResult {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}

export function errorResultFrom(error: ServerError): TokenErrorResult {
  const result: TokenErrorResult = { error: error.errorCode };
  if (error.errorDescription !== undefined) result.errorDescription = error.errorDescription;
  if (error.errorUri !== undefined) result.errorUri = error.errorUri;
  if (error.errorCodes !== undefined) result.errorCodes = error.errorCodes;
  if (error.suberror !== undefined) result.suberror = error.suberror;
  if (error.correlationId !== undefined) result.correlationId = error.correlationId;
  if (error.claims !== undefined) result.claims = error.claims;
  return result;
}

/** Builds the public view of an account, with the claims of its cached id_token. */
export function accountInfoFrom(account: AccountEntity, data: Readonly<CacheData>, clientId: string): AccountInfo {
  return accountAndIdToken(account, data, clientId).info;
}

/** {@link accountInfoFrom} plus the id_token it read the claims from (one lookup for a cache hit that needs both). */
export function accountAndIdToken(
  account: AccountEntity,
  data: Readonly<CacheData>,
  clientId: string,
): { info: AccountInfo; idToken: IdTokenEntity | undefined } {
  const info: AccountInfo = {
    homeAccountId: account.home_account_id,
    environment: account.environment,
    tenantId: account.realm,
    username: account.username,
    localAccountId: account.local_account_id,
    authorityType: account.authority_type,
  };
  if (account.name !== undefined) info.name = account.name;
  const refreshToken = findRefreshToken(data, { homeAccountId: account.home_account_id, environment: account.environment, tenantId: account.realm }, clientId);
  const sessionEnd = Number(refreshToken?.[1].expires_on);
  if (Number.isFinite(sessionEnd) && sessionEnd > 0) info.sessionExpiresOn = new Date(sessionEnd * 1000);
  const idToken = findIdToken(data, { homeAccountId: account.home_account_id, environment: account.environment, tenantId: account.realm }, clientId);
  const claims = idToken?.secret ? claimsOf(idToken) : undefined;
  // A copy per caller, as a fresh decode gave: a caller changing its claims changes no one else's.
  if (claims) info.idTokenClaims = { ...claims };
  return { info, idToken };
}

/**
 * Decoded id_token claims, remembered per cache entry: a cache hit used to decode the same
 * id_token on every call. Entries are replaced, never mutated (TokenCache contract), so a new
 * id_token is a new entry; a WeakMap lets a removed entry's claims go with it.
 */
const decodedIdTokens = new WeakMap<IdTokenEntity, { secret: string; claims: IdTokenClaims | null }>();
function claimsOf(idToken: IdTokenEntity): IdTokenClaims | undefined {
  let memo = decodedIdTokens.get(idToken);
  if (memo?.secret !== idToken.secret) {
    let claims: IdTokenClaims | null;
    try {
      claims = decodeJwt(idToken.secret) as IdTokenClaims;
    } catch {
      // The token was validated when stored; an unreadable one just means no claims to show.
      claims = null;
    }
    memo = { secret: idToken.secret, claims };
    decodedIdTokens.set(idToken, memo);
  }
  return memo.claims ?? undefined;
}

/**
 * One {@link AccountInfo} per person (home account and environment), with a tenant profile
 * per tenant signed in to; the home tenant's profile is the account's main view.
 */
export function accountsFrom(data: Readonly<CacheData>, clientId: string): AccountInfo[] {
  const groups = new Map<string, AccountEntity[]>();
  for (const entity of Object.values(data.Account)) {
    const key = `${entity.home_account_id}|${entity.environment}`.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), entity]);
  }
  return [...groups.values()].map((entities) => {
    const homeTenant = entities[0]!.home_account_id.split('.')[1]?.toLowerCase();
    const primary = entities.find((e) => e.realm.toLowerCase() === homeTenant) ?? entities[0]!;
    const info = accountInfoFrom(primary, data, clientId);
    info.tenantProfiles = entities.map((e) => ({
      tenantId: e.realm,
      localAccountId: e.local_account_id,
      ...(e.name !== undefined && { name: e.name }),
      isHomeTenant: homeTenant !== undefined ? e.realm.toLowerCase() === homeTenant : entities.length === 1,
    }));
    return info;
  });
}

/** What {@link clientAccountsFrom} needs to know of a client (a `ClientContext` is one). */
export interface AccountOwner {
  clientId: string;
  ownsEnvironment(environment: string): boolean;
}

/**
 * The accounts of one client: those of its provider's environment that the cache does not
 * hold for other client ids only (MSAL keys credentials by environment and client id; the
 * Account entity is shared). Several clients on one page or origin share one cache and each
 * lists only its own. An account entity without any credential (a cache's clear index before
 * it has loaded, an imported account) is listed by every client of its environment.
 */
export function clientAccountsFrom(data: Readonly<CacheData>, owner: AccountOwner): AccountInfo[] {
  const owned = (entity: AccountEntity): boolean =>
    owner.ownsEnvironment(entity.environment) && accountOwnedBy(data, entity.home_account_id, entity.environment, owner.clientId);
  const accounts = Object.entries(data.Account);
  const mine = accounts.filter(([, entity]) => owned(entity));
  return accountsFrom(mine.length === accounts.length ? data : { ...data, Account: Object.fromEntries(mine) }, owner.clientId);
}

/** What a result says about its access token, from the cache entry (shared with keyward/server). */
export function accessTokenFields(
  accessToken: AccessTokenEntity,
): Pick<AuthenticationResult, 'accessToken' | 'tokenType' | 'scopes' | 'expiresOn' | 'extExpiresOn' | 'refreshOn'> {
  const fields: ReturnType<typeof accessTokenFields> = {
    accessToken: accessToken.secret,
    tokenType: accessToken.token_type ?? 'Bearer',
    scopes: splitScopes(accessToken.target),
    expiresOn: new Date(Number(accessToken.expires_on) * 1000),
    extExpiresOn: new Date(Number(accessToken.extended_expires_on ?? accessToken.expires_on) * 1000),
  };
  if (accessToken.refresh_on !== undefined) fields.refreshOn = new Date(Number(accessToken.refresh_on) * 1000);
  return fields;
}

/** Builds a result from cache entries. */
export function resultFrom(parts: {
  accessToken: AccessTokenEntity;
  account: AccountInfo;
  idToken: string | undefined;
  fromCache: boolean;
  correlationId: string;
  authority: string;
  state?: string;
}): AuthenticationResult {
  const result: AuthenticationResult = {
    ...accessTokenFields(parts.accessToken),
    account: parts.account,
    fromCache: parts.fromCache,
    correlationId: parts.correlationId,
    authority: parts.authority,
  };
  if (parts.idToken) {
    result.idToken = parts.idToken;
    if (parts.account.idTokenClaims) result.idTokenClaims = parts.account.idTokenClaims;
  }
  if (parts.state !== undefined) result.state = parts.state;
  return result;
}
