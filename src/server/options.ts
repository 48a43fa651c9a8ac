import type { AuthorityBuilder } from '../authority/authorityBuilder.js';
import type { TokenCache } from '../cache/tokenCache.js';
import type { PublicClientApplicationOptions } from '../client/options.js';
import { ConfigurationError, ErrorCode } from '../errors.js';
import type { HttpCacheStore } from '../http/httpCache.js';
import type { HttpClient } from '../http/httpClient.js';
import type { LoggerOptions } from '../logger.js';
import type { ClientCredential } from './credentials/types.js';

/**
 * Constructor options of {@link ConfidentialClientApplication} (MSAL `ClientApplication`
 * parameters, camelCase). Names shared with the browser client mean the same thing.
 */
export interface ConfidentialClientApplicationOptions {
  /** The application (client) id registered with the provider. */
  clientId: string;
  /** How the application proves who it is: a secret, a certificate key, a PFX file, or a signed assertion. */
  clientCredential: ClientCredential;
  /** An Entra-shaped authority, e.g. `https://login.microsoftonline.com/{tenant}`. Client credentials need a tenant, not `common`. */
  authority?: string | AuthorityBuilder;
  /** The issuer URL of any other OpenID Connect provider. */
  oidcAuthority?: string;
  /** Claims added to (or overriding the defaults of) every client assertion keyward signs (MSAL `client_claims`). */
  clientClaims?: Record<string, unknown>;
  /**
   * Send `acquireTokenForClient` requests to a regional endpoint: a region name such as
   * `'westus2'`, or `true` to read the `REGION_NAME` environment variable (no region when it
   * is unset; keyward never probes the instance metadata service). Other flows use the global host.
   */
  azureRegion?: string | true;
  /** The token cache. Default: a new in-memory {@link SerializableTokenCache}; give it a plugin to persist it. */
  tokenCache?: TokenCache;
  /** Transport for every request. Default: `fetch`. */
  httpClient?: HttpClient;
  /** Where discovery documents and key sets are kept. Default: in memory for this client. */
  httpCache?: HttpCacheStore;
  /** Milliseconds before a request is abandoned with `timed_out`. Default 30000. */
  timeout?: number;
  /** Default true: an Entra instance unknown to instance discovery is refused. */
  validateAuthority?: boolean;
  /** Default true: ask Entra's instance discovery endpoint. */
  instanceDiscovery?: boolean;
  /** Hosts trusted without instance discovery. */
  knownAuthorities?: string[];
  /** The web app's redirect URI for the authorization-code methods. */
  redirectUri?: string;
  /** Client capabilities (e.g. `['CP1']`), sent in the `claims` request parameter. */
  clientCapabilities?: string[];
  /** Default scopes not to send on user flows. */
  excludeScopes?: string[];
  /** Sent as `x-app-name`. */
  appName?: string;
  /** Sent as `x-app-ver`. */
  appVersion?: string;
  /** Allow personal data in log lines. Secrets, keys and assertions are never logged. Default false. */
  enablePiiLog?: boolean;
  logger?: LoggerOptions;
}

/** The browser client's options for the parts both clients share. */
export function coreOptionsOf(options: ConfidentialClientApplicationOptions, tokenCache: TokenCache, httpCache: HttpCacheStore): PublicClientApplicationOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, 'ConfidentialClientApplication needs options: { clientId, authority, clientCredential }.');
  }
  const shared: PublicClientApplicationOptions = { clientId: options.clientId, tokenCache, httpCache };
  const copied = ['authority', 'oidcAuthority', 'validateAuthority', 'instanceDiscovery', 'knownAuthorities', 'redirectUri', 'httpClient', 'timeout', 'clientCapabilities', 'excludeScopes', 'appName', 'appVersion', 'enablePiiLog', 'logger'] as const;
  for (const name of copied) {
    if (options[name] !== undefined) (shared as unknown as Record<string, unknown>)[name] = options[name];
  }
  return shared;
}
