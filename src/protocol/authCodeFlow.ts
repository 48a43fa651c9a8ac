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
  redirectUri: string;
  /** Scopes as sent, defaults included. */
  scopes: string[];
  codeVerifier: string;
  nonce: string;
  /** Seconds; the id_token's `auth_time` must be within it. */
  maxAge?: number;
  claimsChallenge?: string;
  /** Canonical authority the flow was started against. */
  authority: string;
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
