import type { TokenCache } from '../cache/tokenCache.js';
import type { PublicClientApplicationOptions, SharedClientOptions } from '../client/options.js';
import { ConfigurationError, ErrorCode } from '../errors.js';
import type { HttpCacheStore } from '../http/httpCache.js';
import type { ClientCredential } from './credentials/types.js';
import type { ProxyOption, VerifyOption } from './nodeTransport.js';

/**
 * Constructor options of {@link ConfidentialClientApplication} (MSAL `ClientApplication`
 * parameters, camelCase). Names shared with the browser client mean the same thing.
 */
export interface ConfidentialClientApplicationOptions extends SharedClientOptions {
  /** How the application proves who it is: a secret, a certificate key, a PFX file, or a signed assertion. */
  clientCredential: ClientCredential;
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
  /**
   * TLS verification of the authority, discovery and token endpoints (MSAL `verify`).
   * `true` (default): as Node verifies. A CA bundle (PEM text, or the path of a PEM file):
   * keyward's own requests trust exactly these roots (as `requests` does with a bundle;
   * append `tls.rootCertificates` to keep the public ones); nothing else in the process is
   * affected. `false`: no verification, with a warning logged once; for local testing only.
   * Needs the `undici` package unless `true`. Configures keyward's default transport only:
   * with your own `httpClient`, set TLS there.
   */
  verify?: VerifyOption;
  /**
   * Proxies for keyward's requests (MSAL `proxies`): `{ http?, https? }` proxy URLs keyed by
   * the scheme of the URL fetched, or one URL for both. `http://user:password@host:port`
   * sends Basic proxy credentials (never logged). When absent, `HTTPS_PROXY` / `HTTP_PROXY`
   * are honoured; `NO_PROXY` applies either way. Needs the `undici` package. Configures
   * keyward's default transport only: with your own `httpClient`, set proxies there.
   */
  proxies?: ProxyOption;
  /** Where discovery documents and Entra instance metadata are kept. Default: in memory for this client. */
  httpCache?: HttpCacheStore;
}

/** The browser client's options for the parts both clients share. */
export function coreOptionsOf(
  options: ConfidentialClientApplicationOptions,
  tokenCache: TokenCache,
  httpCache: HttpCacheStore,
): PublicClientApplicationOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, 'ConfidentialClientApplication needs options: { clientId, authority, clientCredential }.');
  }
  // Everything but the server-only fields is a shared option, declared once (SharedClientOptions).
  const {
    clientCredential: _credential,
    clientClaims: _claims,
    azureRegion: _region,
    tokenCache: _cache,
    httpCache: _httpCache,
    verify: _verify,
    proxies: _proxies,
    ...shared
  } = options;
  return { ...shared, tokenCache, httpCache };
}
