import { type Authority, defaultAuthority, parseAuthority, parseOidcAuthority, withHost } from '../authority/authority.js';
import { knownCloudGroup } from '../authority/microsoftHosts.js';
import { KeySetSource } from '../authority/jwks.js';
import { type AuthorityMetadata, loadMetadata } from '../authority/metadata.js';
import { IndexedDbTokenCache } from '../cache/indexedDbTokenCache.js';
import type { TokenCache } from '../cache/tokenCache.js';
import type { HttpCacheStore } from '../http/httpCache.js';
import { Throttle } from '../http/throttle.js';
import { PopKeys } from '../pop/popKeys.js';
import { DpopNonces } from '../pop/dpopNonces.js';
import { fetchHttpClient } from '../http/httpClient.js';
import { StorageHttpCache } from '../http/storageHttpCache.js';
import type { TransportOptions } from '../http/transport.js';
import { Logger } from '../logger.js';
import { defaultIframeTimeoutMs, defaultPopupTimeoutMs, defaultTimeoutMs, type PublicClientApplicationOptions } from './options.js';

import { SingleFlight } from '../util/singleFlight.js';
import { UsedFlows } from './state/usedFlows.js';
import { AccountRenewals } from './state/accountRenewals.js';
import { browserNavigationClient, type NavigationClient } from './browser/navigation.js';
import type { AuthenticationResult } from '../types.js';

/**
 * Adds a confidential client's credential to one token request: form fields such as
 * `client_secret`, or `client_assertion_type` + `client_assertion`. Called once per request
 * with the token endpoint the request goes to (an assertion's `aud`), so an assertion is
 * never reused. Public (browser) clients have none.
 */
export type ClientAuthentication = (tokenEndpoint: string) => Promise<Record<string, string>>;

/** What a non-browser client (keyward/server) sets up beyond the public options. */
export interface ClientContextExtras {
  clientAuthentication?: ClientAuthentication;
}

/** An authority with its validated metadata. */
export interface ResolvedAuthority {
  authority: Authority;
  metadata: AuthorityMetadata;
  /** The cache `environment` for tokens from this authority. */
  environment: string;
}

/**
 * What every flow of one client shares: options, transport, caches, the logger, and
 * memoized authority resolution. Flows are functions over this; the facade owns one.
 */
export class ClientContext {
  readonly options: PublicClientApplicationOptions;
  readonly clientId: string;
  readonly defaultAuthority: Authority;
  readonly transport: TransportOptions;
  readonly httpCache: HttpCacheStore;
  readonly cache: TokenCache;
  /** True when the client created {@link cache} itself (no `tokenCache` option), so `close()` closes it. */
  readonly ownsCache: boolean;
  /** The provider's signing keys (JWKS). */
  readonly keySets: KeySetSource;
  readonly logger: Logger;
  readonly popupTimeout: number;
  readonly iframeTimeout: number;
  readonly throttle = new Throttle();
  readonly keys: PopKeys;
  readonly dpopNonces = new DpopNonces();
  /** The confidential client's credential, sent on every token request; none for public clients. */
  readonly clientAuthentication: ClientAuthentication | undefined;
  readonly #resolving = new SingleFlight<ResolvedAuthority>();
  /** Silent requests on the wire, by request key: concurrent identical requests share one. */
  readonly silentFlights = new SingleFlight<AuthenticationResult | null>();
  /** Renewals of each account in flight in this page, so a sign-out can stop them (flows/renewalLock.ts). */
  readonly renewals = new AccountRenewals();
  /** Hidden-iframe sign-ins on the wire, by request key: concurrent identical calls share one iframe. */
  readonly frameFlights = new SingleFlight<AuthenticationResult>();
  /**
   * Authorities (canonical) whose `prompt=none` answer in a frame was `login_required`, and
   * why it is believed: `noSession` until this page signs in interactively there, `blocked`
   * (third-party cookies) when it came although this page had signed in there. Either way
   * later silent fallbacks skip the iframe (docs/protocol.md, silent sign-in).
   */
  readonly frameSso = new Map<string, 'noSession' | 'blocked'>();
  /** Authorities this page signed in to interactively (a provider session is known to exist there). */
  readonly interactiveSignIns = new Set<string>();
  /**
   * True for a browser client: hidden-iframe fallbacks may run, and Entra refresh tokens follow the single-page-app rules (keyward/server has neither).
   * Set by PublicClientApplication.
   */
  browser = false;
  /** Entra hybrid SPA codes being redeemed, by code: concurrent calls with one code share one redemption. */
  readonly spaCodeRedemptions = new SingleFlight<AuthenticationResult>();
  /** Flows already redeemed (single use, RFC 9700 4.2.4). */
  readonly usedFlows = new UsedFlows();
  /**
   * True while a redirect response is redeemed on the redirect page and a return to the start
   * page follows: the client does not publish the new account meanwhile, so the redirect page
   * never renders signed-in content for the moment before the navigation (flows/interactive.ts).
   */
  holdAccounts = false;
  /** One interactive sign-in at a time per client (MSAL's `interaction_in_progress`). */
  readonly interaction = { inProgress: false };
  /** Every navigation keyward makes goes through it (replaceable: `setNavigationClient`). */
  navigation: NavigationClient;
  /** Settled resolutions, so a cache hit need not await a promise that has long resolved. */
  readonly #resolved = new Map<string, ResolvedAuthority>();
  #cacheLoaded = false;
  readonly #unsubscribeCache: () => void;
  #cacheLoad: Promise<void> | undefined;

  constructor(options: PublicClientApplicationOptions, extras: ClientContextExtras = {}) {
    this.options = options;
    this.clientAuthentication = extras.clientAuthentication;
    this.clientId = options.clientId;
    this.navigation = options.navigationClient ?? browserNavigationClient;
    this.defaultAuthority =
      options.oidcAuthority !== undefined ? parseOidcAuthority(options.oidcAuthority) : parseAuthority(options.authority ?? defaultAuthority);
    this.transport = { httpClient: options.httpClient ?? fetchHttpClient, timeout: options.timeout ?? defaultTimeoutMs };
    this.httpCache = options.httpCache ?? new StorageHttpCache();
    // Persistent by default; it runs in memory by itself where IndexedDB is missing (SSR, Node).
    this.cache = options.tokenCache ?? new IndexedDbTokenCache();
    this.ownsCache = options.tokenCache === undefined;
    // A sign-out in another tab reaches this page as a change raising the account's generation.
    this.#unsubscribeCache = this.cache.subscribe(() => this.renewals.checkGenerations(this.cache, this.clientId));
    this.keySets = new KeySetSource(this.transport);
    this.keys = new PopKeys(options.clientId);
    this.logger = new Logger(options.logger, options.enablePiiLog ?? false);
    this.popupTimeout = options.popupTimeout ?? defaultPopupTimeoutMs;
    this.iframeTimeout = options.iframeTimeout ?? defaultIframeTimeoutMs;
    if (options.allowBroker !== undefined) {
      // MSAL Python: "Deprecated. Please use enable_broker_on_windows instead."; keyward has no broker to enable.
      this.logger.warning('"allowBroker" is ignored (deprecated in MSAL; keyward has no broker). Remove the option.');
    }
  }

  /** Drops the context's own subscription to the cache (a cache passed in outlives the client). */
  close(): void {
    this.#unsubscribeCache();
  }

  /** Parses a per-request authority override in the same family as the configured one. */
  authorityFor(override: string | undefined): Authority {
    if (override === undefined) return this.defaultAuthority;
    return this.defaultAuthority.kind === 'oidc' ? parseOidcAuthority(override) : parseAuthority(override);
  }

  /** Metadata for an authority, fetched once per page (then from `httpCache`); a failure is not memoized. */
  resolve(override?: string): Promise<ResolvedAuthority> {
    const authority = this.authorityFor(override);
    const settled = this.#resolved.get(authority.canonical);
    if (settled) return Promise.resolve(settled);
    return this.#resolving.run(authority.canonical, async () => {
      // Entra: talk to the cloud's preferred host, cache under its preferred alias (docs/protocol.md A2).
      // Instance discovery is Entra's alone: it loads (import()) only for an Entra authority, so an
      // `oidcAuthority` app never downloads it. discoverInstance keeps its own kind check.
      const cloud =
        authority.kind === 'aad'
          ? await (await import('../authority/instanceDiscovery.js')).discoverInstance(authority, this.options, this.transport, this.httpCache)
          : { preferredNetwork: authority.host, preferredCache: authority.host, aliases: [authority.host] };
      const onWire = withHost(authority, cloud.preferredNetwork);
      const metadata = await loadMetadata(onWire, this.transport, this.httpCache);
      const resolved = { authority: onWire, metadata, environment: cloud.preferredCache };
      this.#resolved.set(authority.canonical, resolved);
      return resolved;
    });
  }

  /** The token cache, loaded once. */
  async readyCache(): Promise<TokenCache> {
    // A failed load (a shared cache whose store is down) is not memoized: the next call tries again.
    this.#cacheLoad ??= this.cache.load().catch((error: unknown) => {
      this.#cacheLoad = undefined;
      throw error;
    });
    await this.#cacheLoad;
    this.#cacheLoaded = true;
    return this.cache;
  }

  /** The cache, once `readyCache()` has loaded it; `undefined` before. */
  get loadedCache(): TokenCache | undefined {
    return this.#cacheLoaded ? this.cache : undefined;
  }

  /**
   * True when cache entries of `environment` belong to this client's provider: the configured
   * authority's host, an environment it resolved to on this page, or, for Entra, an alias of its
   * cloud. MSAL keys its cache by environment and client id and lists only the accounts of
   * its authority's environment (MSAL Python `get_accounts`: `environment=self.authority.instance`);
   * so two clients of two providers on one page never list each other's accounts.
   */
  ownsEnvironment(environment: string): boolean {
    const env = environment.toLowerCase();
    const host = this.defaultAuthority.host;
    if (env === host) return true;
    for (const resolved of this.#resolved.values()) if (resolved.environment === env) return true;
    if (this.defaultAuthority.kind !== 'aad') return false;
    const cloud = knownCloudGroup(host);
    // A custom Entra domain before instance discovery has answered: its cache alias is not known yet.
    if (!cloud) return this.#resolved.size === 0;
    return cloud.preferredCache === env || cloud.aliases.includes(env);
  }

  /** What `resolve(override)` resolved to, if it already has; `undefined` otherwise. */
  resolvedNow(override?: string): ResolvedAuthority | undefined {
    return this.#resolved.get(this.authorityFor(override).canonical);
  }
}
