import type { AuthorityBuilder } from '../authority/authorityBuilder.js';
import type { TokenCache } from '../cache/tokenCache.js';
import { ConfigurationError, ErrorCode } from '../errors.js';
import type { HttpCacheStore } from '../http/httpCache.js';
import type { HttpClient } from '../http/httpClient.js';
import type { LoggerOptions } from '../logger.js';
import type { NavigationClient } from './browser/navigation.js';

/**
 * Options both clients take (the browser's {@link PublicClientApplication} and keyward/server's
 * `ConfidentialClientApplication`), declared once: MSAL `ClientApplication` parameters, camelCase.
 */
export interface SharedClientOptions {
  /** The application (client) id registered with the provider. */
  clientId: string;
  /**
   * An Entra-shaped authority (Entra ID, sovereign clouds, B2C, ADFS, CIAM).
   * Default `https://login.microsoftonline.com/common`. Use `oidcAuthority` for any other provider.
   */
  authority?: string | AuthorityBuilder;
  /** The issuer URL of any OpenID Connect provider; its `/.well-known/openid-configuration` is used. */
  oidcAuthority?: string;
  /** Default true: an Entra instance unknown to Entra's instance discovery is refused with `invalid_instance`. */
  validateAuthority?: boolean;
  /** Default true: ask Entra's instance discovery endpoint (cached through `httpCache`); false trusts `authority` as given. */
  instanceDiscovery?: boolean;
  /** Hosts trusted without instance discovery (B2C hosts, custom domains). */
  knownAuthorities?: string[];
  /** Where the provider sends the person back. In the browser the default is the current page's origin and path, read at call time. */
  redirectUri?: string;
  /** Transport for every request. Default: `fetch`. */
  httpClient?: HttpClient;
  /** Milliseconds before a request is abandoned with `timed_out`. Default 30000. */
  timeout?: number;
  /** Client capabilities (e.g. `['CP1']` for continuous access evaluation), sent in the `claims` request parameter. */
  clientCapabilities?: string[];
  /** Default scopes not to send: e.g. `['offline_access']` to ask for no refresh token. `openid` cannot be excluded. */
  excludeScopes?: string[];
  /** Sent as `x-app-name`. */
  appName?: string;
  /** Sent as `x-app-ver`. */
  appVersion?: string;
  /** Allow personal data (usernames, account ids) in log lines. Secrets, keys and assertions are never logged. Default false. */
  enablePiiLog?: boolean;
  /** Where log lines go and from which level. */
  logger?: LoggerOptions;
  /**
   * Accepted for code ported from MSAL and ignored, with one warning: MSAL Python deprecated
   * `allow_broker` (for `enable_broker_on_windows`), and keyward has no broker (WAM), in a browser or on a server.
   * @deprecated There is no broker here; remove the option.
   */
  allowBroker?: boolean;
  /**
   * Push the authorization request (RFC 9126) and send only `client_id` + `request_uri` to
   * the authorization endpoint. Default false; a provider whose discovery document sets
   * `require_pushed_authorization_requests` gets pushed requests regardless. `true` needs a
   * `pushed_authorization_request_endpoint` in the discovery document.
   */
  pushedAuthorizationRequests?: boolean;
}

/** Constructor options of {@link PublicClientApplication}: the {@link SharedClientOptions} plus what only a browser client has. */
export interface PublicClientApplicationOptions extends SharedClientOptions {
  /** Where the provider sends the person after sign-out. Default: `redirectUri`. */
  postLogoutRedirectUri?: string;
  /** The token cache. Default: an `IndexedDbTokenCache` from `keyward/cache` (persistent, encrypted, shared by tabs; in memory where IndexedDB is missing). */
  tokenCache?: TokenCache;
  /** Map-like store for discovery documents and Entra instance metadata (never key sets or tokens; entries are re-validated on read). Default: {@link StorageHttpCache} (localStorage, so a reload needs no metadata round trip). */
  httpCache?: HttpCacheStore;
  /** Milliseconds a popup may stay open before `monitor_window_timeout`. Default 300000. */
  popupTimeout?: number;
  /** Bind every token to this client's DPoP key (RFC 9449) unless a request says otherwise. Default false. */
  dpop?: boolean;
  /** Milliseconds a hidden-iframe sign-in (`ssoSilent`, the silent fallback) may take before `monitor_window_timeout`. Default 10000. */
  iframeTimeout?: number;
  /**
   * Seconds a refresh token lives from the sign-in that issued it, for providers that do not
   * say (`refresh_token_expires_in`). Refreshed tokens keep the first one's deadline, as
   * Entra's single-page-app tokens do. Default: unknown (no deadline), except Entra
   * authorities, whose single-page-app refresh tokens live 24 hours.
   */
  refreshTokenLifetime?: number;
  /**
   * Performs every navigation keyward makes: to the provider, and back to the page a redirect
   * sign-in started on. Give your router's `navigate` here so the return is a client-side
   * navigation. Default: `location.assign` / `location.replace`. Also settable later with
   * `setNavigationClient` (MSAL.js `system.navigationClient`).
   */
  navigationClient?: NavigationClient;
  /**
   * After a redirect sign-in, go back to the page it started on (its path, query and hash, or
   * the request's `redirectStartPage`). Default true; false stays on the redirect URI page
   * (MSAL.js `navigateToLoginRequestUrl`).
   */
  navigateToLoginRequestUrl?: boolean;
  /**
   * What `logout` revokes at the provider's `revocation_endpoint` (RFC 7009) before it forgets
   * the tokens here. Default `['refresh_token']`; add `'access_token'` to revoke the cached
   * access tokens too (a provider can revoke only the tokens it looks up: opaque ones, not
   * self-contained JWTs); `[]` revokes nothing. Providers without the endpoint (Entra ID,
   * B2C, CIAM, ADFS publish none) are skipped. A failed revocation does not stop the
   * sign-out: it is reported as a `warning` event (`revocation_failed`). `removeAccount`
   * never revokes (it only forgets, here).
   */
  revokeTokenTypes?: ReadonlyArray<'refresh_token' | 'access_token'>;
  /**
   * OpenID Connect Session Management 1.0: watch the active account's session at the provider
   * through its `check_session_iframe`, and when it changes (signed out there, or another
   * person signed in) remove the account here and emit `sessionChanged`. Default false; the
   * code for it is loaded only when this is on. Needs the provider's cookies in a
   * third-party iframe (or the provider on the app's own site): where the browser blocks
   * them, the provider reports every session as changed.
   */
  monitorSession?: boolean | SessionMonitorOptions;
}

/** Options of `monitorSession`. */
export interface SessionMonitorOptions {
  /** Milliseconds between two questions to the provider's iframe. Default 2000 (oidc-client-ts's `checkSessionIntervalInSeconds`). */
  checkInterval?: number;
}

export const defaultTimeoutMs = 30_000;
export const defaultPopupTimeoutMs = 300_000;
export const defaultIframeTimeoutMs = 10_000;

/** Rejects options that cannot work, with a message that says how to fix them. */
export function validateOptions(options: PublicClientApplicationOptions): void {
  if (typeof options?.clientId !== 'string' || options.clientId.trim() === '') {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, '"clientId" is required: pass the application (client) id registered with your provider.');
  }
  if ((options as { azureRegion?: unknown }).azureRegion !== undefined) {
    throw new ConfigurationError(
      ErrorCode.invalidConfiguration,
      '"azureRegion" is for confidential clients (regional endpoints serve client credentials only): use it with keyward/server.',
    );
  }
  // MSAL Python hands `verify` and `proxies` to its HTTP library; a page has no say over TLS
  // trust or the proxy: the browser and the operating system decide both.
  for (const name of ['verify', 'proxies'] as const) {
    if ((options as unknown as Record<string, unknown>)[name] !== undefined) {
      throw new ConfigurationError(
        ErrorCode.invalidConfiguration,
        `"${name}" is a keyward/server option: a browser decides TLS verification and proxies itself. Remove it.`,
      );
    }
  }
  if (options.pushedAuthorizationRequests !== undefined && typeof options.pushedAuthorizationRequests !== 'boolean') {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, '"pushedAuthorizationRequests" must be true or false.');
  }
  if (options.authority !== undefined && options.oidcAuthority !== undefined) {
    throw new ConfigurationError(
      ErrorCode.invalidConfiguration,
      'Pass either "authority" (Entra shapes) or "oidcAuthority" (any OpenID Connect provider), not both.',
    );
  }
  const types = options.revokeTokenTypes;
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'refresh_token' && t !== 'access_token'))) {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, '"revokeTokenTypes" must be an array of "refresh_token" and "access_token".');
  }
  const interval = typeof options.monitorSession === 'object' ? options.monitorSession.checkInterval : undefined;
  if (interval !== undefined && (!Number.isFinite(interval) || interval <= 0)) {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, '"monitorSession.checkInterval" must be a positive number of milliseconds.');
  }
  for (const name of ['timeout', 'popupTimeout', 'iframeTimeout', 'refreshTokenLifetime'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
      const unit = name === 'refreshTokenLifetime' ? 'seconds' : 'milliseconds';
      throw new ConfigurationError(ErrorCode.invalidConfiguration, `"${name}" must be a positive number of ${unit}.`);
    }
  }
}
