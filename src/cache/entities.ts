import type { AuthorityType } from '../types.js';
/**
 * Cache entries in MSAL's unified cache schema (docs/protocol.md A5), field names as MSAL
 * writes them so a serialized cache moves between keyward and MSAL. Times are epoch
 * seconds as strings, as MSAL stores them.
 */

/** An account record (MSAL `Account` section): one per person, authority host and tenant. */
export interface AccountEntity {
  /** `uid.utid` on Entra (from `client_info`), the `sub` elsewhere: the person across tenants. */
  home_account_id: string;
  /** Host of the authority, as cached (Entra's preferred cache alias, e.g. `login.windows.net`). */
  environment: string;
  /** Tenant id of this account record (`tid`); `''` for providers without tenants. */
  realm: string;
  /** `oid` on Entra, `sub` elsewhere. */
  local_account_id: string;
  /** `preferred_username` (or `upn`/`email`) of the id_token. */
  username: string;
  /** `MSSTS` (Entra), `ADFS` or `Generic`. */
  authority_type: AuthorityType;
  /** Display name (`name` claim). */
  name?: string;
  /** Entra's base64url `client_info` (`{ uid, utid }`), as received. */
  client_info?: string;
  /** Seconds since the Unix epoch, as a string (MSAL's format), of the last write. */
  last_modification_time?: string;
}

/** Fields every credential record has. */
interface CredentialEntity {
  /** The token itself. Sealed (AES-GCM) at rest in `IndexedDbTokenCache`; plain in a serialized cache, so protect what you write `serialize()` to. */
  secret: string;
  /** The account the credential belongs to (see {@link AccountEntity.home_account_id}). */
  home_account_id: string;
  /** Host of the authority that issued it (cache alias). */
  environment: string;
  /** The client id it was issued to. */
  client_id: string;
}

/** An id_token record (MSAL `IdToken` section). */
export interface IdTokenEntity extends CredentialEntity {
  /** Always `IdToken`. */
  credential_type: 'IdToken';
  /** Tenant id the id_token was issued in (`tid`). */
  realm: string;
}

/** An access token record (MSAL `AccessToken` section), one per account, authority, client and scope set. */
export interface AccessTokenEntity extends CredentialEntity {
  /** `AccessToken` for bearer tokens, `AccessToken_With_AuthScheme` for PoP / DPoP-bound ones. */
  credential_type: 'AccessToken' | 'AccessToken_With_AuthScheme';
  /** Tenant id the token was issued in. */
  realm: string;
  /** Space-separated scopes. */
  target: string;
  /** When it was stored: seconds since the Unix epoch, as a string. */
  cached_at: string;
  /** When it expires: seconds since the Unix epoch, as a string. */
  expires_on: string;
  /** Optional in MSAL Node's files; read as `expires_on` when absent. */
  extended_expires_on?: string;
  /** When to refresh it proactively (`refresh_in`): seconds since the Unix epoch, as a string. */
  refresh_on?: string;
  /** Optional in older MSAL files; read as `Bearer` when absent on a plain `AccessToken`. */
  token_type?: string;
  /** For bound tokens: the thumbprint (RFC 7638) of the key it is bound to. */
  key_id?: string;
}

/** A refresh token record (MSAL `RefreshToken` section). */
export interface RefreshTokenEntity extends CredentialEntity {
  /** Always `RefreshToken`. */
  credential_type: 'RefreshToken';
  /** Space-separated scopes it was granted with, when known. */
  target?: string;
  /** Epoch seconds after which the refresh token no longer works, when known (MSAL's `RefreshTokenEntity.expiresOn`). */
  expires_on?: string;
  /** keyward: the DPoP key (RFC 7638 thumbprint) a sender-constrained refresh token is bound to. */
  key_id?: string;
  /** Entra family of client ids (FOCI) sharing the refresh token, e.g. `1`. */
  family_id?: string;
  /** Seconds since the Unix epoch, as a string, of the last write (a rotation). */
  last_modification_time?: string;
}

/** Per-client metadata (MSAL `AppMetadata` section): the client's FOCI family. */
export interface AppMetadataEntity {
  /** The client id the metadata is about. */
  client_id: string;
  /** Host of the authority (cache alias). */
  environment: string;
  /** The client's Entra FOCI family, when it is in one. */
  family_id?: string;
}

/** The whole cache, as MSAL's `SerializableTokenCache` lays it out. */
export interface CacheData {
  /** Accounts, by MSAL account key (`home_account_id-environment-realm`). */
  Account: Record<string, AccountEntity>;
  /** Id tokens, by MSAL credential key. */
  IdToken: Record<string, IdTokenEntity>;
  /** Access tokens, by MSAL credential key (it includes the scopes). */
  AccessToken: Record<string, AccessTokenEntity>;
  /** Refresh tokens, by MSAL credential key. */
  RefreshToken: Record<string, RefreshTokenEntity>;
  /** Per-client metadata (FOCI family), by `appmetadata-environment-client_id`. */
  AppMetadata: Record<string, AppMetadataEntity>;
}

export type CacheSection = keyof CacheData;

export const cacheSections: readonly CacheSection[] = ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'];

export function emptyCacheData(): CacheData {
  return { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} };
}
