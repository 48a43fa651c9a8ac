import { ClientAuthError, ErrorCode, InteractionRequiredError, isInteractionRequired, ServerError } from '../errors.js';
import type { HttpResponse } from '../http/httpClient.js';
import { parseJsonBody, parseRetryAfter } from '../http/transport.js';

/** A successful token response (RFC 6749 5.1, OIDC Core 3.1.3.3, Entra extras), wire names kept. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  /** Seconds, 0 to {@link maxExpiresInSeconds}; 3600 when the provider omits it (see {@link expiresInSeconds}). */
  expires_in: number;
  ext_expires_in?: number;
  refresh_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  client_info?: string;
  foci?: string;
  /** Entra hybrid SPA: a second authorization code for the browser, when the request sent `return_spa_code=1`. */
  spa_code?: string;
  /** Seconds the refresh token lives (Entra, some OAuth servers; not in RFC 6749). */
  refresh_token_expires_in?: number;
}

/** The longest refresh-token lifetime keyward believes: a year (Entra's longest configurable one is 90 days). */
const maxRefreshTokenLifetime = 365 * 24 * 60 * 60;

/** When the provider sends no `expires_in` (RFC 6749 5.1 makes it optional; MSAL Python assumes about an hour too). */
const defaultExpiresIn = 3600;
/**
 * The longest lifetime keyward believes: a day. A larger value (a bug, or a forged answer)
 * would otherwise keep an access token in the cache long after the provider stopped honouring it.
 */
export const maxExpiresInSeconds = 24 * 60 * 60;
/** Larger token, discovery or key-set answers are refused before parsing (see {@link parseJsonBody}). */
export { maxResponseBytes } from '../http/transport.js';

/**
 * Turns the token endpoint's HTTP answer into a {@link TokenResponse} or a typed error.
 * Nothing is stored before this returns, so a bad answer cannot damage the cache (docs/protocol.md check 23).
 */
export function parseTokenResponse(response: HttpResponse, url: string, correlationId: string): TokenResponse {
  const body = parseJsonBody(response, url, correlationId);
  if (typeof body.error === 'string' || response.status >= 400) throw tokenEndpointError(response, body, correlationId);
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new ClientAuthError(ErrorCode.accessTokenMissing, 'The token response has no "access_token". Nothing was stored.', { correlationId });
  }
  const tokenResponse: TokenResponse = {
    access_token: body.access_token,
    // RFC 6749 makes token_type required; MSAL and the FAPI suite accept any case and assume Bearer when absent.
    token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expires_in: body.expires_in === undefined || body.expires_in === null ? defaultExpiresIn : expiresInSeconds(body.expires_in),
  };
  if (body.ext_expires_in !== undefined && body.ext_expires_in !== null) tokenResponse.ext_expires_in = expiresInSeconds(body.ext_expires_in);
  // msal-common ResponseHandler: `refresh_in` only counts when positive.
  const refreshIn = body.refresh_in === undefined ? 0 : expiresInSeconds(body.refresh_in);
  if (refreshIn > 0) tokenResponse.refresh_in = refreshIn;
  // Only a positive whole-second count means anything; anything else is ignored rather than trusted.
  const rtLifetime = Number(body.refresh_token_expires_in);
  if (body.refresh_token_expires_in !== undefined && body.refresh_token_expires_in !== null && Number.isFinite(rtLifetime) && rtLifetime > 0) {
    tokenResponse.refresh_token_expires_in = Math.min(Math.floor(rtLifetime), maxRefreshTokenLifetime);
  }
  for (const name of ['refresh_token', 'id_token', 'scope', 'client_info', 'foci', 'spa_code'] as const) {
    const value = body[name];
    if (typeof value === 'string' && value !== '') tokenResponse[name] = value;
  }
  return tokenResponse;
}

/** An OAuth error body (RFC 6749 5.2) with Entra's extra fields, as a typed error. */
export function tokenEndpointError(response: HttpResponse, body: Record<string, unknown>, correlationId: string): ServerError {
  const error = typeof body.error === 'string' ? body.error : ErrorCode.serverError;
  const suberror = typeof body.suberror === 'string' ? body.suberror : undefined;
  const description = typeof body.error_description === 'string' ? body.error_description : undefined;
  const options = {
    status: response.status,
    errorDescription: description,
    correlationId: typeof body.correlation_id === 'string' ? body.correlation_id : correlationId,
    suberror,
    errorCodes: Array.isArray(body.error_codes) ? body.error_codes.filter((code): code is number => typeof code === 'number') : undefined,
    errorUri: typeof body.error_uri === 'string' ? body.error_uri : undefined,
    claims: typeof body.claims === 'string' ? body.claims : undefined,
    retryAfter: parseRetryAfter(response.headers['retry-after']),
  };
  const message = `The token endpoint refused the request: ${error}${description ? ` (${description})` : ''}.`;
  return isInteractionRequired(error, suberror)
    ? new InteractionRequiredError(error, `${message} Sign the person in interactively.`, options)
    : new ServerError(error, message, options);
}

/**
 * A lifetime the provider sent, as whole seconds. msal-common's `ResponseHandler`
 * (`generateCacheRecord`) reads `(typeof v === "string" ? parseInt(v, 10) : v) || 0`; keyward
 * keeps that rule (a numeric string counts, anything else that is not a number is 0, so the
 * token is handed out once and never served from the cache) and adds two of its own: a
 * negative value is 0 too (already expired, never the omitted-value default), and a value
 * above {@link maxExpiresInSeconds} is capped there. Fractions are cut.
 */
export function expiresInSeconds(value: unknown): number {
  const number = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof number !== 'number' || Number.isNaN(number)) return 0;
  return Math.min(maxExpiresInSeconds, Math.max(0, Math.floor(number)));
}
