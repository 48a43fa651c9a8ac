import { lookupScopes, targetCovers } from '../protocol/scopes.js';
import type { AccessTokenEntity, AccountEntity, CacheData, IdTokenEntity, RefreshTokenEntity } from './entities.js';

/** Identifies one account in the cache. */
export interface AccountRef {
  homeAccountId: string;
  environment: string;
  tenantId: string;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function findAccount(data: Readonly<CacheData>, ref: AccountRef): AccountEntity | undefined {
  return Object.values(data.Account).find(
    (a) => same(a.home_account_id, ref.homeAccountId) && same(a.environment, ref.environment) && same(a.realm, ref.tenantId),
  );
}

export function findIdToken(data: Readonly<CacheData>, ref: AccountRef, clientId: string): IdTokenEntity | undefined {
  return Object.values(data.IdToken).find(
    (t) => same(t.home_account_id, ref.homeAccountId) && same(t.environment, ref.environment) && same(t.realm, ref.tenantId) && t.client_id === clientId,
  );
}

export function findRefreshToken(data: Readonly<CacheData>, ref: AccountRef, clientId: string): [string, RefreshTokenEntity] | undefined {
  return Object.entries(data.RefreshToken).find(
    ([, t]) => same(t.home_account_id, ref.homeAccountId) && same(t.environment, ref.environment) && t.client_id === clientId,
  );
}

/** Access tokens of one account, client and tenant whose target covers `scopes` (order-free, case-insensitive). */
export function findAccessTokens(data: Readonly<CacheData>, ref: AccountRef, clientId: string, scopes: readonly string[], tokenType = 'bearer', keyId?: string): [string, AccessTokenEntity][] {
  const wanted = lookupScopes(scopes);
  return Object.entries(data.AccessToken).filter(
    ([, t]) =>
      same(t.home_account_id, ref.homeAccountId) &&
      same(t.environment, ref.environment) &&
      same(t.realm, ref.tenantId) &&
      t.client_id === clientId &&
      schemeOf(t) === tokenType &&
      (keyId === undefined || t.key_id === keyId) &&
      targetCovers(t.target, wanted),
  );
}

/** Keys of every credential of an account (all tenants of it in that environment). */
export function credentialKeysOf(data: Readonly<CacheData>, homeAccountId: string, environment: string): { IdToken: string[]; AccessToken: string[]; RefreshToken: string[]; Account: string[] } {
  const owned = (t: { home_account_id: string; environment: string }): boolean => same(t.home_account_id, homeAccountId) && same(t.environment, environment);
  const keys = <T extends { home_account_id: string; environment: string }>(section: Record<string, T>): string[] =>
    Object.entries(section).filter(([, t]) => owned(t)).map(([key]) => key);
  return { Account: keys(data.Account), IdToken: keys(data.IdToken), AccessToken: keys(data.AccessToken), RefreshToken: keys(data.RefreshToken) };
}

/**
 * The lower-case scheme of a cached access token. A plain `AccessToken` is Bearer even when
 * an older writer left `token_type` out; an `AccessToken_With_AuthScheme` never is, so a
 * Bearer request can never be handed a proof-of-possession token or the reverse.
 */
export function schemeOf(token: AccessTokenEntity): string {
  if (token.credential_type === 'AccessToken') return (token.token_type ?? 'Bearer').toLowerCase() === 'bearer' ? 'bearer' : 'invalid';
  const scheme = (token.token_type ?? '').toLowerCase();
  return scheme === 'bearer' || scheme === '' ? 'invalid' : scheme;
}
