import type { AuthScheme } from '../types.js';

/**
 * Everything needed to finish an authorization-code flow, returned by
 * `initiateAuthCodeFlow` as plain JSON so an app may store it where it likes.
 * It holds no tokens; `codeVerifier` and `nonce` are single-use secrets of this flow.
 */
export interface AuthCodeFlow {
  /** Send the person's browser here. */
  authUri: string;
  /** The app's `state` (or a random one): the CSRF value sent and checked on the way back, returned in the result. */
  state: string;
  /** keyward's own random id of this flow: what makes it single-use (absent in flows saved by older versions). */
  flowId?: string;
  /** The redirect URI the request named; the code redemption sends it again. */
  redirectUri: string;
  /** Scopes as sent, defaults included. */
  scopes: string[];
  /** The PKCE verifier (RFC 7636): a secret until the code is redeemed. Keep the flow server-side or in session storage, never in a URL or a log. */
  codeVerifier: string;
  /** The nonce the id_token must carry (OIDC Core 3.1.2.1). */
  nonce: string;
  /** Seconds; the id_token's `auth_time` must be within it. */
  maxAge?: number;
  /** The claims request sent, if any. */
  claimsChallenge?: string;
  /** Canonical authority the flow was started against. */
  authority: string;
  /** The client that started the flow; another client refuses it (`flow_mismatch`). */
  clientId: string;
  /** The authority's issuer when the flow started (RFC 9207 `iss` check). */
  issuer: string;
  /** Epoch seconds. */
  createdAt: number;
  /** The token binding asked for (AT-PoP or DPoP); absent for Bearer. */
  authScheme?: AuthScheme;
  /** Pushed requests (RFC 9126): epoch seconds after which `authUri` no longer works. */
  requestUriExpiresAt?: number;
}
