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
  /** Issuer: the provider that signed the token (checked against the authority). */
  iss: string;
  /** Subject: the person's id at the issuer (stable per issuer; pairwise per app at some providers). */
  sub: string;
  /** Audience: the client id(s) the token is for; keyward checks it contains this app's `clientId`. */
  aud: string | string[];
  /** Expiry, in seconds since the Unix epoch. */
  exp: number;
  /** Issued at, in seconds since the Unix epoch. */
  iat: number;
  /** The nonce of the sign-in request, echoed by the provider (OIDC Core 3.1.2.1); checked by keyward. */
  nonce?: string;
  /** When the person last actually authenticated, in seconds since the Unix epoch; present when `maxAge` was asked for. */
  auth_time?: number;
  /** Authorized party: the client the token was issued to, when `aud` names several. */
  azp?: string;
  /** Entra: the tenant id that issued the token. */
  tid?: string;
  /** Entra: the person's object id in that tenant (`localAccountId`). */
  oid?: string;
  /** Display name, when the provider includes it (the `profile` scope). */
  name?: string;
  /** What the person signs in with (an e-mail or UPN on Entra); not unique and not verified: never use it for authorization. */
  preferred_username?: string;
  /** E-mail address, with the `email` scope; check `email_verified` before trusting it. */
  email?: string;
  /** Any other claim the provider added (roles, groups, custom claims). */
  [claim: string]: unknown;
}

/**
 * How an access token is bound. `bearer` (the default) is a plain token. `pop` is MSAL's
 * AT-PoP (`PopAuthScheme`, Entra): the result's `accessToken` is a Signed HTTP Request for
 * `method` + `url`. `dpop` is RFC 9449: the token is bound to a key, and with `method` + `url`
 * the result also carries a `dpopProof` for that resource request.
 */
export type AuthScheme =
  | {
      /** A plain bearer token (RFC 6750), the default. */
      type: 'bearer';
    }
  | {
      /** MSAL AT-PoP (Entra): the access token is wrapped in a Signed HTTP Request for one request. */
      type: 'pop';
      /** HTTP method of the request the token is for, e.g. `GET`. */
      method: string;
      /** Full URL of the request the token is for; its host and path are signed. */
      url: string;
      /** A nonce the resource asked for (its `WWW-Authenticate` challenge), signed into the request. */
      nonce?: string;
      /** Extra claims to sign into the Signed HTTP Request. */
      claims?: Record<string, unknown>;
    }
  | {
      /** RFC 9449 DPoP: the token is bound to this client's key. */
      type: 'dpop';
      /** With `url`: HTTP method of the resource request, so the result carries a `dpopProof` for it. */
      method?: string;
      /** With `method`: URL of the resource request the `dpopProof` is for. */
      url?: string;
      /** A `DPoP-Nonce` the resource server sent, to put in the proof. */
      nonce?: string;
    };

/** A signed-in account, as apps see it. */
export interface AccountInfo {
  /** Stable id across tenants: `uid.utid` on Entra, `sub` elsewhere. */
  homeAccountId: string;
  /** Host of the authority that issued the tokens. */
  environment: string;
  /** Tenant (realm) of this profile; `''` for providers without tenants. */
  tenantId: string;
  /** What the person signs in with (`preferred_username`: an e-mail or UPN on Entra); for display and `loginHint`, not for authorization. `''` when the provider sends none. */
  username: string;
  /** `oid` on Entra, `sub` elsewhere. */
  localAccountId: string;
  /** Display name from the id_token (`name` claim), when the provider sends it. */
  name?: string;
  /** `MSSTS` for Entra, `ADFS`, or `Generic` for any other OpenID provider. */
  authorityType: AuthorityType;
  /** Claims of the latest validated id_token for this account and client. */
  idTokenClaims?: IdTokenClaims;
  /** Every tenant this person signed in to with this app (Entra guests, multi-tenant apps): one entry per tenant. */
  tenantProfiles?: TenantProfile[];
  /**
   * When this account's refresh token stops working, if known (the provider's
   * `refresh_token_expires_in`, Entra's 24-hour rule for single-page apps, or the
   * `refreshTokenLifetime` option). Before then keyward renews it through a hidden iframe
   * when the provider still has a session, and emits `sessionExpiring` when it cannot.
   */
  sessionExpiresOn?: Date;
}

/** One tenant of a multi-tenant account. */
export interface TenantProfile {
  /** The tenant (`tid`) of this profile. */
  tenantId: string;
  /** The person's object id (`oid`) in this tenant. */
  localAccountId: string;
  /** Display name in this tenant, when its id_token had one. */
  name?: string;
  /** True for the person's home tenant (the `utid` of `homeAccountId`). */
  isHomeTenant: boolean;
}

/** A token, ready to use. */
export interface AuthenticationResult {
  /** The access token to send to the API (`Authorization: Bearer …`); for `pop`, the Signed HTTP Request to send as `Authorization: PoP …`. Opaque to the app: do not parse it. */
  accessToken: string;
  /** `Bearer` unless a proof-of-possession scheme was asked for. */
  tokenType: string;
  /** Scopes the access token carries. */
  scopes: string[];
  /** When the access token expires (from `expires_in`); keyward renews it a few minutes before. */
  expiresOn: Date;
  /** Entra: how long the token stays usable when Entra is unavailable (`ext_expires_in`); `expiresOn` elsewhere. */
  extExpiresOn: Date;
  /** When keyward will refresh proactively, if the provider said (`refresh_in`). */
  refreshOn?: Date;
  /** The account the token belongs to. */
  account: AccountInfo;
  /** The raw id_token of the sign-in or refresh, when there was one. Proves who signed in to this app; never send it to an API as an access token. */
  idToken?: string;
  /** The validated claims of `idToken`. */
  idTokenClaims?: IdTokenClaims;
  /** True when served from the cache without a network call. */
  fromCache: boolean;
  /** The `client-request-id` sent with the request (a UUID), to quote to the provider's support; for a cache hit, a fresh one. */
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
  /** The provider's OAuth `error` value (RFC 6749 5.2), e.g. `invalid_grant`. */
  error: string;
  /** The provider's `error_description`: for people, not for programs (on Entra it starts with an `AADSTS` code). */
  errorDescription?: string;
  /** The provider's `error_uri`: a page about the error. */
  errorUri?: string;
  /** Entra's numeric `error_codes` (the AADSTS numbers), e.g. `[50076]` for MFA required. */
  errorCodes?: number[];
  /** Entra's `suberror`, e.g. `bad_token`, `consent_required`, `basic_action`. */
  suberror?: string;
  /** The `client-request-id` of the request, to quote to the provider's support. */
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
  /** Which steps may run (MSAL.js `CacheLookupPolicy`); default `'default'`. See {@link CacheLookupPolicy}. */
  cacheLookupPolicy?: CacheLookupPolicy;
}

/**
 * Which steps `acquireTokenSilent` may take, as MSAL.js's `CacheLookupPolicy` means them:
 * - `default`: cached access token, else the refresh token, else a hidden-iframe sign-in (`prompt=none`).
 * - `accessToken`: the cached access token only (no network).
 * - `accessTokenAndRefreshToken`: cached access token, else the refresh token; no iframe.
 * - `refreshToken`: skip the cached access token, use the refresh token; no iframe.
 * - `refreshTokenAndNetwork`: skip the cached access token, use the refresh token, else the iframe (as `forceRefresh`).
 * - `skipCache`: straight to the iframe (new access and refresh tokens); fails where third-party cookies are blocked.
 */
export type CacheLookupPolicy = 'default' | 'accessToken' | 'accessTokenAndRefreshToken' | 'refreshToken' | 'refreshTokenAndNetwork' | 'skipCache';

/** Options of `ssoSilent`: a sign-in through a hidden iframe with `prompt=none` (MSAL.js `ssoSilent`). */
export interface SsoSilentRequest {
  /** Scopes the access token is for (`openid`, `profile`, `offline_access` are added as for any sign-in). */
  scopes: readonly string[];
  /** Sent as `login_hint`: which of the provider's signed-in people (a username or email). */
  loginHint?: string;
  /** Sent as `sid`: the provider session id (an id_token's `sid` claim). */
  sid?: string;
  /** Sent as `domain_hint` (Entra: `organizations`, `consumers`, or a tenant domain). */
  domainHint?: string;
  /** The account expected back: the answer must be this person (and its `sid`/username are sent as hints). */
  account?: AccountInfo;
  /** Authority override for this request. */
  authority?: string;
  /** JSON claims request, e.g. from a resource's claims challenge. */
  claimsChallenge?: string;
  /** Bind the tokens: MSAL AT-PoP or DPoP. */
  authScheme?: AuthScheme;
  /** Where the provider sends the frame back; default the client's `redirectUri`. A fast, light page of this app is best. */
  redirectUri?: string;
}

/** Options of `initiateAuthCodeFlow` (MSAL `initiate_auth_code_flow`). */
export interface AuthCodeFlowOptions {
  /** Where the provider sends the response; must be registered for the app exactly. Default: the client's `redirectUri` option, else the current page without query and fragment. */
  redirectUri?: string;
  /** Default: a fresh random value. */
  state?: string;
  /** OIDC `prompt`: `login` forces a sign-in, `select_account` shows the account picker, `consent` asks for consent again, `none` fails with `login_required` instead of showing a page, `create` offers sign-up. Default: none sent. */
  prompt?: 'none' | 'login' | 'consent' | 'select_account' | 'create' | (string & {});
  /** Pre-fills the sign-in name (`login_hint`), e.g. `account.username`. */
  loginHint?: string;
  /** Entra `domain_hint`: skips home-realm discovery, e.g. `contoso.com` or `consumers`. */
  domainHint?: string;
  /** JSON claims request, e.g. from a resource's claims challenge. */
  claimsChallenge?: string;
  /** Seconds since the person last authenticated; checked against `auth_time`. */
  maxAge?: number;
  /** How the response comes back: `query` or `fragment` (`#code=…`, keeps the code out of server logs). Default `fragment` for redirects and popups. */
  responseMode?: 'query' | 'fragment';
  /** Authority override for this request. */
  authority?: string;
  /** Bind the tokens: MSAL AT-PoP or DPoP (`dpop_jkt` then binds the code too, RFC 9449 10). */
  authScheme?: AuthScheme;
}

/** Options of `acquireTokenInteractive`. */
export interface InteractiveOptions extends AuthCodeFlowOptions {
  /** Scopes to consent to and get a token for, e.g. `['User.Read']`; `openid`, `profile` and `offline_access` are added. */
  scopes: readonly string[];
  /** `popup` resolves with the result; `redirect` navigates away and the result comes from `handleRedirectPromise()`. */
  interaction: 'redirect' | 'popup';
  /** Page to return to after a redirect sign-in. Default: the current page. */
  redirectStartPage?: string;
}

/** Options of `logout`. */
export interface LogoutOptions {
  /** The account to sign out. Default: every account of this client. */
  account?: AccountInfo;
  /** Where the provider sends the person after signing out; must be registered as a (front-channel) logout / post-logout redirect URI. Default: the client's `postLogoutRedirectUri`, else none (the provider shows its own page). */
  postLogoutRedirectUri?: string;
  /**
   * `redirect` (default) or `popup` end the provider session too; `none` signs out of this app
   * only (the provider session stays). In every mode the account's refresh token is revoked
   * first where the provider has a `revocation_endpoint` (see `revokeTokenTypes`).
   */
  interaction?: 'redirect' | 'popup' | 'none';
}

/** What a UI needs to render auth state. Immutable: replaced, never mutated, when something changes. */
export interface AuthSnapshot {
  /** `initializing` until `initialize()` has loaded the cache and handled a redirect response. */
  status: 'initializing' | 'idle' | 'interacting';
  /** Every account signed in to this app, in cache order; empty when nobody is. */
  accounts: readonly AccountInfo[];
  /** The account set with `setActiveAccount`, else the first signed-in one, else `null`. */
  activeAccount: AccountInfo | null;
  /**
   * The last failure of `initialize()` or of an interactive sign-in, until the next one starts
   * (or `initialize()` is called again after failing); `null` otherwise.
   */
  error: Error | null;
}

/** Something that happened to a client's auth state (for logging, analytics, UI reactions). */
export type AuthEvent =
  | {
      /** A sign-in finished (popup, redirect, or a redeemed code). */
      type: 'signIn';
      /** The tokens and account of the sign-in. */
      result: AuthenticationResult;
    }
  | {
      /** `logout` was called. */
      type: 'signOut';
      /** The account signed out; `null` when every account of the client was. */
      account: AccountInfo | null;
    }
  | {
      /** A token came from the network (a refresh); cache hits emit nothing. */
      type: 'tokenAcquired';
      /** The new token. */
      result: AuthenticationResult;
    }
  | {
      /** The account list changed (a sign-in or sign-out, here or in another tab). */
      type: 'accountsChanged';
      /** The accounts now signed in. */
      accounts: readonly AccountInfo[];
    }
  | {
      /** The account's refresh token ends at `expiresOn` and keyward could not renew it silently: ask the person to sign in in good time. */
      type: 'sessionExpiring';
      /** The account whose session ends. */
      account: AccountInfo;
      /** When its refresh token stops working. */
      expiresOn: Date;
      /** Why the silent renewal failed, if it was tried. */
      error?: unknown;
    }
  | {
      /** A silent renewal through the hidden iframe moved the account's session deadline. */
      type: 'sessionRenewed';
      /** The account renewed. */
      account: AccountInfo;
      /** The new deadline. */
      expiresOn: Date | undefined;
    }
  | {
      /** An operation failed. */
      type: 'error';
      /** What was being done. */
      operation: 'signIn' | 'signOut' | 'acquireToken' | 'initialize';
      /** What it threw, usually a `KeywardError` (switch on its `errorCode`). */
      error: unknown;
    }
  | {
      /**
       * Something went wrong that did not stop the operation: `revocation_failed` (sign-out went
       * on, the provider may still honour the token until it expires), `check_session_unavailable`
       * (`monitorSession` is on but the provider has no `check_session_iframe`).
       */
      type: 'warning';
      /** What was being done. */
      operation: 'signOut' | 'sessionMonitor';
      /** A `KeywardError` carrying that `errorCode`. */
      error: Error & {
        /** `revocation_failed` or `check_session_unavailable`. */
        errorCode: string;
      };
    }
  | {
      /**
       * `monitorSession`: the provider's session for this account changed (the person signed out
       * there, or someone else signed in there); the account and its tokens were removed here.
       */
      type: 'sessionChanged';
      /** The account removed. */
      account: AccountInfo;
    };

/**
 * What the React layer (and `createAuthFetch`) need of a client. `PublicClientApplication`
 * implements it; so does `createTestClient` from `keyward/testing`, for tests and stories
 * without a provider.
 */
export interface AuthClient {
  /** Loads the cache and handles a redirect response, once; see `PublicClientApplication.initialize`. */
  initialize(): Promise<void>;
  /** The current auth state; the same object until something changes. */
  getSnapshot(): AuthSnapshot;
  /** Calls `listener` when the snapshot changes; returns the unsubscribe function. */
  subscribeSnapshot(listener: () => void): () => void;
  /** Chooses the account `activeAccount` refers to (`null`: back to the first signed-in one). */
  setActiveAccount(account: AccountInfo | null): void;
  /** The signed-in accounts, optionally only those with this username (case-insensitive). */
  getAccounts(username?: string): Promise<AccountInfo[]>;
  /** A token without interaction, or `null` when the cache holds nothing usable; throws `InteractionRequiredError` when the provider refuses. */
  acquireTokenSilent(scopes: readonly string[], account: AccountInfo, options?: SilentOptions): Promise<AuthenticationResult | null>;
  /** Signs the person in through a popup or a redirect. */
  acquireTokenInteractive(options: InteractiveOptions): Promise<AuthenticationResult>;
  /** Sign-in through a hidden iframe with `prompt=none` (optional: a test client may not have it). */
  ssoSilent?(request: SsoSilentRequest): Promise<AuthenticationResult>;
  /** Signs out here and, unless `interaction: 'none'`, at the provider. */
  logout(options?: LogoutOptions): Promise<void>;
}

/** Options of a token subscription (`useToken`). */
export interface TokenRequestOptions {
  /** Default: the active account. */
  account?: AccountInfo | null;
  /** How `acquireInteractively()` asks the person. Default `popup`. Never started by itself. */
  interaction?: 'none' | 'popup' | 'redirect';
  /** Skip the cached access token and use the refresh token (once per subscription). Default false. */
  forceRefresh?: boolean;
  /** A claims challenge from a resource (`WWW-Authenticate: … claims=`), passed to the provider; bypasses the cached token. */
  claimsChallenge?: string;
  /** Bearer (default), MSAL AT-PoP or DPoP. */
  authScheme?: AuthScheme;
  /** Default true; false keeps the state idle and makes no request. */
  enabled?: boolean;
}

/** A token subscription's state. Immutable; replaced on change. */
export interface TokenState {
  /** `idle`: nothing to do (no account, or `enabled: false`); `loading`: a request is running; `success`: `token` is set; `error`: `error` is set. */
  status: 'idle' | 'loading' | 'success' | 'error';
  /** The access token on `success` (kept while a renewal is loading); `null` otherwise. */
  token: string | null;
  /** The whole result behind `token` (expiry, scopes, account); `null` when there is no token. */
  result: AuthenticationResult | null;
  /** What the last request failed with (usually a `KeywardError`; an `InteractionRequiredError` means the person must sign in); `null` unless `status` is `error`. */
  error: Error | null;
}
