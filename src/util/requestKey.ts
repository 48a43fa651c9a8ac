import type { AuthScheme } from '../types.js';

/** What makes two token requests the same request. Absent parts are simply not part of the identity. */
export interface RequestKeyParts {
  scopes: readonly string[];
  clientId?: string;
  /** The account (`homeAccountId`, `environment`, `tenantId`); `null` for "nobody", omitted for app tokens. */
  account?: { homeAccountId: string; environment?: string; tenantId?: string } | null;
  /** Canonical authority (or tenant) the request goes to. */
  authority?: string;
  grantType?: string;
  claims?: string;
  forceRefresh?: boolean;
  authScheme?: AuthScheme;
  /** Anything else a caller's identity depends on (e.g. an on-behalf-of assertion hash). */
  extra?: string;
}

/**
 * The identity of a token request, the one used by every layer: the core's single-flight
 * map, the throttle (msal-common `RequestThumbprint`), keyward/server and the React hooks.
 * Scopes compare case-insensitively and in any order, as MSAL's `ScopeSet` does
 * (docs/protocol.md A5), so two hooks can never disagree on whether two requests are one.
 */
export function requestKey(parts: RequestKeyParts): string {
  const account =
    parts.account === undefined
      ? undefined
      : parts.account === null
        ? null
        : [parts.account.homeAccountId, parts.account.environment ?? '', parts.account.tenantId ?? ''];
  return JSON.stringify([
    normalizedScopes(parts.scopes),
    parts.clientId ?? '',
    account ?? '',
    parts.authority ?? '',
    parts.grantType ?? '',
    parts.claims ?? '',
    parts.forceRefresh === true,
    parts.authScheme ? schemeIdentity(parts.authScheme) : 'bearer',
    parts.extra ?? '',
  ]);
}

/** Lower-cased, de-duplicated, sorted: the form in which scope sets are compared. */
export function normalizedScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((scope) => scope.toLowerCase()))].sort();
}

/** A scheme's identity with its members in a fixed order, so `{ a, b }` and `{ b, a }` agree. */
function schemeIdentity(scheme: AuthScheme): string {
  return JSON.stringify(scheme, Object.keys(scheme).sort());
}
