import { ClientAuthError, ErrorCode } from '../errors.js';
import type { AuthCodeFlow } from './authCodeFlow.js';

/**
 * The authorization response as the provider sent it (RFC 6749 4.1.2 / 4.1.2.1,
 * RFC 9207), keeping wire names. Apps hand this to `acquireTokenByAuthCodeFlow`.
 */
export interface AuthResponse {
  /** The authorization code (single-use, short-lived); keyward redeems it with the PKCE verifier. */
  code?: string;
  /** The `state` of the request, echoed: must match the flow's (`state_mismatch` otherwise). */
  state?: string;
  /** RFC 9207 issuer identifier: which provider answered (checked when present or promised). */
  iss?: string;
  /** OAuth error instead of a code, e.g. `access_denied`, `login_required`. */
  error?: string;
  /** Human-readable detail of `error`. */
  error_description?: string;
  /** A page about `error`. */
  error_uri?: string;
  /** Entra's base64url `{ uid, utid }`, giving the account's home id. */
  client_info?: string;
  /** OIDC Session Management `session_state`; kept, not used. */
  session_state?: string;
  /** Any other response parameter, as received. */
  [name: string]: string | undefined;
}

/** Reads an authorization response from a redirect URL (query or fragment). */
export function parseAuthResponseUrl(url: string): AuthResponse | undefined {
  const parsed = new URL(url);
  for (const part of [parsed.search, parsed.hash]) {
    const params = new URLSearchParams(part.replace(/^[?#]/, ''));
    if (params.has('code') || params.has('error') || params.has('state')) return Object.fromEntries(params) as AuthResponse;
  }
  return undefined;
}

/**
 * Checks an authorization response against the flow that started it, before any code is
 * redeemed: state (RFC 6749 10.12, docs/protocol.md check 1) and `iss` (RFC 9207 2.4, docs/protocol.md check 3).
 * An `error` response still has to match the state, or a forged one could end our flow.
 */
export function validateAuthResponse(flow: AuthCodeFlow, response: AuthResponse, issRequired: boolean): void {
  if (response.state === undefined || response.state === '') {
    throw new ClientAuthError(
      ErrorCode.stateMissing,
      'The authorization response has no "state". It was not produced by this app\'s request; nothing was redeemed.',
    );
  }
  if (response.state !== flow.state) {
    throw new ClientAuthError(
      ErrorCode.stateMismatch,
      'The authorization response "state" does not match (CSRF or a stale tab); nothing redeemed. Sign in again.',
    );
  }
  if (response.iss !== undefined) {
    if (response.iss !== flow.issuer) {
      throw new ClientAuthError(
        ErrorCode.issMismatch,
        `The authorization response is from issuer "${response.iss}", not "${flow.issuer}" (RFC 9207); nothing redeemed.`,
      );
    }
  } else if (issRequired) {
    // RFC 9207 2: error responses carry iss too; an error without it may come from another server.
    throw new ClientAuthError(
      ErrorCode.issMissing,
      'The provider advertises RFC 9207 but the authorization response has no "iss" (another server?); nothing redeemed.',
    );
  }
  if (response.error === undefined && !response.code) {
    throw new ClientAuthError(ErrorCode.codeMissing, 'The authorization response has neither "code" nor "error".');
  }
}
