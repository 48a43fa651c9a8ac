/**
 * Public types, on the ground floor: this module has no runtime imports and imports no
 * other module of keyward, so every layer (protocol, cache, pop, client, react, server) can
 * name these types without importing a layer above its own.
 */
import type { JWTPayload } from 'jose';

/** Which kind of authority issued an account (MSAL's `authority_type`). */
export type AuthorityType = 'MSSTS' | 'ADFS' | 'Generic';

/** Claims of a validated id_token. */
export interface IdTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  auth_time?: number;
  azp?: string;
  tid?: string;
  oid?: string;
  name?: string;
  preferred_username?: string;
  email?: string;
  [claim: string]: unknown;
}

/**
 * How an access token is bound. `bearer` (the default) is a plain token. `pop` is MSAL's
 * AT-PoP (`PopAuthScheme`, Entra): the result's `accessToken` is a Signed HTTP Request for
 * `method` + `url`. `dpop` is RFC 9449: the token is bound to a key, and with `method` + `url`
 * the result also carries a `dpopProof` for that resource request.
 */
export type AuthScheme =
  | { type: 'bearer' }
  | { type: 'pop'; method: string; url: string; nonce?: string; claims?: Record<string, unknown> }
  | { type: 'dpop'; method?: string; url?: string; nonce?: string };

/** A signed-in account, as apps see it. */
export interface AccountInfo {
  /** Stable id across tenants: `uid.utid` on Entra, `sub` elsewhere. */
  homeAccountId: string;
  /** Host of the authority that issued the tokens. */
  environment: string;
  /** Tenant (realm) of this profile; `''` for providers without tenants. */
  tenantId: string;
  username: string;
  /** `oid` on Entra, `sub` elsewhere. */
  localAccountId: string;
  name?: string;
  authorityType: AuthorityType;
  /** Claims of the latest validated id_token for this account and client. */
  idTokenClaims?: IdTokenClaims;
  /** Every tenant this person signed in to with this app (Entra guests, multi-tenant apps): one entry per tenant. */
  tenantProfiles?: TenantProfile[];
}

/** One tenant of a multi-tenant account. */
export interface TenantProfile {
  tenantId: string;
  localAccountId: string;
  name?: string;
  /** True for the person's home tenant (the `utid` of `homeAccountId`). */
  isHomeTenant: boolean;
}

/** A token, ready to use. */
export interface AuthenticationResult {
  accessToken: string;
  /** `Bearer` unless a proof-of-possession scheme was asked for. */
  tokenType: string;
  /** Scopes the access token carries. */
  scopes: string[];
  expiresOn: Date;
  extExpiresOn: Date;
  /** When keyward will refresh proactively, if the provider said (`refresh_in`). */
  refreshOn?: Date;
  account: AccountInfo;
  idToken?: string;
  idTokenClaims?: IdTokenClaims;
  /** True when served from the cache without a network call. */
  fromCache: boolean;
  correlationId: string;
  /** Canonical authority the token came from. */
  authority: string;
  /** The `state` of the authorization request, for interactive results. */
  state?: string;
  /** DPoP: a proof for the resource request named in `authScheme` (`method`, `url`), to send as the `DPoP` header. */
  dpopProof?: string;
  /**
   * Entra hybrid SPA (keyward/server, `returnSpaCode: true`): an authorization code for the
   * same person, for the browser client's `acquireTokenByCode({ code })`. Single-use; hand it
   * to the page once (e.g. in the rendered HTML) and never log it.
   */
  spaCode?: string;
}

/**
 * A provider error returned as data rather than thrown (MSAL's result dictionaries):
 * `acquireTokenByAuthCodeFlow` and `acquireTokenSilentWithError` return it.
 */
export interface TokenErrorResult {
  error: string;
  errorDescription?: string;
  errorUri?: string;
  errorCodes?: number[];
  suberror?: string;
  correlationId?: string;
  /** Claims challenge to pass as `claimsChallenge` on the next interactive request. */
  claims?: string;
}

/** Options of `acquireTokenSilent` (MSAL `acquire_token_silent`). */
export interface SilentOptions {
  /** Authority override; must be in the same family as the configured one. */
  authority?: string;
  /** Skip the cached access token and use the refresh token. */
  forceRefresh?: boolean;
  /** A claims challenge: bypasses the access-token cache. */
  claimsChallenge?: string;
  /** Bearer (default), MSAL AT-PoP, or DPoP (the client's `dpop` option makes DPoP the default). */
  authScheme?: AuthScheme;
}

/** Options of `initiateAuthCodeFlow` (MSAL `initiate_auth_code_flow`). */
export interface AuthCodeFlowOptions {
  redirectUri?: string;
  /** Default: a fresh random value. */
  state?: string;
  prompt?: 'none' | 'login' | 'consent' | 'select_account' | 'create' | (string & {});
  loginHint?: string;
  domainHint?: string;
  /** JSON claims request, e.g. from a resource's claims challenge. */
  claimsChallenge?: string;
  /** Seconds since the person last authenticated; checked against `auth_time`. */
  maxAge?: number;
  responseMode?: 'query' | 'fragment';
  /** Authority override for this request. */
  authority?: string;
  /** Bind the tokens: MSAL AT-PoP or DPoP (`dpop_jkt` then binds the code too, RFC 9449 10). */
  authScheme?: AuthScheme;
}

/** Options of `acquireTokenInteractive`. */
export interface InteractiveOptions extends AuthCodeFlowOptions {
  scopes: string[];
  /** `popup` resolves with the result; `redirect` navigates away and the result comes from `handleRedirectPromise()`. */
  interaction: 'redirect' | 'popup';
  /** Page to return to after a redirect sign-in. Default: the current page. */
  redirectStartPage?: string;
}

/** Options of `logout`. */
export interface LogoutOptions {
  /** The account to sign out. Default: every account of this client. */
  account?: AccountInfo;
  postLogoutRedirectUri?: string;
  /** `redirect` (default) or `popup` end the provider session too; `none` only forgets the tokens here. */
  interaction?: 'redirect' | 'popup' | 'none';
}

/** What a UI needs to render auth state. Immutable: replaced, never mutated, when something changes. */
export interface AuthSnapshot {
  /** `initializing` until `initialize()` has loaded the cache and handled a redirect response. */
  status: 'initializing' | 'idle' | 'interacting';
  accounts: readonly AccountInfo[];
  /** The account set with `setActiveAccount`, else the first signed-in one, else `null`. */
  activeAccount: AccountInfo | null;
}

/** Something that happened to a client's auth state (for logging, analytics, UI reactions). */
export type AuthEvent =
  | { type: 'signIn'; result: AuthenticationResult }
  | { type: 'signOut'; account: AccountInfo | null }
  | { type: 'tokenAcquired'; result: AuthenticationResult }
  | { type: 'accountsChanged'; accounts: readonly AccountInfo[] }
  | { type: 'error'; operation: 'signIn' | 'signOut' | 'acquireToken' | 'initialize'; error: unknown };

/**
 * What the React layer (and `createAuthFetch`) need of a client. `PublicClientApplication`
 * implements it; so does `createTestClient` from `keyward/testing`, for tests and stories
 * without a provider.
 */
export interface AuthClient {
  initialize(): Promise<void>;
  getSnapshot(): AuthSnapshot;
  subscribeSnapshot(listener: () => void): () => void;
  setActiveAccount(account: AccountInfo | null): void;
  getAccounts(username?: string): Promise<AccountInfo[]>;
  acquireTokenSilent(scopes: string[], account: AccountInfo, options?: SilentOptions): Promise<AuthenticationResult | null>;
  acquireTokenInteractive(options: InteractiveOptions): Promise<AuthenticationResult>;
  logout(options?: LogoutOptions): Promise<void>;
}

/** Options of a token subscription (`useToken`). */
export interface TokenRequestOptions {
  /** Default: the active account. */
  account?: AccountInfo | null;
  /** How `acquireInteractively()` asks the person. Default `popup`. Never started by itself. */
  interaction?: 'none' | 'popup' | 'redirect';
  forceRefresh?: boolean;
  claimsChallenge?: string;
  authScheme?: AuthScheme;
  /** Default true; false keeps the state idle and makes no request. */
  enabled?: boolean;
}

/** A token subscription's state. Immutable; replaced on change. */
export interface TokenState {
  status: 'idle' | 'loading' | 'success' | 'error';
  token: string | null;
  result: AuthenticationResult | null;
  error: Error | null;
}
