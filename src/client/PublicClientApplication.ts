import { ApiId } from '../http/telemetry.js';
import type { AuthCodeFlow } from '../protocol/authCodeFlow.js';
import type { AuthResponse } from '../protocol/authResponse.js';
import { clientAccountsFrom, errorResultFrom } from './token/results.js';
import { emptyCacheData } from '../cache/entities.js';
import { accountKey } from '../cache/keys.js';
import {
  acquireTokenByAuthCodeFlow,
  acquireTokenByAuthorizationCode,
  type AuthorizationCodeOptions,
  type AuthorizationRequestUrlOptions,
  getAuthorizationRequestUrl,
  initiateAuthCodeFlow,
} from './flows/authCode.js';
import { ClientContext } from './context.js';
import { AuthStore } from './state/authStore.js';
import { AuthEvents } from './state/authEvents.js';
import { acquireTokenInteractive, handleRedirect } from './flows/interactive.js';
import { logout, removeAccount } from './flows/logout.js';
import { type PublicClientApplicationOptions, validateOptions } from './options.js';
// Type-only: these flows are loaded by import() in their methods (below), so an app that never calls them does not ship them.
import type { DeviceFlow, DeviceFlowOptions, DeviceFlowPollOptions } from './flows/deviceFlow.js';
import type { UsernamePasswordOptions } from './flows/usernamePassword.js';
import { acquireTokenSilent } from './flows/silent.js';
import { SessionDeadlines } from './flows/sessionDeadlines.js';
import type { SessionMonitorClient } from './flows/startSessionMonitor.js';
import type { AcquireTokenByCodeRequest } from './flows/spaCode.js';
import { isProviderRefusal } from '../errors.js';
import { isPopSupported } from '../pop/isPopSupported.js';
import type { NavigationClient } from './browser/navigation.js';
import type {
  AccountInfo,
  AuthenticationResult,
  TokenErrorResult,
  AuthCodeFlowOptions,
  AuthClient,
  AuthSnapshot,
  AuthEvent,
  InteractiveOptions,
  LogoutOptions,
  SilentOptions,
  SsoSilentRequest,
} from '../types.js';

/**
 * A public (browser) client of Microsoft Entra ID or any OpenID Connect provider. Its method
 * names follow MSAL for Python's `ClientApplication` in camelCase (`acquireTokenSilent(scopes,
 * account)`, `getAccounts()`), not msal-browser's request objects; see
 * docs/guides/coming-from-msal.md for the mapping. Constructing one does no I/O and
 * touches no browser global, so it is safe during server rendering.
 *
 * @example
 * ```ts
 * const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:4000' });
 * await app.handleRedirectPromise();
 * const [account] = await app.getAccounts();
 * ```
 */
export class PublicClientApplication implements AuthClient {
  readonly #ctx: ClientContext;
  #redirectPromise: Promise<AuthenticationResult | null> | undefined;
  #initializing: Promise<void> | undefined;
  readonly #store = new AuthStore();
  readonly #events = new AuthEvents();
  readonly #unsubscribeCache: () => void;
  readonly #deadlines: SessionDeadlines;
  #sessionMonitor: Promise<(() => void) | undefined> | undefined;
  /** `initialize()` or `handleRedirectPromise()` has settled: deadline renewals may be scheduled. */
  #started = false;
  #closed = false;

  constructor(options: PublicClientApplicationOptions) {
    validateOptions(options);
    this.#ctx = new ClientContext(options);
    this.#ctx.browser = true;
    this.#deadlines = new SessionDeadlines(this.#ctx, this.#events);
    // Subscribing does no I/O; the account list is derived whenever the cache changes (here or in another tab).
    this.#unsubscribeCache = this.#ctx.cache.subscribe(() => this.#refreshAccounts());
    // The cache this client owns starts loading now, so opening IndexedDB (the floor of every
    // cold start: bench/runtime/README.md) overlaps the app's own start-up, a React app's first
    // render, instead of following it; initialize() awaits this same load, and a failure is
    // not memoized (initialize() tries again and reports it). Only in a page with IndexedDB: on
    // a server the owned cache is memory only, and a cache passed in is loaded when the app says.
    if (this.#ctx.ownsCache && typeof indexedDB !== 'undefined') this.#ctx.readyCache().catch(() => undefined);
  }

  /**
   * Releases what the client holds open: its subscription to the token cache, the session
   * deadlines' renewal timers, the session monitor (`monitorSession`: its timer, its iframe and
   * its message listener) and, when the client created the cache itself (no `tokenCache`
   * option), the cache's cross-tab `BroadcastChannel`. A `tokenCache` you passed in is yours to
   * close. Other timers and cross-tab locks live only as long as the operation that took them;
   * `close()` waits for none. Call it when a test, a hot-module reload or a micro-frontend
   * tears its client down; do not use the client afterwards. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribeCache();
    this.#ctx.close();
    this.#deadlines.stop();
    if (this.#ctx.ownsCache) this.#ctx.cache.close?.();
    // A monitor still loading is stopped as soon as it has started.
    (await this.#sessionMonitor)?.();
  }

  /** `await using app = new PublicClientApplication(...)`: calls {@link close} at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #refreshAccounts(): void {
    // Back from a redirect with a return to the start page ahead: the account shows there (see ClientContext.holdAccounts).
    if (this.#ctx.holdAccounts) return;
    const before = this.#store.getSnapshot().accounts;
    this.#store.setAccounts(clientAccountsFrom(this.#ctx.cache.read(), this.#ctx));
    const after = this.#store.getSnapshot().accounts;
    if (after !== before) {
      this.#events.emit({ type: 'accountsChanged', accounts: after });
      // Deadlines follow the cache: a renewal (here or in another tab) moves them, a sign-out ends them.
      if (this.#started) this.#deadlines.update();
    }
  }

  /** Calls `listener` for sign-in, sign-out, tokens acquired, account changes (also from other tabs) and errors. */
  addEventCallback(listener: (event: AuthEvent) => void): () => void {
    return this.#events.on(listener);
  }

  /**
   * An interactive sign-in succeeded at `authority`: the provider has a session. A later
   * `login_required` in a frame then means its cookies are blocked there (remembered for the
   * page's life), not that nobody is signed in (forgotten here).
   */
  #sawProviderSession(authority: string): void {
    this.#ctx.interactiveSignIns.add(authority);
    if (this.#ctx.frameSso.get(authority) === 'noSession') this.#ctx.frameSso.delete(authority);
  }

  /** Emits the outcome of an operation and passes it through. */
  #report<T>(promise: Promise<T>, operation: 'signIn' | 'acquireToken', success: (value: T) => AuthEvent | undefined): Promise<T> {
    return promise.then(
      (value) => {
        const event = success(value);
        if (event) this.#events.emit(event);
        return value;
      },
      (error: unknown) => {
        if (operation === 'signIn') this.#store.setError(error);
        this.#events.emit({ type: 'error', operation, error });
        throw error;
      },
    );
  }

  /**
   * Loads the cache and handles a redirect response, once (memoized: StrictMode's double
   * effects and several callers share it). The snapshot's status is `initializing` until it settles.
   * Rejects with the redirect's error, if any, after the client is usable.
   */
  initialize(): Promise<void> {
    this.#initializing ??= (async () => {
      try {
        await this.#ctx.readyCache();
        this.#refreshAccounts();
        await this.handleRedirectPromise();
        this.#store.setError(null);
      } catch (error) {
        // Without this line an app whose start-up failed shows a blank page and says nothing.
        this.#ctx.logger.warning(`initialize failed: ${describe(error)}`);
        this.#store.setError(error);
        // Called again (a retry), it tries again; the redirect response is not redeemed twice.
        this.#initializing = undefined;
        this.#redirectPromise = undefined;
        throw error;
      } finally {
        this.#store.markInitialized();
        this.#started = true;
        this.#deadlines.update();
      }
    })();
    return this.#initializing;
  }

  /**
   * Replaces the {@link NavigationClient} every navigation of this client goes through (MSAL.js
   * `setNavigationClient`): for a router created after the client.
   */
  setNavigationClient(navigationClient: NavigationClient): void {
    this.#ctx.navigation = navigationClient;
  }

  /** The current auth state; the same object until something changes (for `useSyncExternalStore`). */
  getSnapshot(): AuthSnapshot {
    return this.#store.getSnapshot();
  }

  /** Calls `listener` whenever the auth-state snapshot ({@link getSnapshot}) changes. Returns the unsubscribe function. */
  subscribeSnapshot(listener: () => void): () => void {
    return this.#store.subscribe(listener);
  }

  /** Chooses the account `activeAccount` refers to (`null`: back to the first signed-in account). */
  setActiveAccount(account: AccountInfo | null): void {
    this.#store.setActive(account);
  }

  /** The client id this application was configured with. */
  get clientId(): string {
    return this.#ctx.clientId;
  }

  /**
   * Finishes a redirect sign-in if this page load is the provider's redirect back; `null`
   * otherwise. Call it on every page load. Memoized: calling it twice (React StrictMode)
   * processes the response once and returns the same promise.
   */
  handleRedirectPromise(): Promise<AuthenticationResult | null> {
    this.#redirectPromise ??= this.#report(this.#interacting(handleRedirect(this.#ctx)), 'signIn', (result) => {
      if (result) this.#sawProviderSession(result.authority);
      return result ? { type: 'signIn', result } : undefined;
    });
    // An app may call only this on each page load (without initialize()): the session's
    // deadline renewals and the monitor start from here as well.
    const started = (): void => {
      this.#refreshAccounts();
      this.#started = true;
      this.#deadlines.update();
      this.#monitorSession();
    };
    void this.#redirectPromise.then(started, started);
    return this.#redirectPromise;
  }

  /** `monitorSession`: starts the session monitor once (see flows/startSessionMonitor.ts); without the option nothing is loaded. */
  #monitorSession(): void {
    if (!this.#ctx.options.monitorSession || typeof window === 'undefined' || this.#sessionMonitor || this.#closed) return;
    const client: SessionMonitorClient = {
      activeAccount: () => this.#store.getSnapshot().activeAccount,
      subscribe: (listener) => {
        const offSnapshot = this.#store.subscribe(listener);
        // A new sign-in of the same account brings a new session_state without changing the snapshot.
        const offEvents = this.#events.on((event) => event.type === 'signIn' && listener());
        return () => {
          offSnapshot();
          offEvents();
        };
      },
      sessionChanged: (account) => this.#events.emit({ type: 'sessionChanged', account }),
      warn: (error) => this.#events.emit({ type: 'warning', operation: 'sessionMonitor', error }),
    };
    // The wiring and the monitor are one lazy chunk: an app without the option downloads neither.
    this.#sessionMonitor = import('./flows/startSessionMonitor.js').then(
      (monitor) => monitor.startSessionMonitor(this.#ctx, client),
      () => {
        this.#ctx.logger.warning('session monitoring did not start: load failure');
        return undefined;
      },
    );
  }

  /** Marks the snapshot `interacting` while `promise` runs. */
  #interacting<T>(promise: Promise<T>): Promise<T> {
    this.#store.beginInteraction();
    return promise.finally(() => this.#store.endInteraction());
  }

  /** Signs the person in through a popup (resolves with the result) or a full-page redirect. */
  acquireTokenInteractive(options: InteractiveOptions): Promise<AuthenticationResult> {
    return this.#report(this.#interacting(acquireTokenInteractive(this.#ctx, options)), 'signIn', (result) => {
      this.#sawProviderSession(result.authority);
      return { type: 'signIn', result };
    });
  }

  /**
   * A token without interaction: the cached access token, or a refresh. `null` when the
   * cache holds nothing usable for the account. Throws `InteractionRequiredError` when the
   * provider refuses the refresh token.
   */
  acquireTokenSilent(scopes: readonly string[], account: AccountInfo, options?: SilentOptions): Promise<AuthenticationResult | null> {
    return this.#report(acquireTokenSilent(this.#ctx, scopes, account, options), 'acquireToken', (result) =>
      result && !result.fromCache ? { type: 'tokenAcquired', result } : undefined,
    );
  }

  /**
   * Signs in without any window through a hidden iframe with `prompt=none`, when the
   * provider still has a session (MSAL.js `ssoSilent`): tokens are stored as an interactive
   * sign-in stores them. Concurrent identical calls share one iframe. Rejects with an
   * `InteractionRequiredError` when the provider needs the person (`login_required`,
   * `interaction_required`, `consent_required`, or `frame_sso_unavailable` when an earlier
   * attempt on this page showed that iframe sign-in cannot work), with `BrowserError`
   * `monitor_window_timeout` after `iframeTimeout`, or `frame_no_redirect` when the frame
   * stopped on a provider page.
   */
  ssoSilent(request: SsoSilentRequest): Promise<AuthenticationResult> {
    // `interacting` while it runs, so a UI shows neither signed-in nor signed-out content meanwhile.
    return this.#report(this.#interacting(import('./flows/ssoSilent.js').then((flow) => flow.ssoSilent(this.#ctx, request))), 'signIn', (result) => ({
      type: 'signIn',
      result,
    }));
  }

  /**
   * As {@link acquireTokenSilent}, but a provider's refusal comes back as a
   * {@link TokenErrorResult} instead of being thrown (MSAL `acquire_token_silent_with_error`).
   * Transport failures still throw.
   */
  async acquireTokenSilentWithError(
    scopes: readonly string[],
    account: AccountInfo,
    options?: SilentOptions,
  ): Promise<AuthenticationResult | TokenErrorResult | null> {
    try {
      return await this.acquireTokenSilent(scopes, account, options);
    } catch (error) {
      if (isProviderRefusal(error)) {
        return errorResultFrom(error);
      }
      throw error;
    }
  }

  /** Starts a PKCE authorization-code flow you drive yourself; store the returned flow until the response comes back. */
  initiateAuthCodeFlow(scopes: readonly string[], options?: AuthCodeFlowOptions): Promise<AuthCodeFlow> {
    return initiateAuthCodeFlow(this.#ctx, scopes, options);
  }

  /** Finishes a flow from {@link initiateAuthCodeFlow} with the provider's response parameters. */
  acquireTokenByAuthCodeFlow(flow: AuthCodeFlow, authResponse: AuthResponse, scopes?: readonly string[]): Promise<AuthenticationResult | TokenErrorResult> {
    return acquireTokenByAuthCodeFlow(this.#ctx, flow, authResponse, scopes);
  }

  /** Redeems an authorization code obtained by other means. */
  acquireTokenByAuthorizationCode(code: string, scopes: readonly string[], options?: AuthorizationCodeOptions): Promise<AuthenticationResult> {
    return acquireTokenByAuthorizationCode(this.#ctx, code, scopes, options);
  }

  /**
   * Entra hybrid SPA: redeems the `spaCode` the web app's server obtained (keyward/server
   * `returnSpaCode: true`) so this page has its own account and tokens without a second
   * sign-in (MSAL.js `acquireTokenByCode`). A code works once.
   */
  acquireTokenByCode(request: AcquireTokenByCodeRequest): Promise<AuthenticationResult> {
    return this.#report(
      import('./flows/spaCode.js').then((flow) => flow.acquireTokenByCode(this.#ctx, request)),
      'signIn',
      (result) => ({ type: 'signIn', result }),
    );
  }

  /** Migrates a refresh token obtained elsewhere into the cache. */
  acquireTokenByRefreshToken(refreshToken: string, scopes: readonly string[]): Promise<AuthenticationResult> {
    return import('./flows/refreshToken.js').then((flow) => flow.acquireTokenByRefreshToken(this.#ctx, refreshToken, scopes));
  }

  /** Starts a device code flow (RFC 8628): show `flow.message` to the person, then call {@link acquireTokenByDeviceFlow}. */
  initiateDeviceFlow(scopes: readonly string[], options?: DeviceFlowOptions): Promise<DeviceFlow> {
    return import('./flows/deviceFlow.js').then((flow) => flow.initiateDeviceFlow(this.#ctx, scopes, options));
  }

  /** Polls until the person approves the device code; abort with `options.signal`. */
  acquireTokenByDeviceFlow(flow: DeviceFlow, options?: DeviceFlowPollOptions): Promise<AuthenticationResult> {
    return import('./flows/deviceFlow.js').then((module) => module.acquireTokenByDeviceFlow(this.#ctx, flow, options));
  }

  /**
   * Legacy resource-owner password grant. Discouraged (no MFA, RFC 9700 2.4); for
   * migrations and test automation only. The password is never logged or stored.
   */
  acquireTokenByUsernamePassword(
    username: string,
    password: string,
    scopes: readonly string[],
    options?: UsernamePasswordOptions,
  ): Promise<AuthenticationResult> {
    return import('./flows/usernamePassword.js').then((flow) => flow.acquireTokenByUsernamePassword(this.#ctx, username, password, scopes, options));
  }

  /** Builds an authorization URL (no flow state kept; prefer {@link initiateAuthCodeFlow}). */
  getAuthorizationRequestUrl(scopes: readonly string[], options?: AuthorizationRequestUrlOptions): Promise<string> {
    return getAuthorizationRequestUrl(this.#ctx, scopes, options);
  }

  /**
   * Signed-in accounts of this client, optionally only those whose username matches
   * (case-insensitive): accounts of its provider (environment) not held by other client ids
   * only. Another client on the same page or origin (another provider or client id)
   * shares the cache but not its accounts.
   */
  async getAccounts(username?: string): Promise<AccountInfo[]> {
    const cache = await this.#ctx.readyCache();
    const data = cache.read();
    const wanted = username?.toLowerCase();
    this.#ctx.logger.verbose(`getAccounts (api ${ApiId.getAccounts})`);
    return clientAccountsFrom(data, this.#ctx).filter((account) => wanted === undefined || account.username.toLowerCase() === wanted);
  }

  /**
   * The accounts known right now, synchronously (MSAL's `getAllAccounts`). Once the cache is
   * loaded: the same as {@link getAccounts}. Before that, on a page's first moments, the
   * accounts of the cache's clear account index (`IndexedDbTokenCache` keeps one in
   * localStorage) that are this client's as {@link getAccounts} would list them, *without* `idTokenClaims`: those need the sealed id_token, and are there
   * once `initialize()` or `getAccounts()` has settled. Never does I/O beyond that
   * synchronous read; `[]` where nothing is known (server rendering, a first visit).
   */
  getAllAccounts(username?: string): AccountInfo[] {
    const wanted = username?.toLowerCase();
    const loaded = this.#ctx.loadedCache;
    const accounts = loaded
      ? clientAccountsFrom(loaded.read(), this.#ctx)
      : clientAccountsFrom(
          { ...emptyCacheData(), Account: Object.fromEntries((this.#ctx.cache.peekAccounts?.(this.#ctx.clientId) ?? []).map((a) => [accountKey(a), a])) },
          this.#ctx,
        );
    return accounts.filter((account) => wanted === undefined || account.username.toLowerCase() === wanted);
  }

  /** Forgets an account and all its tokens, here only (see {@link logout} to end the provider session). */
  removeAccount(account: AccountInfo): Promise<void> {
    this.#ctx.logger.verbose(`removeAccount (api ${ApiId.removeAccount})`);
    return removeAccount(this.#ctx, account);
  }

  /** Signs out of this app and, through `end_session_endpoint`, of the provider. */
  logout(options?: LogoutOptions): Promise<void> {
    this.#events.emit({ type: 'signOut', account: options?.account ?? null });
    // The provider session ends (or is no longer ours to assume): what frames showed before says nothing about the next sign-in.
    this.#ctx.interactiveSignIns.clear();
    this.#ctx.frameSso.clear();
    return logout(this.#ctx, options, (error) => this.#events.emit({ type: 'warning', operation: 'signOut', error }));
  }

  /** True when this runtime can hold non-extractable proof-of-possession keys (WebCrypto in a secure context). */
  isPopSupported(): boolean {
    return isPopSupported();
  }

  /**
   * Calls `listener` after every token-cache change (sign-in, refresh, removal; also from
   * other tabs). Returns the unsubscribe function. For UI state, use {@link subscribeSnapshot}.
   */
  subscribeCacheChanges(listener: () => void): () => void {
    return this.#ctx.cache.subscribe(listener);
  }

  /** @deprecated Renamed {@link subscribeCacheChanges}, which says what it reports; kept for existing code. */
  subscribe(listener: () => void): () => void {
    return this.subscribeCacheChanges(listener);
  }
}

/** An error's name, code and message for a log line: keyward's messages carry no tokens or personal data. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { errorCode?: unknown }).errorCode;
  return `${error.name}${typeof code === 'string' ? ` (${code})` : ''}: ${error.message}`;
}
