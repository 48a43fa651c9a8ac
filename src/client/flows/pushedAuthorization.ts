import { ClientAuthError, ConfigurationError, ErrorCode } from '../../errors.js';
import type { AuthCodeFlow } from '../../protocol/authCodeFlow.js';
import type { AuthResponse } from '../../protocol/authResponse.js';
import { nowSeconds } from '../../util/time.js';
import type { ClientContext, ResolvedAuthority } from '../context.js';

/**
 * True when this request is pushed: the provider demands it (`require_pushed_authorization_requests`,
 * RFC 9126 5) or the app asked for it. An app asking where the provider has no endpoint is
 * a configuration error rather than a silent fall back to a plain request.
 */
export function usesPushedAuthorization(ctx: ClientContext, resolved: ResolvedAuthority): boolean {
  const { metadata } = resolved;
  const wanted = metadata.requirePushedAuthorizationRequests || ctx.options.pushedAuthorizationRequests === true;
  if (wanted && metadata.pushedAuthorizationRequestEndpoint === undefined) {
    throw new ConfigurationError(
      ErrorCode.parUnsupported,
      `"pushedAuthorizationRequests" is on, but ${resolved.authority.canonical} advertises no "pushed_authorization_request_endpoint" (RFC 9126 5).`,
    );
  }
  return wanted;
}

const expiredMessage = 'The pushed authorization request (RFC 9126) expired before the person reached the provider. Start the sign-in again.';

/** Refuses to send the person to a pushed request that has already expired. */
export function assertPushedRequestFresh(flow: AuthCodeFlow): void {
  if (flow.requestUriExpiresAt !== undefined && nowSeconds() >= flow.requestUriExpiresAt) {
    throw new ClientAuthError(ErrorCode.requestUriExpired, expiredMessage);
  }
}

/**
 * The provider's answer to an expired or used `request_uri` (`invalid_request_uri`, RFC 9101
 * 6.2). The provider could not read the pushed request, so it has no `state` to echo: the
 * answer is recognised by the flow being a pushed one, and never redeems anything.
 */
export function assertNotExpiredRequestUri(flow: AuthCodeFlow, response: AuthResponse): void {
  if (flow.requestUriExpiresAt === undefined || response.error !== 'invalid_request_uri') return;
  if (response.state !== undefined && response.state !== flow.state) return;
  if (response.iss !== undefined && response.iss !== flow.issuer) return;
  throw new ClientAuthError(ErrorCode.requestUriExpired, expiredMessage);
}
