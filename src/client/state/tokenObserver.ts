import { staleAt } from '../../cache/freshness.js';
import { nobodySignedInError, noTokenError } from '../../errors.js';
import { requestKey } from '../../util/requestKey.js';
import type { AuthClient, AuthenticationResult, TokenRequestOptions, TokenState } from '../../types.js';
import { Subscribable } from '../../util/subscribable.js';

const idle: TokenState = Object.freeze({ status: 'idle', token: null, result: null, error: null });
/** A renewal never fires sooner than this after the last answer, even for a token that is already stale. */
const minimumRenewDelayMs = 5_000;

/**
 * One token subscription: what `useToken` and `useTokenSuspense` hold (TanStack Query's
 * observer idea). It asks the core, which serves cache hits without I/O and shares one
 * network call between all concurrent requests for the same token; renews itself when the
 * token goes stale (the one freshness rule, `cache/freshness.ts`) while subscribed; ignores
 * answers that arrive after its options changed or its last subscriber left.
 */
export class TokenObserver extends Subscribable {
  readonly #client: AuthClient;
  #scopes: string[] = [];
  #options: TokenRequestOptions = {};
  #key: string | undefined;
  #state: TokenState = idle;
  #generation = 0;
  #inFlightKey: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Settles when the current request does (for Suspense). */
  #settled: Promise<void> | undefined;
  /** For Suspense: the current error was already thrown to a boundary. */
  #errorShown = false;

  constructor(client: AuthClient) {
    super();
    this.#client = client;
  }

  getSnapshot = (): TokenState => this.#state;
  getServerSnapshot = (): TokenState => idle;

  protected override onSubscribe(): void {
    if (this.listeners.size === 1) this.#fetch(false);
  }

  protected override onUnsubscribe(): void {
    if (this.hasListeners()) return;
    clearTimeout(this.#timer);
    this.#generation++; // late answers no longer update anything
    this.#inFlightKey = undefined;
  }

  /** Updates what to ask for; a new-but-equal scopes array or options change nothing. */
  setOptions(scopes: readonly string[], options: TokenRequestOptions): void {
    const account = options.account ?? this.#client.getSnapshot().activeAccount;
    const key = tokenRequestKey(scopes, { ...options, account });
    this.#scopes = [...scopes];
    this.#options = { ...options, account };
    if (key === this.#key) return;
    this.#key = key;
    if (this.hasListeners()) this.#fetch(false);
  }

  /** Asks again now (silently), bypassing nothing unless `forceRefresh` was set. */
  refetch = (): void => this.#fetch(true);

  /**
   * For Suspense, which renders before anything subscribes: starts the request if none ran
   * yet (or the last one failed and its error was shown) and returns a promise that settles
   * with it.
   */
  ensure(): Promise<void> {
    const { status } = this.#state;
    const unshownError = status === 'error' && !this.#errorShown;
    if (this.#inFlightKey === undefined && status !== 'success' && !unshownError) this.#fetch(true);
    return this.#settled ?? Promise.resolve();
  }

  /** For Suspense: the error to throw to a boundary, once; after that `ensure()` asks again. */
  takeError(): Error | null {
    if (this.#state.status !== 'error' || this.#errorShown) return null;
    this.#errorShown = true;
    return this.#state.error;
  }

  /** Signs the person in with the configured interaction, then gets the token. */
  acquireInteractively = async (): Promise<AuthenticationResult | null> => {
    const interaction = this.#options.interaction ?? 'popup';
    if (interaction === 'none') return null;
    const generation = ++this.#generation;
    this.#set({ status: 'loading', token: this.#state.token, result: this.#state.result, error: null });
    try {
      const result = await this.#client.acquireTokenInteractive({
        scopes: this.#scopes,
        interaction,
        ...(this.#options.claimsChallenge !== undefined && { claimsChallenge: this.#options.claimsChallenge }),
        ...(this.#options.authScheme !== undefined && { authScheme: this.#options.authScheme }),
      });
      if (generation === this.#generation) this.#succeed(result);
      return result;
    } catch (error) {
      if (generation === this.#generation) this.#set({ status: 'error', token: null, result: null, error: error as Error });
      throw error;
    }
  };

  #fetch(force: boolean): void {
    const { account, enabled } = this.#options;
    if (this.#key === undefined) return;
    if (enabled === false) {
      this.#set(idle);
      return;
    }
    if (!force && this.#inFlightKey === this.#key) return; // StrictMode re-subscribe: already asking
    if (!account) {
      this.#set({ status: 'error', token: null, result: null, error: nobodySignedInError() });
      return;
    }
    const generation = ++this.#generation;
    this.#inFlightKey = this.#key;
    clearTimeout(this.#timer);
    if (this.#state.status !== 'success') this.#set({ status: 'loading', token: null, result: null, error: null });
    this.#settled = this.#client
      .acquireTokenSilent(this.#scopes, account, {
        ...(this.#options.forceRefresh && { forceRefresh: true }),
        ...(this.#options.claimsChallenge !== undefined && { claimsChallenge: this.#options.claimsChallenge }),
        ...(this.#options.authScheme !== undefined && { authScheme: this.#options.authScheme }),
      })
      .then(
        (result) => {
          if (generation !== this.#generation) return;
          this.#inFlightKey = undefined;
          if (result) this.#succeed(result);
          else this.#set({ status: 'error', token: null, result: null, error: noTokenError() });
        },
        (error: unknown) => {
          if (generation !== this.#generation) return;
          this.#inFlightKey = undefined;
          this.#set({ status: 'error', token: null, result: null, error: error as Error });
        },
      );
  }

  #succeed(result: AuthenticationResult): void {
    const same = this.#state.status === 'success' && this.#state.token === result.accessToken;
    if (!same) this.#set({ status: 'success', token: result.accessToken, result, error: null });
    clearTimeout(this.#timer);
    // Only a subscribed observer renews itself: one that nobody renders would renew for no one.
    if (!this.hasListeners()) return;
    const delay = Math.max(minimumRenewDelayMs, staleAt(result.expiresOn) - Date.now());
    this.#timer = setTimeout(() => this.#fetch(true), delay);
  }

  #set(state: TokenState): void {
    if (state === this.#state) return;
    this.#errorShown = false;
    this.#state = Object.freeze(state);
    this.notify();
  }
}

/** The identity of a token subscription: the core's request key plus whether it is enabled. */
function tokenRequestKey(scopes: readonly string[], options: TokenRequestOptions): string {
  const { account, forceRefresh, claimsChallenge, authScheme } = options;
  return `${requestKey({
    scopes,
    account: account ?? null,
    ...(forceRefresh !== undefined && { forceRefresh }),
    ...(claimsChallenge !== undefined && { claims: claimsChallenge }),
    ...(authScheme !== undefined && { authScheme }),
  })}|${options.enabled === false ? 'off' : 'on'}`;
}

/**
 * Observers that outlive a render, for Suspense (a suspended render keeps no state): one per
 * client and request key, created on first use.
 */
const shared = new WeakMap<AuthClient, Map<string, TokenObserver>>();

/** The shared observer for this client and request, with its options set. */
export function sharedTokenObserver(client: AuthClient, scopes: readonly string[], options: TokenRequestOptions): TokenObserver {
  let byKey = shared.get(client);
  if (!byKey) {
    byKey = new Map();
    shared.set(client, byKey);
  }
  const key = tokenRequestKey(scopes, options);
  let observer = byKey.get(key);
  if (!observer) {
    observer = new TokenObserver(client);
    observer.setOptions(scopes, options);
    byKey.set(key, observer);
  }
  return observer;
}
