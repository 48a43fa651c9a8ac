// Types for createIdp.mjs (plain JS so `node test/idp/cli.mjs` needs no TS loader).
import type { Server } from 'node:http';
import type { JWK } from 'jose';

export declare const API_AUDIENCE: 'api://demo';
/** `api://demo/read`, `api://demo/write`: MSAL-style resource scopes. */
export declare const API_SCOPES: readonly string[];

/** oidc-provider client metadata (snake_case, as registered). */
export interface ClientMetadata {
  client_id: string;
  [field: string]: unknown;
}

/** A public single-page-app client of this IdP (PKCE, no secret, refresh tokens). */
export declare function publicClient(clientId: string, redirectUris: string[]): ClientMetadata;

export interface IdpOptions {
  /** Default 0: a free port; the issuer carries the real one. */
  port?: number;
  host?: '127.0.0.1';
  /** Replaces the default public `spa` client. */
  clients?: ClientMetadata[];
  redirectUris: string[];
  corsOrigins: string[];
  /**
   * Seconds; default 3600. A function is called at every issuance (oidc-provider's
   * `ttl.AccessToken` signature), e.g. to change the lifetime of later tokens mid-test.
   */
  accessTokenTtl?: number | ((ctx: unknown, token: unknown, client: unknown) => number);
  /**
   * oidc-provider `routes` (e.g. `{ authorization: '/authorize', token: '/oauth/token' }` for
   * an SDK that hard-codes Auth0's paths). Default: oidc-provider's, with `/auth` for authorization.
   */
  routes?: Record<string, string>;
  /** Serve over HTTPS with this key and certificate (PEM); the issuer is then `https://…`. Default: plain HTTP. */
  tls?: { key: string; cert: string };
  /** Seconds; default 86400. */
  idTokenTtl?: number;
  /** Seconds; default 14 days. */
  refreshTokenTtl?: number;
  /** Seconds the provider's sign-in session (and its grants) last; default `refreshTokenTtl`. */
  sessionTtl?: number;
  /** Default false. True: token responses carry `refresh_token_expires_in` (as Entra's do), the issued refresh token's remaining seconds. */
  refreshTokenExpiresIn?: boolean;
  /**
   * Default false. True: a `prompt=none` authorization keeps `offline_access` when the grant
   * has it, so a silent renewal in an iframe gets a refresh token (as with Entra). Without it,
   * oidc-provider drops `offline_access` from any request without `prompt=consent`.
   */
  silentRefreshTokens?: boolean;
  /**
   * The host name in the issuer (and every URL of discovery); the server still listens on
   * `host`. E.g. `localhost` for a provider on another site than an app on 127.0.0.1.
   */
  issuerHost?: '127.0.0.1' | 'localhost';
  /**
   * Default false. True: the provider's cookies are `SameSite=None; Secure`, as a provider on
   * another site than the app needs for silent sign-in in a frame. Needs `tls` (Secure cookies).
   */
  crossSiteCookies?: boolean;
  /** Default true: every refresh returns a new refresh token, replays revoke the grant. */
  rotateRefreshTokens?: boolean;
  /**
   * Default false. True: every DPoP proof sent to the IdP (token endpoint, userinfo) must
   * carry a server nonce (RFC 9449 8). A proof without one (or with a stale one) gets
   * `400 {"error":"use_dpop_nonce"}` + `DPoP-Nonce: <nonce>`; successful DPoP responses
   * also carry the current `DPoP-Nonce`. CORS exposes `DPoP-Nonce` to the page.
   * (oidc-provider `features.dPoP.nonceSecret` + `requireNonce: () => true`; its nonces are
   * stateless, HKDF over a 60 s time step, accepted for about 5 minutes.)
   */
  dpopNonce?: boolean;
  /**
   * Default false. True: the default `spa` client is registered with
   * `dpop_bound_access_tokens: true`, so a token request (code or refresh) without a DPoP
   * proof fails with `invalid_grant` ("DPoP proof JWT not provided"). Ignored with `clients`.
   * Without it DPoP is still available: a request carrying a proof gets `token_type: "DPoP"`,
   * an access token with `cnf.jkt` and a refresh token bound to that key.
   */
  dpopBoundClient?: boolean;
  /**
   * Default false. True: a token request whose `claims` parameter asks for
   * `access_token.acrs` (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`) gets
   * those values as `acrs` in the JWT access token, as the Entra authority does, so a
   * resource's claims challenge can be satisfied by re-acquisition (the playground uses it).
   */
  authContext?: boolean;
  /** Default false. True: oidc-provider's client-credentials grant (`features.clientCredentials`) for clients that list it. */
  clientCredentials?: boolean;
  /**
   * Default false. True: the discovery document sets `require_pushed_authorization_requests`
   * and the authorization endpoint refuses requests that were not pushed (RFC 9126 5).
   * Pushed requests are always accepted (oidc-provider 9's default). A pushed request carries
   * its own `prompt`, so the implicit `offline_access` consent below does not apply to it.
   */
  requirePushedAuthorizationRequests?: boolean;
  /** Default true (oidc-provider 9's default). False: no PAR endpoint at all, nothing about it in discovery. */
  pushedAuthorizationRequests?: boolean;
  /** Extra headers on every response, e.g. `{ 'Cross-Origin-Opener-Policy': 'same-origin' }`. */
  headers?: Record<string, string>;
  /** Seconds a pushed request lives (oidc-provider's is a fixed 60): `expires_in` says so and the request is destroyed then. */
  pushedRequestTtl?: number;
  /**
   * Default false. True: OpenID Connect Session Management 1.0 (test/idp/sessionManagement.mjs):
   * `check_session_iframe` in discovery, `session_state` on authorization responses, and the OP
   * iframe, whose answer changes when the person signs in again or signs out at the provider.
   */
  sessionManagement?: boolean;
  /** Default true: RFC 7009 token revocation (`revocation_endpoint`). False: no endpoint, nothing in discovery. */
  revocation?: boolean;
}

/** One POST to the pushed authorization request endpoint, as received (`client_secret` redacted). */
export interface PushedRequest {
  body: Record<string, string>;
  status: number;
  request_uri?: string;
  error?: string;
  /** The `Origin` header: set when a browser pushed it. */
  origin?: string;
  at: number;
}

// MSAL AT-PoP (always on, like DPoP): a token request (code or refresh) carrying
// `token_type=pop` and `req_cnf` = base64url(JSON `{"kid":"<RFC 7638 thumbprint>","xms_ksl":"sw"}`)
// gets `token_type: "pop"` and a JWT access token with `cnf: { kid }`. Without `token_type=pop`
// nothing changes; a bad `req_cnf` gets the ordinary Bearer answer.

export interface IdpEvent {
  /** oidc-provider event name, e.g. `grant.success`, `refresh_token.consumed`. */
  type: string;
  at: number;
  /**
   * What the event is about. `grant.error` carries `{ error, description, detail, grantType }`;
   * `detail` is oidc-provider's internal reason (e.g. `failed jkt verification`), which
   * never reaches the client (its `error_description` is generic).
   */
  detail: Record<string, unknown>;
}

export interface TokenRequest {
  grant_type: string;
  refresh_token?: string;
  code?: string;
  scope?: string;
  client_id?: string;
  /** The whole parsed form body. */
  body: Record<string, string | string[]>;
  /** origin, content-type, dpop, authorization, user-agent (when sent). */
  headers: Record<string, string>;
  /** Whether the request carried a `DPoP` header (its value is `headers.dpop`). */
  dpop: boolean;
  /** HTTP status of the token response. */
  status: number;
  /** OAuth `error` of a failed response. */
  error?: string;
  /** `token_type` of a successful response (`Bearer`, `DPoP`, or `pop` for MSAL AT-PoP). */
  token_type?: string;
  /** The `DPoP-Nonce` response header, when the IdP sent one. */
  dpopNonce?: string;
  at: number;
}

/** The bits of oidc-provider's Provider tests are expected to touch. */
export interface OidcProvider {
  readonly issuer: string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface Idp {
  /** `http://127.0.0.1:<port>` */
  issuer: string;
  port: number;
  provider: OidcProvider;
  server: Server;
  /** The provider's only signing key: re-sign tampered tokens with it. */
  signingKey: { jwk: JWK; key: CryptoKey; kid: string; alg: 'RS256' };
  /** Public JWKS: the key served at jwks_uri. */
  jwks: { keys: JWK[] };
  /** Live log; cleared by reset(). */
  events: IdpEvent[];
  /** Live log of every POST to the token endpoint, failures included. */
  tokenRequests: TokenRequest[];
  /** POSTs to the pushed authorization request endpoint (RFC 9126), oldest first. */
  pushedRequests: PushedRequest[];
  /** Refresh tokens presented to the token endpoint more than once. */
  replays(): string[];
  reset(): void;
  close(): Promise<void>;
}

export declare function createIdp(options: IdpOptions): Promise<Idp>;
