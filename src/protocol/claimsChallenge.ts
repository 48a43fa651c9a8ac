import { ConfigurationError, ErrorCode } from '../errors.js';

/**
 * Reads the claims challenge out of a resource's `WWW-Authenticate` header, e.g.
 * `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsi…"`
 * (learn.microsoft.com/entra/identity-platform/claims-challenge). Returns the decoded JSON,
 * ready for `claimsChallenge`, or `undefined` when the header carries no claims challenge.
 * A `claims` value that is not base64 JSON throws (docs/protocol.md check 27): retrying with it would loop.
 */
export function parseClaimsChallenge(wwwAuthenticate: string | null | undefined): string | undefined {
  if (!wwwAuthenticate) return undefined;
  const params = authParams(wwwAuthenticate);
  const claims = params.get('claims');
  if (claims === undefined) return undefined;
  if (params.has('error') && params.get('error') !== 'insufficient_claims') return undefined;
  let json: string;
  try {
    // Standard base64 (Entra) or base64url, padded or not.
    const normalized = claims.replace(/-/g, '+').replace(/_/g, '/');
    json = new TextDecoder().decode(Uint8Array.from(atob(normalized + '='.repeat((4 - (normalized.length % 4)) % 4)), (c) => c.charCodeAt(0)));
    const parsed: unknown = JSON.parse(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigurationError(ErrorCode.invalidClaims, 'not a JSON object');
  } catch (cause) {
    throw new ConfigurationError(
      ErrorCode.invalidClaims,
      'The WWW-Authenticate "claims" value is not base64-encoded JSON; it cannot be used as a claims challenge.',
      { cause },
    );
  }
  return json;
}

/** `name="value"` / `name=token` pairs of an auth challenge (RFC 9110 11.6.1); first scheme only is not assumed. */
function authParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const match of header.matchAll(pattern)) {
    const name = match[1]!.toLowerCase();
    if (!params.has(name)) params.set(name, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!);
  }
  return params;
}
