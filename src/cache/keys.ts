import type { AccessTokenEntity, AccountEntity, AppMetadataEntity, IdTokenEntity, RefreshTokenEntity } from './entities.js';

/** Cache keys in MSAL's unified format: fields joined with `-`, lower-cased (MSAL Python `token_cache.py`). */
const join = (...parts: string[]): string => parts.join('-').toLowerCase();

export const accountKey = (a: Pick<AccountEntity, 'home_account_id' | 'environment' | 'realm'>): string => join(a.home_account_id, a.environment, a.realm);

export const idTokenKey = (t: IdTokenEntity): string => join(t.home_account_id, t.environment, 'idtoken', t.client_id, t.realm, '');

export const accessTokenKey = (t: AccessTokenEntity): string =>
  join(t.home_account_id, t.environment, t.credential_type === 'AccessToken' ? 'accesstoken' : 'accesstoken_with_authscheme', t.client_id, t.realm, t.target) +
  (t.key_id ? `-${t.key_id.toLowerCase()}` : '');

/** The realm slot is empty: a refresh token is not tied to one tenant. */
export const refreshTokenKey = (t: RefreshTokenEntity): string => join(t.home_account_id, t.environment, 'refreshtoken', t.family_id ?? t.client_id, '', '');

export const appMetadataKey = (m: AppMetadataEntity): string => join('appmetadata', m.environment, m.client_id);

/**
 * One account in one environment, every tenant of it: the prefix every cache key of its
 * entries starts with (all keys above begin with `home_account_id-environment-`), so one
 * account's records are one key range in storage.
 */
export const accountGroup = (homeAccountId: string, environment: string): string => join(homeAccountId, environment);

/**
 * One client's part of an account group: the key of its own sign-out generation, raised when
 * that client signs the person out while another client id of the same provider keeps its
 * tokens (`CacheChange.retire`). JSON, because an account group can hold any character (an
 * OIDC `sub` such as `auth0|123`) and a client id too: the pair must come apart unambiguously.
 */
export const clientGroupKey = (group: string, clientId: string): string => JSON.stringify([group, clientId]);

/** What every {@link clientGroupKey} of `group` starts with, whatever the client id (`["<group>","`). */
export const clientGroupPrefix = (group: string): string => clientGroupKey(group, '').slice(0, -2);

/** The account group and client id of a {@link clientGroupKey}; `undefined` for a plain account group. */
export function parseClientGroupKey(key: string): { group: string; clientId: string } | undefined {
  if (!key.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(key);
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string')
      return { group: parsed[0], clientId: parsed[1] };
  } catch {
    // An account group that only looks like JSON.
  }
  return undefined;
}
