// Types for createEntraIdp.mjs (plain JS so it runs under plain Node too).
import type { Server } from 'node:https';
import type { JWK } from 'jose';

/** Tenant A ("Contoso", contoso.onmicrosoft.com); `common`/`organizations`/`consumers` resolve to it. */
export declare const TENANT_A: '7d1f3a2b-4c5e-4f60-8a9b-0c1d2e3f4a5b';
/** Tenant B ("Fabrikam", fabrikam.onmicrosoft.com). */
export declare const TENANT_B: 'c2e4f6a8-1b3d-4e5f-9a7b-8c9d0e1f2a3b';
export type TenantId = typeof TENANT_A | typeof TENANT_B;
export declare const TENANT_DOMAINS: Readonly<Record<string, TenantId>>;
export declare const MULTI_TENANT_SEGMENTS: readonly ['common', 'organizations', 'consumers'];
export declare const CONSUMERS_TENANT: '9188040d-6c67-4c5b-b112-36a304b66dad';
export declare const API_AUDIENCE: 'api://demo';
export declare const API_SCOPES: readonly string[];
/** login.microsoftonline.com, login.windows.net, login.microsoft.com, sts.windows.net */
export declare const ENTRA_HOSTS: readonly string[];
/** `https://microsoft.com/devicelogin` (redirects to /common/oauth2/deviceauth). */
export declare const DEVICE_VERIFICATION_URI: string;
export declare const DEVICE_LOGIN_HOSTS: readonly string[];
/** `westus2.login.microsoft.com`, `eastus.login.microsoft.com`: Entra regional hosts served by the same server. */
export declare const REGIONAL_HOSTS: readonly string[];
/** The API on-behalf-of tokens are for (`api://downstream`) and its scopes. */
export declare const DOWNSTREAM_AUDIENCE: 'api://downstream';
export declare const DOWNSTREAM_SCOPES: readonly string[];
/** ENTRA_HOSTS + REGIONAL_HOSTS + microsoft.com, www.microsoft.com, unknown-instance.example */
export declare const DEFAULT_MAPPED_HOSTS: readonly string[];

export interface InstanceMetadataGroup {
  preferred_network: string;
  preferred_cache: string;
  aliases: string[];
}
/** Instance discovery `metadata` as Entra sends it. */
export declare const INSTANCE_METADATA: readonly InstanceMetadataGroup[];
export declare const KNOWN_MICROSOFT_HOSTS: ReadonlySet<string>;

/** Entra's error body (docs/protocol.md A11). */
export interface EntraErrorBody {
  error: string;
  /** `AADSTS<code>: <text>\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: YYYY-MM-DD HH:MM:SSZ` */
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
  /** A JSON string (not base64), for claims challenges. */
  claims?: string;
}
export declare function entraError(e: {
  error: string;
  code: number;
  text: string;
  correlationId?: string;
  traceId?: string;
  suberror?: string;
  claims?: string;
  host?: string;
}): EntraErrorBody;
/** `YYYY-MM-DD HH:MM:SSZ` */
export declare function entraTimestamp(date?: Date): string;

export declare function normalizeLogin(login: string): string;
/** Deterministic GUID from the login name (with `tenant`: that tenant's guest object id). */
export declare function oidFor(login: string, tenant?: string): string;
/** The opaque per-tenant `sub` (43 base64url chars). */
export declare function subFor(login: string, tenant: string): string;
/** `<login>` if it has an `@`, else `<login>@contoso.onmicrosoft.com` (lowercased). */
export declare function preferredUsername(login: string): string;
/** `alice.smith` -> `Alice Smith` */
export declare function displayName(login: string): string;
export declare function decodeClientInfo(value: string): { uid: string; utid: string };

export interface ClientMetadata {
  client_id: string;
  [field: string]: unknown;
}

export interface EntraIdpOptions {
  /** Default 0: a free port (the browser reaches it through entraResolverRules). */
  port?: number;
  /** Registered redirect URIs (also post-logout URIs) of every default client. */
  redirectUris: string[];
  /** CORS origins for the token/devicecode endpoints. Default: the redirect URIs' origins. */
  corsOrigins?: string[];
  /** Public clients to register (default `['spa']`): code+PKCE, refresh, device code, password. */
  clientIds?: string[];
  /** Replaces the default clients entirely. */
  clients?: ClientMetadata[];
  /** Seconds; default 3600. */
  accessTokenTtl?: number;
  /** Seconds; default 3600. */
  idTokenTtl?: number;
  /** Seconds; default 86400 (Entra's fixed SPA lifetime). */
  refreshTokenTtl?: number;
  /**
   * Default true: oidc-provider's rotation, where replaying a used refresh token revokes the
   * grant. (Entra also returns a new refresh token on each use but is not documented to revoke
   * on replay: this is stricter.)
   */
  rotateRefreshTokens?: boolean;
  /** Default true: token responses carry `refresh_in` = floor(expires_in / 2). */
  refreshIn?: boolean;
  /**
   * Default false: add `refresh_token_expires_in` to token responses redeemed cross-origin (SPA).
   * Off because no capture of Entra sending it was found.
   */
  refreshTokenExpiresIn?: boolean;
  /** `interval` of device code responses, seconds. Default 1 (Entra sends 5). */
  deviceInterval?: number;
  /**
   * Default false: polling a device code faster than `deviceInterval` gets RFC 8628 `slow_down`.
   * Entra's device-flow documentation lists no slow_down, so it is opt-in.
   */
  deviceSlowDown?: boolean;
  /** Seconds; default 900 (Entra's 15 minutes). */
  deviceCodeTtl?: number;
  /** Default DEVICE_VERIFICATION_URI. */
  deviceVerificationUri?: string;
  /**
   * Logins that are members of tenant A and guests in tenant B: in B their id_token `oid` is
   * B's guest object id while client_info stays the home account (uid = home oid, utid = TENANT_A).
   * Everyone else is a member of both tenants with one oid (client_info utid = the tenant).
   */
  guestLogins?: string[];
  /** Default true: the app counts as admin-consented, so only prompt=consent shows a consent page. */
  autoConsent?: boolean;
  /**
   * Default false: Retry-After on failNext answers is not listed in Access-Control-Expose-Headers,
   * so page scripts cannot read it (whether Entra exposes it is unverified; Graph does not).
   */
  exposeRetryAfter?: boolean;
  /** More hosts to map to this server (certificate SANs + resolver rules). */
  extraHosts?: string[];
  /** Confidential clients (keyward/server): client credentials, on-behalf-of, and code with a credential. */
  confidentialClients?: ConfidentialClientSpec[];
}

/**
 * A confidential client. With `certificates` it authenticates with `private_key_jwt` (the
 * assertion's `x5t`/`x5t#S256` must name one of them; an `x5c` leaf must be that one),
 * otherwise with `client_secret_post`.
 */
export interface ConfidentialClientSpec {
  client_id: string;
  client_secret?: string;
  /** PEM certificates registered on the app (their public keys verify the assertions). */
  certificates?: string[];
  /** App ID URIs user assertions for on-behalf-of may be issued to (besides client_id), e.g. `api://demo`. */
  audiences?: string[];
  /** App roles in its app tokens. Default `['Data.Read.All']`. */
  roles?: string[];
}

export type EntraEndpoint = 'token' | 'authorize' | 'devicecode' | 'discovery' | 'keys' | 'instance' | 'logout';

export interface FailNextOptions {
  /** Default 429. */
  status?: 429 | 503 | number;
  /** Seconds, sent as `Retry-After`; no header when omitted. */
  retryAfter?: number;
  /** How many matching requests fail; default 1. */
  count?: number;
  /** Default 'token'. */
  endpoint?: EntraEndpoint;
  /** Only requests to this tenant (after alias resolution). */
  tenant?: string;
  /** Default `temporarily_unavailable`. */
  error?: string;
  /** AADSTS number; default 90055 (429) / 90033 (503). */
  errorCode?: number;
  description?: string;
  /** Answer `Too Many Requests` / `Service Unavailable` as text/plain instead (seen from Entra, MSAL.NET #2855). */
  plainText?: boolean;
}

export interface DemandClaimsOptions {
  /** The claims JSON the token request must contain (deep subset of its `claims` parameter). */
  claims: string;
  /** Default `interaction_required` (Entra also answers `invalid_grant` with the same members). */
  error?: string;
  /** Default `basic_action`; null for none. */
  suberror?: string | null;
  /** Default 50076. */
  errorCode?: number;
  description?: string;
  /** Give up after rejecting this many requests; default: until a request carries the claims. */
  count?: number;
}

export interface EntraTokenRequest {
  endpoint: 'token' | 'devicecode';
  /** Tenant GUID after alias resolution. */
  tenant?: string;
  /** The `{tenant}` path segment as sent (GUID, domain, common, organizations, consumers). */
  segment: string;
  host: string;
  grant_type: string;
  refresh_token?: string;
  code?: string;
  device_code?: string;
  username?: string;
  scope?: string;
  client_id?: string;
  client_info?: string;
  claims?: string;
  /** The request's `token_type` parameter (`pop` for MSAL AT-PoP). */
  token_type?: string;
  /** The request's `req_cnf` parameter, as sent (base64url JSON `{"kid","xms_ksl"}`). */
  req_cnf?: string;
  /** The `kid` of a valid AT-PoP request: the access token carries `cnf: {"kid": popKid}`. */
  popKid?: string;
  /** The whole form body; `password` and `client_secret` are `[redacted]` (a `client_assertion` is kept, to be decoded). */
  body: Record<string, string>;
  /** origin, content-type, dpop, x-client-current-telemetry, client-request-id, … when sent. */
  headers: Record<string, string>;
  status: number;
  error?: string;
  suberror?: string;
  at: number;
}

export interface EntraAuthorizeRequest {
  tenant: string;
  segment: string;
  host: string;
  /** Query parameters as the client sent them (before this IdP's own rewrites). */
  params: Record<string, string>;
  headers: Record<string, string>;
  at: number;
}

export interface EntraDiscoveryRequest {
  kind: 'openid-configuration' | 'instance' | 'keys';
  host: string;
  segment: string;
  tenant?: string;
  url: string;
  params: Record<string, string>;
  headers: Record<string, string>;
  at: number;
}

export interface EntraEvent {
  type: string;
  tenant: string;
  at: number;
  detail: Record<string, unknown>;
}

export interface EntraAccount {
  login: string;
  sub: string;
  oid: string;
  tid: string;
  /** client_info.uid (home oid) */
  uid: string;
  /** client_info.utid (home tenant) */
  utid: string;
  name: string;
  preferred_username: string;
}

/** The bits of oidc-provider's Provider tests may touch. */
export interface OidcProvider {
  readonly issuer: string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface EntraIdp {
  /** The local HTTPS port every mapped host points at. */
  port: number;
  /** `https://login.microsoftonline.com/<tenant>/v2.0` (default TENANT_A). */
  issuer(tenant?: string): string;
  /** `https://login.microsoftonline.com/<tenant>/` (MSAL authority form). */
  authority(tenant?: string): string;
  tenants: { A: typeof TENANT_A; B: typeof TENANT_B };
  providers: Record<string, OidcProvider>;
  server: Server;
  /** The self-signed certificate (PEM) the server presents for every mapped host. */
  certificate: { cert: string; fingerprint: string };
  /** Hosts mapped to `port` by entraResolverRules. */
  mappedHosts: string[];
  /** The signing key of both tenants: re-sign tampered tokens with it. */
  signingKey: { jwk: JWK; key: CryptoKey; kid: string; alg: 'RS256' };
  jwks: { keys: JWK[] };
  /** Expected identifiers of `login` in `tenant` (default TENANT_A). */
  account(login: string, tenant?: string): EntraAccount;
  /** Expected client_info value of `login` in `tenant`. */
  clientInfo(login: string, tenant?: string): string;
  events: EntraEvent[];
  /** Every POST to a token endpoint, failures (and injected failures) included. */
  tokenRequests: EntraTokenRequest[];
  /** Every POST to a devicecode endpoint. */
  deviceRequests: EntraTokenRequest[];
  /** Every initial /authorize request (not the resume after login). */
  authorizeRequests: EntraAuthorizeRequest[];
  /** openid-configuration, instance discovery and keys requests that reached the server. */
  discoveryRequests: EntraDiscoveryRequest[];
  /** fetch() from Node: Entra URLs go to this server (TLS verified against `certificate`). */
  fetch(input: string | URL, init?: { method?: string; headers?: HeadersInit; body?: string | URLSearchParams }): Promise<Response>;
  /** The next `count` requests to `endpoint` fail with `status` (+ Retry-After) and Entra's error body. */
  failNext(options?: FailNextOptions): void;
  /** Token requests without these claims get Entra's claims challenge (400 + `claims`). */
  demandClaims(options: DemandClaimsOptions): void;
  /**
   * Revokes the live refresh tokens of `login` (all logins when omitted): redeeming one gets
   * 400 invalid_grant AADSTS50173. `sessions: true` also ends their sign-in sessions.
   * Returns how many refresh tokens were revoked.
   */
  revokeRefreshTokens(login?: string, options?: { sessions?: boolean }): number;
  /** Clears logs, pending failures and claims demands. */
  reset(): void;
  close(): Promise<void>;
}

export declare function createEntraIdp(options: EntraIdpOptions): Promise<EntraIdp>;

/**
 * Chromium's one `--host-resolver-rules` value:
 * `MAP login.microsoftonline.com 127.0.0.1:PORT, MAP …, MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost`.
 */
export declare function entraResolverRules(idp: Pick<EntraIdp, 'port' | 'mappedHosts'>): string;
