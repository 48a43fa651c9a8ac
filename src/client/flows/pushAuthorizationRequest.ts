// The push itself (RFC 9126 2.1), apart from the checks every sign-in makes
// (pushedAuthorization.ts): it loads by import() only when a request is pushed (the app's
// `pushedAuthorizationRequests` option, or a provider that requires it).
import { ClientAuthError, ErrorCode, ServerError } from '../../errors.js';
import { parseJsonBody, parseRetryAfter, send } from '../../http/transport.js';
import { nowSeconds } from '../../util/time.js';
import type { ClientContext, ResolvedAuthority } from '../context.js';

/** An authorization request after pushing (RFC 9126 2.2): the URL to send the person to, and until when it works. */
export interface PushedAuthorizationRequest {
  /** The authorization endpoint with only `client_id` and `request_uri` (RFC 9126 4). */
  authUri: string;
  /** Epoch seconds after which the provider refuses the `request_uri`. */
  expiresAt: number;
}

/**
 * Pushes the parameters of a built authorization URL to the PAR endpoint (RFC 9126 2.1),
 * authenticated as the token endpoint would be for a confidential client, and returns the
 * URL that carries only `client_id` and `request_uri` (RFC 9126 4). The endpoint URL's own
 * query (a B2C policy, say) stays.
 */
export async function pushAuthorizationRequest(ctx: ClientContext, resolved: ResolvedAuthority, authorizeUrl: string): Promise<PushedAuthorizationRequest> {
  const endpoint = resolved.metadata.pushedAuthorizationRequestEndpoint!;
  const target = new URL(resolved.metadata.authorizationEndpoint);
  const params = new URLSearchParams(new URL(authorizeUrl).search);
  for (const name of target.searchParams.keys()) params.delete(name);
  const build = async () => {
    const form = new URLSearchParams(params);
    // RFC 9126 2: the token endpoint URL is an audience the AS must accept in a client assertion.
    for (const [name, value] of Object.entries((await ctx.clientAuthentication?.(resolved.metadata.tokenEndpoint)) ?? {})) form.set(name, value);
    return {
      url: endpoint,
      method: 'POST' as const,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
      body: form.toString(),
    };
  };
  const requestedAt = nowSeconds();
  const response = await send(ctx.transport, build);
  const body = parseJsonBody(response, endpoint);
  if (response.status >= 400 || typeof body.error === 'string') {
    const error = typeof body.error === 'string' ? body.error : ErrorCode.serverError;
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    throw new ServerError(error, `The pushed authorization request endpoint refused the request: ${error}${description ? ` (${description})` : ''}.`, {
      status: response.status,
      errorDescription: description,
      retryAfter: parseRetryAfter(response.headers['retry-after']),
    });
  }
  const requestUri = body.request_uri;
  const expiresIn = body.expires_in;
  // RFC 9126 2.2: 201 with request_uri and a positive expires_in.
  if (typeof requestUri !== 'string' || requestUri === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new ClientAuthError(
      ErrorCode.invalidParResponse,
      `The pushed authorization request endpoint answered HTTP ${response.status} without "request_uri" and a positive "expires_in".`,
    );
  }
  target.searchParams.set('client_id', ctx.clientId);
  target.searchParams.set('request_uri', requestUri);
  ctx.logger.verbose(`authorization request pushed; request_uri valid for ${expiresIn} s`);
  return { authUri: target.toString(), expiresAt: requestedAt + Math.floor(expiresIn) };
}
