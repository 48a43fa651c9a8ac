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

export interface IdpOptions {
  /** Default 0: a free port; the issuer carries the real one. */
  port?: number;
  host?: '127.0.0.1';
  /** Replaces the default public `spa` client. */
  clients?: ClientMetadata[];
  redirectUris: string[];
  corsOrigins: string[];
  /** Seconds; default 3600. */
  accessTokenTtl?: number;
  /** Seconds; default 86400. */
  idTokenTtl?: number;
  /** Seconds; default 14 days. */
  refreshTokenTtl?: number;
  /** Default true: every refresh returns a new refresh token, replays revoke the grant. */
  rotateRefreshTokens?: boolean;
}

export interface IdpEvent {
  /** oidc-provider event name, e.g. `grant.success`, `refresh_token.consumed`. */
  type: string;
  at: number;
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
  /** HTTP status of the token response. */
  status: number;
  /** OAuth `error` of a failed response. */
  error?: string;
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
  /** Refresh tokens presented to the token endpoint more than once. */
  replays(): string[];
  reset(): void;
  close(): Promise<void>;
}

export declare function createIdp(options: IdpOptions): Promise<Idp>;
