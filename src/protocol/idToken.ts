import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, type JWTPayload } from 'jose';
import { ErrorCode, IdTokenError, KeywardError } from '../errors.js';
import { nowSeconds } from '../util/time.js';
import type { IdTokenClaims } from '../types.js';

/** What the id_token must satisfy. */
export interface IdTokenExpectations {
  /** The provider's issuer; `{tenantid}` is filled from the token's `tid` (docs/protocol.md A3). */
  issuer: string;
  clientId: string;
  /** The nonce sent; `null` when none was sent (then none may come back); `undefined` to skip (refresh, OIDC Core 12.2). */
  nonce: string | null | undefined;
  /** Seconds; requires `auth_time` within it (OIDC Core 3.1.3.7 step 13). */
  maxAge?: number;
  /** Algorithms the provider advertises; intersected with keyward's asymmetric allow-list. */
  advertisedAlgs: readonly string[];
}

/** Loads the provider's key set; `refetch` after an unknown `kid` (may return undefined when rate-limited). */
export interface KeySetLoader {
  get(): Promise<JSONWebKeySet>;
  refetch(): Promise<JSONWebKeySet | undefined>;
}

/** Asymmetric algorithms only: never `none` (no integrity), never HS* (a public client has no secret) — steps 7, 8. */
export const allowedIdTokenAlgs = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

/** Bounded clock skew, seconds (docs/protocol.md B5: at most 5 minutes). */
export const clockSkewSeconds = 300;

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Validates an id_token per OIDC Core 3.1.3.7, including the signature against the
 * provider's JWKS even for back-channel tokens (step 6 would allow skipping it; we don't).
 * jose checks the signature (`compactVerify`, over the key set with `createLocalJWKSet`); the
 * claims (`iss`, `aud`, `exp`, `nbf`, and the OIDC rules) are checked here, in one place.
 */
export async function verifyIdToken(idToken: string, expected: IdTokenExpectations, keys: KeySetLoader): Promise<IdTokenClaims> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: JWTPayload;
  try {
    header = decodeProtectedHeader(idToken);
    unverified = decodeJwt(idToken);
  } catch (cause) {
    throw fail(ErrorCode.idTokenMalformed, 'The id_token is not a well-formed signed JWT.', cause);
  }
  const algorithms = allowedAlgorithms(expected.advertisedAlgs);
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
    throw fail(
      ErrorCode.idTokenAlgNotAllowed,
      `The id_token is signed with "${String(header.alg)}", which is not allowed (allowed: ${algorithms.join(', ')}).`,
    );
  }
  const issuer = expectedIssuer(expected.issuer, unverified);
  const options = { algorithms };

  let payload: JWTPayload;
  try {
    payload = await verifySignature(idToken, await keys.get(), options);
  } catch (error) {
    if (codeOf(error) !== 'ERR_JWKS_NO_MATCHING_KEY') throw mapJoseError(error);
    // Keys rotate: one refetch on an unknown kid (OIDC Core 10.1.1), then give up.
    const fresh = await keys.refetch();
    if (!fresh) {
      throw fail(
        ErrorCode.idTokenKeyNotFound,
        "The id_token's signing key is not in the provider's key set (JWKS), fetched under 30 s ago, so not refetched. Try again shortly.",
        error,
      );
    }
    try {
      payload = await verifySignature(idToken, fresh, options);
    } catch (retryError) {
      throw mapJoseError(retryError);
    }
  }
  return checkOidcClaims(checkJwtClaims(payload, issuer, expected.clientId), expected);
}

type VerifyOptions = Parameters<typeof compactVerify>[2];

/**
 * jose's verification over a key set. Without a `kid` several keys may fit; jose then
 * hands them over as an async iterable and each is tried (conformance
 * `kid-absent-multiple-jwks`: reject, or try all keys — trying is kinder to providers).
 */
async function verifySignature(idToken: string, keySet: JSONWebKeySet, options: VerifyOptions): Promise<JWTPayload> {
  try {
    return claimsSetOf(await compactVerify(idToken, createLocalJWKSet(keySet), options));
  } catch (error) {
    if (codeOf(error) !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' || !(Symbol.asyncIterator in (error as object))) throw error;
    let lastError: unknown = error;
    for await (const key of error as AsyncIterable<CryptoKey>) {
      try {
        return claimsSetOf(await compactVerify(idToken, key, options));
      } catch (keyError) {
        if (codeOf(keyError) !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw keyError;
        lastError = keyError;
      }
    }
    throw lastError;
  }
}

/**
 * The verified payload as a JWT claims set (RFC 7519 7.2 steps 9-10): a JSON object, from the
 * signed bytes (never the unverified decode). A JWS with an unencoded payload (RFC 7797 `b64`)
 * is no JWT.
 */
function claimsSetOf({ payload, protectedHeader }: Awaited<ReturnType<typeof compactVerify>>): JWTPayload {
  let claims: unknown;
  try {
    claims = protectedHeader.b64 === false ? undefined : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    throw fail(ErrorCode.idTokenMalformed, 'The id_token could not be verified.', cause);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw fail(ErrorCode.idTokenMalformed, 'The id_token could not be verified.');
  return claims as JWTPayload;
}

/**
 * OIDC Core 3.1.3.7 steps 2, 3, 9 and RFC 7519 4.1.5: `iss`, `sub`, `aud`, `exp`, `iat` present,
 * `iss` exact, `aud` naming this client, `exp` not passed and `nbf` not ahead, both within
 * the clock skew. The same checks, in the same order and with the same outcomes, as jose's
 * `jwtVerify` made with these options before: its claims-set validator is not bundled.
 */
function checkJwtClaims(claims: JWTPayload, issuer: string, clientId: string): JWTPayload {
  for (const claim of ['iss', 'aud', 'iat', 'exp', 'sub']) {
    if (!Object.hasOwn(claims, claim)) throw fail(ErrorCode.idTokenClaimMissing, `The id_token has no "${claim}".`);
  }
  if (claims.iss !== issuer) throw fail(ErrorCode.idTokenIssuerMismatch, 'The id_token "iss" is not the provider\'s issuer.');
  if (!(Array.isArray(claims.aud) ? claims.aud.includes(clientId) : claims.aud === clientId)) {
    throw fail(ErrorCode.idTokenAudienceMismatch, 'The id_token "aud" does not contain this client id.');
  }
  const now = nowSeconds();
  numericDate(claims, 'iat'); // checked first, as jose did; its bounds are the OIDC rule below (step 10)
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > now + clockSkewSeconds) {
    throw fail(ErrorCode.idTokenIssuedInFuture, 'The id_token "nbf" is in the future beyond the allowed clock skew.');
  }
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= now - clockSkewSeconds) {
    throw fail(ErrorCode.idTokenExpired, 'The id_token has expired (beyond the allowed clock skew). Check the device clock, then sign in again.');
  }
  return claims;
}

/** A NumericDate claim (RFC 7519 2), when present; one that is not a finite number is refused. */
function numericDate(claims: JWTPayload, claim: 'iat' | 'nbf' | 'exp'): number | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // The codes jose's validator gave these before (a bad iat or nbf counted as one in the future).
  if (typeof value === 'number' || claim === 'exp') throw fail(ErrorCode.idTokenMalformed, `The id_token claim "${claim}" is invalid.`);
  throw fail(ErrorCode.idTokenIssuedInFuture, `The id_token "${claim}" is in the future beyond the allowed clock skew.`);
}

/** The OIDC rules jose does not know (steps 3-5, 10, 11, 13). */
function checkOidcClaims(payload: JWTPayload, expected: IdTokenExpectations): IdTokenClaims {
  const claims = payload as IdTokenClaims;
  const now = nowSeconds();
  if (typeof claims.sub !== 'string' || claims.sub === '') throw fail(ErrorCode.idTokenClaimMissing, 'The id_token has no "sub".');
  // Step 3-5: several audiences need an azp naming us (FAPI invalid-secondary-aud).
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (audiences.length > 1 && claims.azp === undefined) {
    throw fail(ErrorCode.idTokenAzpMismatch, 'The id_token has several audiences and no "azp": it may be meant for another client.');
  }
  if (claims.azp !== undefined && claims.azp !== expected.clientId) {
    throw fail(ErrorCode.idTokenAzpMismatch, 'The id_token "azp" names another client, not this one.');
  }
  // Step 10: iat far in the future means a broken clock or a forged token.
  if (typeof claims.iat !== 'number' || claims.iat > now + clockSkewSeconds) {
    throw fail(ErrorCode.idTokenIssuedInFuture, 'The id_token "iat" is in the future beyond the allowed clock skew.');
  }
  // Step 11, docs/protocol.md check 12.
  if (expected.nonce !== undefined) {
    if (expected.nonce === null ? claims.nonce !== undefined : claims.nonce !== expected.nonce) {
      throw fail(ErrorCode.nonceMismatch, 'The id_token "nonce" does not match the request (possible replay). Nothing was stored.');
    }
  }
  // Step 13.
  if (expected.maxAge !== undefined) {
    if (typeof claims.auth_time !== 'number') {
      throw fail(ErrorCode.authTimeMissing, '"maxAge" was requested but the id_token has no "auth_time".');
    }
    if (claims.auth_time + expected.maxAge + clockSkewSeconds < now) {
      throw fail(
        ErrorCode.authTimeTooOld,
        `The person last authenticated ${now - claims.auth_time} s ago, more than "maxAge" (${expected.maxAge} s). Sign in again with prompt "login".`,
      );
    }
  }
  return claims;
}

/**
 * Entra's multi-tenant documents publish `https://…/{tenantid}/v2.0`; the token's `tid`
 * (a GUID) fills the placeholder, and must (Microsoft "Validate the issuer"; docs/protocol.md check 8).
 */
export function expectedIssuer(issuer: string, claims: JWTPayload): string {
  if (!/\{tenantid\}/i.test(issuer)) return issuer;
  const tid = claims.tid;
  if (typeof tid !== 'string' || !guidPattern.test(tid)) {
    throw fail(ErrorCode.idTokenIssuerMismatch, 'The id_token has no tenant id ("tid") to check its issuer against.');
  }
  return issuer.replace(/\{tenantid\}/gi, tid);
}

function allowedAlgorithms(advertised: readonly string[]): string[] {
  const allowed: readonly string[] = allowedIdTokenAlgs;
  const both = advertised.filter((alg) => allowed.includes(alg));
  return both.length > 0 ? both : [...allowed];
}

function mapJoseError(error: unknown): IdTokenError {
  if (error instanceof IdTokenError) return error; // our own claims-set check (claimsSetOf)
  switch (codeOf(error)) {
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return fail(ErrorCode.idTokenKeyNotFound, "The id_token's signing key is not in the provider's key set (JWKS), even refetched.", error);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return fail(ErrorCode.idTokenSignatureInvalid, "The id_token signature does not verify against the provider's keys.", error);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return fail(ErrorCode.idTokenAlgNotAllowed, 'The id_token algorithm is not allowed.', error);
    default:
      return fail(ErrorCode.idTokenMalformed, 'The id_token could not be verified.', error);
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function fail(code: string, message: string, cause?: unknown): IdTokenError {
  return new IdTokenError(code, message, cause === undefined ? {} : { cause: withoutClaims(cause) });
}

/**
 * jose's claim errors carry the whole payload (`payload`: email, name, sub…), and errors end
 * up in logs and telemetry. The cause keyward keeps says what jose found (its code, the claim
 * and the reason), never a claim value.
 */
function withoutClaims(cause: unknown): Error {
  if (cause instanceof KeywardError) return cause; // keyward's own errors hold no claim values
  const code = codeOf(cause) ?? 'unknown';
  const claim = (cause as { claim?: unknown }).claim;
  const reason = (cause as { reason?: unknown }).reason;
  const detail = typeof claim === 'string' ? ` (claim "${claim}"${typeof reason === 'string' ? `, ${reason}` : ''})` : '';
  const sanitized = new Error(`jose ${code}${detail}`);
  sanitized.name = cause instanceof Error ? cause.name : 'Error';
  return Object.assign(sanitized, { code });
}
