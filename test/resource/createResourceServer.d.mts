// Types for createResourceServer.mjs (plain JS, like ../idp/createIdp.mjs).
import type { Server } from 'node:http';
import type { JWK, JWTPayload, ProtectedHeaderParameters } from 'jose';

/** `https://login.microsoftonline.com/common/oauth2/authorize` */
export declare const CLAIMS_CHALLENGE_AUTHORIZATION_URI: string;
/** 60: DPoP proof `iat` must be within this many seconds of the server clock. */
export declare const DPOP_IAT_WINDOW: number;
/** 300: SHR `ts` must be within this many seconds of the server clock. */
export declare const SHR_TS_WINDOW: number;
/** Asymmetric algorithms accepted for DPoP proofs and SHRs (advertised as DPoP `algs`). */
export declare const PROOF_ALGS: readonly string[];

/**
 * `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize",
 * error="insufficient_claims", claims="<standard base64 of claims>"` (learn.microsoft.com claims-challenge).
 */
export declare function claimsChallengeHeader(claims: string): string;

export interface ResourceIssuer {
  /** Exact `iss` of the access tokens (e.g. `idp.issuer`, `entra.issuer(TENANT_A)`). */
  issuer: string;
  /** Fetched by jose's createRemoteJWKSet (e.g. `${idp.issuer}/jwks`). */
  jwksUri?: string;
  /** A static JWKS (e.g. `entra.jwks`, whose jwks_uri Node cannot reach directly). */
  jwks?: { keys: JWK[] };
  /** Required `aud` (one of). */
  audience: string | string[];
}

export interface ResourceServerOptions {
  issuers: ResourceIssuer[];
  /** Page origins allowed by CORS (request headers Authorization, DPoP; exposed WWW-Authenticate, DPoP-Nonce). */
  corsOrigins: string[];
  /**
   * Default false. True: a DPoP request whose proof lacks the current server nonce gets
   * `401`, `WWW-Authenticate: DPoP error="use_dpop_nonce", …` and `DPoP-Nonce: <nonce>`
   * (RFC 9449 9). Every DPoP answer then carries the current `DPoP-Nonce`.
   */
  dpopNonce?: boolean;
  /** Initial claims challenge (see ResourceServer.setClaimsChallenge). */
  claimsChallenge?: string;
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
}

export type ResourceScheme = 'Bearer' | 'DPoP' | 'PoP' | 'preflight';

export interface ResourceRequest {
  at: number;
  method: string;
  /** `http://<Host header><path>?<query>` */
  url: string;
  path: string;
  /** Raw query string without `?` (`''` when none). */
  query: string;
  origin?: string;
  /** The Origin was in corsOrigins (CORS headers were sent). */
  corsAllowed: boolean;
  /** Authorization scheme as normalized (`Bearer`/`DPoP`/`PoP`), another scheme as sent, null when none. */
  scheme: ResourceScheme | string | null;
  status: number;
  ok: boolean;
  /** OAuth error of a rejection: invalid_request, invalid_token, invalid_dpop_proof, use_dpop_nonce, insufficient_claims. */
  error?: string;
  /** What failed, in words (e.g. `DPoP proof htm mismatch: proof says POST, request is GET`). */
  reason?: string;
  /**
   * Checks that passed, in order: `at.signature`, `at.iss`, `at.aud`, `at.exp`, `at.unbound` (Bearer),
   * `proof.typ|alg|jwk|signature|jti|htm|htu|iat|ath|nonce`, `at.cnf.jkt` (DPoP),
   * `shr.typ|signature|kid|nonce|m|u|p|q|ts`, `at.cnf.kid` (PoP), `claims` (claims challenge).
   */
  verified: string[];
  sub?: string;
  iss?: string;
  /** Verified access-token claims (when the token got that far). */
  token?: JWTPayload;
  /** The DPoP proof, decoded (not necessarily valid). */
  proof?: { header: ProtectedHeaderParameters; payload?: JWTPayload };
  /** The SHR, decoded (not necessarily valid); `at` is replaced by `[access token]`. */
  shr?: { header: ProtectedHeaderParameters; payload: JWTPayload };
  /** authorization, dpop, origin (and a preflight's access-control-request-method/-headers) as received. */
  headers: Record<string, string>;
}

/** 200 body. */
export interface ResourceOk {
  ok: true;
  scheme: 'Bearer' | 'DPoP' | 'PoP';
  sub?: string;
  iss?: string;
  method: string;
  path: string;
  verified: string[];
}
/** 401 body (with the matching WWW-Authenticate). */
export interface ResourceError {
  ok: false;
  error: string;
  reason: string;
}

export interface ResourceServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  server: Server;
  /** Absolute URL of `path` (default `/`) on this server. Any path is protected. */
  url(path?: string): string;
  /** Live log of every request (preflights included); cleared by reset(). */
  requests: ResourceRequest[];
  /**
   * Claims challenge (a JSON string such as `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`),
   * or undefined to stop. While set, every request whose (otherwise valid) access token does not
   * carry the claims (`acrs` containing `c1`) gets 401 + `claimsChallengeHeader(claims)`.
   */
  setClaimsChallenge(claims: string | undefined): void;
  /** The DPoP nonce currently demanded (undefined without `dpopNonce`). */
  dpopNonce(): string | undefined;
  /** Replaces the DPoP nonce: proofs with the old one get use_dpop_nonce again. */
  rotateDpopNonce(): string;
  /** Clears `requests` (jti and SHR nonce replay caches are kept). */
  reset(): void;
  close(): Promise<void>;
}

export declare function createResourceServer(options: ResourceServerOptions): Promise<ResourceServer>;
