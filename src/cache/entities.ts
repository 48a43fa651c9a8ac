import type { AuthorityType } from '../types.js';
/**
 * Cache entries in MSAL's unified cache schema (docs/protocol.md A5), field names as MSAL
 * writes them so a serialized cache moves between keyward and MSAL. Times are epoch
 * seconds as strings, as MSAL stores them.
 */

export interface AccountEntity {
  home_account_id: string;
  environment: string;
  realm: string;
  local_account_id: string;
  username: string;
  authority_type: AuthorityType;
  name?: string;
  client_info?: string;
  last_modification_time?: string;
}

interface CredentialEntity {
  secret: string;
  home_account_id: string;
  environment: string;
  client_id: string;
}

export interface IdTokenEntity extends CredentialEntity {
  credential_type: 'IdToken';
  realm: string;
}

export interface AccessTokenEntity extends CredentialEntity {
  credential_type: 'AccessToken' | 'AccessToken_With_AuthScheme';
  realm: string;
  /** Space-separated scopes. */
  target: string;
  cached_at: string;
  expires_on: string;
  /** Optional in MSAL Node's files; read as `expires_on` when absent. */
  extended_expires_on?: string;
  refresh_on?: string;
  /** Optional in older MSAL files; read as `Bearer` when absent on a plain `AccessToken`. */
  token_type?: string;
  key_id?: string;
}

export interface RefreshTokenEntity extends CredentialEntity {
  credential_type: 'RefreshToken';
  target?: string;
  /** keyward: the DPoP key (RFC 7638 thumbprint) a sender-constrained refresh token is bound to. */
  key_id?: string;
  family_id?: string;
  last_modification_time?: string;
}

export interface AppMetadataEntity {
  client_id: string;
  environment: string;
  family_id?: string;
}

/** The whole cache, as MSAL's `SerializableTokenCache` lays it out. */
export interface CacheData {
  Account: Record<string, AccountEntity>;
  IdToken: Record<string, IdTokenEntity>;
  AccessToken: Record<string, AccessTokenEntity>;
  RefreshToken: Record<string, RefreshTokenEntity>;
  AppMetadata: Record<string, AppMetadataEntity>;
}

export type CacheSection = keyof CacheData;

export const cacheSections: readonly CacheSection[] = ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'];

export function emptyCacheData(): CacheData {
  return { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} };
}
