import { ErrorCode, ServerError } from '../errors.js';
import type { HttpResponse } from '../http/httpClient.js';
import type { OutgoingRequest } from '../http/transport.js';

/** What can be revoked (RFC 7009 2.1 `token_type_hint` values). */
export type RevocableTokenType = 'refresh_token' | 'access_token';

/**
 * The revocation request of RFC 7009 2.1: a form POST of `token` and `token_type_hint`. A
 * public client authenticates by naming itself: `client_id` in the body, as at the token
 * endpoint (RFC 6749 2.3 / 3.2.1; RFC 7009 2.1 "the client also includes its authentication
 * credentials as described in Section 2.3 of RFC 6749"). No cookies, no custom headers, so
 * a browser sends it as a CORS "simple" request without a preflight.
 */
export function buildRevocationRequest(endpoint: string, clientId: string, token: string, tokenType: RevocableTokenType): OutgoingRequest {
  const body = new URLSearchParams({ token, token_type_hint: tokenType, client_id: clientId });
  return {
    url: endpoint,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  };
}

/**
 * RFC 7009 2.2: HTTP 200 means the token is revoked, or was already invalid (either way it no
 * longer works). Anything else (2.2.1 error bodies such as `unsupported_token_type`, a 503
 * asking to retry later, a proxy's page) is a {@link ServerError} `revocation_failed` with the
 * provider's `error` in its description; the token may still be alive.
 */
export function checkRevocationResponse(response: HttpResponse, tokenType: RevocableTokenType): void {
  if (response.status === 200) return;
  let providerError: string | undefined;
  try {
    const body = JSON.parse(response.body) as { error?: unknown };
    if (typeof body?.error === 'string') providerError = body.error;
  } catch {
    // Not JSON: a proxy or an HTML error page; the status says enough.
  }
  throw new ServerError(
    ErrorCode.revocationFailed,
    `The revocation endpoint refused to revoke the ${tokenType === 'refresh_token' ? 'refresh' : 'access'} token (HTTP ${response.status}${providerError ? `, "${providerError}"` : ''}); it may stay usable until it expires.`,
    { status: response.status, ...(providerError !== undefined && { errorDescription: providerError }) },
  );
}
