import { InteractionRequiredError, ErrorCode } from '../../errors.js';
import type { AuthScheme, AuthClient, AccountInfo, AuthenticationResult, TokenRequestOptions, TokenState } from '../../types.js';



const idle: TokenState = Object.freeze({ status: 'idle', token: null, result: null, error: null });
/** Renew this long before expiry while someone is subscribed (the core refreshes 5 min early too). */
const renewBeforeMs = 4 * 60 * 1000;
const minimumRenewDelayMs = 5_000;

/**
 * One token subscription: what `useToken` holds (TanStack Query's observer idea). It asks the
 * core, which serves cache hits without I/O and shares one network call between all
 * concurrent requests for the same token; renews itself shortly before expiry while
 * subscribed; ignores answers that arrive after its options changed or its last subscriber left.
 */
export class TokenObserver {
  readonly #client: AuthClient;
  #scopes: string[] = [];
  #options: TokenRequestOptions = {};
  #key: string | undefined;
  #state: TokenState = idle;
  #generation = 0;
  #inFlightKey: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(client: AuthClient) {
    this.#client = client;
  }

  getSnapshot = (): TokenState => this.#state;
  getServerSnapshot = (): TokenState => idle;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#fetch(false);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        clearTimeout(this.#timer);
        this.#generation++; // late answers no longer update anything
        this.#inFlightKey = undefined;
      }
    };
  };

  /** Updates what to ask for; a new-but-equal scopes array or options change nothing. */
  setOptions(scopes: readonly string[], options: TokenRequestOptions): void {
    const account = options.account ?? this.#client.getSnapshot().activeAccount;
    const key = JSON.stringify([
      [...scopes].map((s) => s.toLowerCase()).sort(),
      account ? [account.homeAccountId, account.environment, account.tenantId] : null,
      options.forceRefresh ?? false,
      options.claimsChallenge ?? null,
      options.authScheme ?? null,
      options.enabled ?? true,
    ]);
    this.#scopes = [...scopes];
    this.#options = { ...options, account };
    if (key === this.#key) return;
    this.#key = key;
    if (this.#listeners.size > 0) this.#fetch(false);
  }

  /** Asks again now (silently), bypassing nothing unless `forceRefresh` was set. */
  refetch = (): void => this.#fetch(true);

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
    if (enabled === false) return this.#set(idle);
    if (!force && this.#inFlightKey === this.#key) return; // StrictMode re-subscribe: already asking
    if (!account) {
      return this.#set({ status: 'error', token: null, result: null, error: new InteractionRequiredError(ErrorCode.noAccount, 'Nobody is signed in: sign in to get a token.') });
    }
    const generation = ++this.#generation;
    this.#inFlightKey = this.#key;
    clearTimeout(this.#timer);
    if (this.#state.status !== 'success') this.#set({ status: 'loading', token: null, result: null, error: null });
    this.#client
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
          else this.#set({ status: 'error', token: null, result: null, error: new InteractionRequiredError(ErrorCode.noTokensFound, 'No token is cached for this account: sign in again.') });
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
    const delay = Math.max(minimumRenewDelayMs, result.expiresOn.getTime() - Date.now() - renewBeforeMs);
    this.#timer = setTimeout(() => this.#fetch(true), delay);
  }

  #set(state: TokenState): void {
    if (state === this.#state) return;
    this.#state = Object.freeze(state);
    for (const listener of this.#listeners) listener();
  }
}
