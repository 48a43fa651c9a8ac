import { ConfigurationError, ErrorCode } from '../errors.js';

/** Parameters of an authorization request (OIDC Core 3.1.2.1), in our camelCase. */
export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  responseType?: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  prompt?: string;
  loginHint?: string;
  domainHint?: string;
  maxAge?: number;
  claims?: string;
  responseMode?: 'query' | 'fragment';
  /** Extra parameters (telemetry, `client_info`, provider-specific ones). */
  extra?: Record<string, string>;
}

/** Builds the authorization URL; parameters go in the query string of `endpoint`. */
export function buildAuthorizeUrl(endpoint: string, params: AuthorizeParams): string {
  const url = new URL(endpoint);
  const query = url.searchParams;
  query.set('client_id', params.clientId);
  query.set('response_type', params.responseType ?? 'code');
  query.set('redirect_uri', params.redirectUri);
  query.set('scope', params.scopes.join(' '));
  if (params.state !== undefined) query.set('state', params.state);
  if (params.nonce !== undefined) query.set('nonce', params.nonce);
  if (params.codeChallenge !== undefined) {
    query.set('code_challenge', params.codeChallenge);
    query.set('code_challenge_method', 'S256');
  }
  if (params.responseMode) query.set('response_mode', params.responseMode);
  if (params.prompt) query.set('prompt', params.prompt);
  if (params.loginHint) query.set('login_hint', params.loginHint);
  if (params.domainHint) query.set('domain_hint', params.domainHint);
  if (params.maxAge !== undefined) query.set('max_age', String(params.maxAge));
  if (params.claims) query.set('claims', params.claims);
  for (const [name, value] of Object.entries(params.extra ?? {})) query.set(name, value);
  return url.toString();
}

/** Valid `max_age`: a non-negative integer number of seconds. */
export function assertMaxAge(maxAge: number | undefined): void {
  if (maxAge === undefined) return;
  if (!Number.isInteger(maxAge) || maxAge < 0) {
    throw new ConfigurationError(ErrorCode.invalidRequest, `"maxAge" must be a whole, non-negative number of seconds (got ${String(maxAge)}).`);
  }
}

/** A claims challenge must be a JSON object (OIDC Core 5.5); checked before it goes on the wire. */
export function assertClaims(claims: string | undefined): void {
  if (claims === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    throw new ConfigurationError(
      ErrorCode.invalidClaims,
      '"claimsChallenge" is not JSON: pass the decoded claims challenge, e.g. {"access_token":{"acrs":{"essential":true,"value":"c1"}}}.',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError(ErrorCode.invalidClaims, '"claimsChallenge" must be a JSON object.');
  }
}
