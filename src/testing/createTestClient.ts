import { AuthEvents } from '../client/state/authEvents.js';
import { AuthStore } from '../client/state/authStore.js';
import { BrowserError, ClientAuthError, ConfigurationError, ErrorCode, type KeywardError } from '../errors.js';
import { findToken, sameAccount, type TestAccount, testAccount, type TestToken, testResult } from './testData.js';
import type { AuthClient, AuthEvent, AuthSnapshot, InteractiveOptions, LogoutOptions, AccountInfo, AuthenticationResult, SilentOptions } from '../types.js';

/** What fails, and how, in a {@link createTestClient} client. Use keyward's real error classes and codes. */
export interface TestFailures {
  /**
   * Thrown by every `acquireTokenSilent`, or decided per call: return an error to throw it,
   * `undefined` to go on normally. The call's options are passed too, so a claims challenge
   * can fail silently (as Entra does until the person steps up) and succeed interactively.
   * @example `new InteractionRequiredError(ErrorCode.interactionRequired, 'Sign in again.')`
   * @example `(_scopes, _account, options) => options?.claimsChallenge ? new InteractionRequiredError(ErrorCode.interactionRequired, 'Step up.') : undefined`
   */
  silent?: KeywardError | ((scopes: readonly string[], account: AccountInfo, options: SilentOptions | undefined) => KeywardError | undefined);
  /**
   * Thrown by `acquireTokenInteractive`; setting it makes `interaction` default to `'fail'`.
   * @example `new BrowserError(ErrorCode.popupWindowError, 'The browser blocked the sign-in popup.')`
   */
  interactive?: KeywardError;
}

/** Options of {@link createTestClient}. Every one is optional: the default is a signed-out, working client. */
export interface TestClientOptions {
  /** Signed-in accounts, loaded by `initialize()`. Only `username` is required. */
  accounts?: TestAccount[];
  /**
   * Access tokens by scope string (`'User.Read'`, `'api://orders/read api://orders/write'`):
   * the token string, or any fields of the result. A request is served by the entry naming the
   * same scopes, else by one covering them all. When `tokens` is given, other scopes resolve
   * `null` (nothing cached, as the real client says); when it is omitted, every request gets a
   * generated token `test-access-token.<homeAccountId>.<scopes>`.
   */
  tokens?: Record<string, TestToken>;
  /** Errors to throw instead of results. */
  failures?: TestFailures;
  /**
   * How long `initialize()` takes, to show a loading state. Default `0` (still asynchronous,
   * like the real client). `Infinity`: it never finishes.
   */
  initializeDelayMs?: number;
  /** How long each token request takes (silent and interactive). Default `0`; `Infinity`: never. */
  tokenDelayMs?: number;
  /**
   * What `acquireTokenInteractive` (popup or redirect alike; nothing navigates) does:
   * `succeed` signs in `signInAs` and resolves; `fail` rejects with `failures.interactive`
   * (default: a `user_cancelled` {@link BrowserError}); `never` stays `interacting` forever,
   * like a popup left open. Default: `fail` when `failures.interactive` is set, else `succeed`.
   */
  interaction?: 'succeed' | 'fail' | 'never';
  /**
   * Who an interactive sign-in signs in. Default: the request's `loginHint`, else
   * `test.user@test.keyward`.
   */
  signInAs?: TestAccount | string;
}

/** One call of an {@link AuthClient} method on a test client, with its arguments. */
export type TestClientCall = {
  [M in LoggedMethod]: {
    /** The method called. */
    method: M;
    /** Its arguments, as passed. */
    args: Parameters<AuthClient[M]>;
  };
}[LoggedMethod];

/** The methods a test client records in `calls`: every {@link AuthClient} method but the snapshot ones. */
export type LoggedMethod = Exclude<keyof AuthClient, 'getSnapshot' | 'subscribeSnapshot' | 'ssoSilent'>;

/** An in-memory {@link AuthClient} with helpers for tests and stories. */
export interface TestClient extends AuthClient {
  /**
   * Every call of `initialize`, `setActiveAccount`, `getAccounts`, `acquireTokenSilent`,
   * `acquireTokenInteractive` and `logout`, in order. `getSnapshot` and `subscribeSnapshot`
   * are not logged (React calls them on every render); neither are `addEventCallback` and the
   * helpers below.
   */
  readonly calls: readonly TestClientCall[];
  /**
   * Signs someone in at once, as a sign-in in another tab would, and returns the account.
   * Signing in an account that is already there replaces it. Called before `initialize()` has
   * finished, the account shows once it has, as a cached one would.
   */
  signIn(account: TestAccount | string): AccountInfo;
  /** Signs everybody out at once, as a sign-out in another tab would. */
  signOut(): void;
  /**
   * Calls `listener` for sign-in, sign-out, tokens acquired, account changes and errors, as
   * `PublicClientApplication.addEventCallback` does (what `useAuthEvents` listens to).
   * Returns the unsubscribe function.
   */
  addEventCallback(listener: (event: AuthEvent) => void): () => void;
}

const defaultUser = 'test.user@test.keyward';

/** Resolves after `ms`; never for `Infinity`. Always asynchronous, as the real client is. */
function delay(ms: number): Promise<void> {
  if (!Number.isFinite(ms)) return new Promise<void>(() => {});
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * An in-memory {@link AuthClient} for testing components and writing stories without an
 * identity provider: pass it to `<AuthProvider client={…}>`. It keeps the real client's
 * contracts (an immutable snapshot replaced only on change, `initializing` until
 * `initialize()` settles, `interacting` during sign-in, `null` from `acquireTokenSilent` for an
 * account that is not signed in, keyward's own errors) and does no I/O: nothing is stored,
 * nothing navigates, no popup opens.
 *
 * @example
 * ```tsx
 * import { createTestClient } from 'keyward/testing';
 * import { BrowserError, ErrorCode } from 'keyward';
 *
 * const client = createTestClient({ accounts: [{ username: 'ann@contoso.test' }], tokens: { 'User.Read': 'token-1' } });
 * render(<AuthProvider client={client}><Profile /></AuthProvider>);
 *
 * const blocked = createTestClient({ failures: { interactive: new BrowserError(ErrorCode.popupWindowError, 'The browser blocked the sign-in popup.') } });
 * ```
 */
export function createTestClient(options: TestClientOptions = {}): TestClient {
  const store = new AuthStore();
  const events = new AuthEvents();
  const calls: TestClientCall[] = [];
  let accounts: AccountInfo[] = (options.accounts ?? []).map(testAccount);
  let loaded = false; // like the real cache: accounts are visible once initialize() has loaded them
  let initializing: Promise<void> | undefined;
  let interacting = false;
  const interaction = options.interaction ?? (options.failures?.interactive ? 'fail' : 'succeed');

  function publish(): void {
    if (!loaded) return;
    const before = store.getSnapshot().accounts;
    store.setAccounts(accounts);
    const after = store.getSnapshot().accounts;
    if (after !== before) events.emit({ type: 'accountsChanged', accounts: after });
  }

  function upsert(account: AccountInfo): void {
    const index = accounts.findIndex((a) => sameAccount(a, account));
    accounts = index < 0 ? [...accounts, account] : accounts.map((a, i) => (i === index ? account : a));
    publish();
  }

  function tokenFor(scopes: readonly string[]): { scopes: string[]; token: TestToken | undefined } | undefined {
    return options.tokens ? findToken(options.tokens, scopes) : { scopes: [...scopes], token: undefined };
  }

  /** Emits the outcome of a request and passes it through, as the real client does. */
  function report<T>(promise: Promise<T>, operation: 'signIn' | 'acquireToken', success: (value: T) => AuthEvent | undefined): Promise<T> {
    return promise.then(
      (value) => {
        const event = success(value);
        if (event) events.emit(event);
        return value;
      },
      (error: unknown) => {
        events.emit({ type: 'error', operation, error });
        throw error;
      },
    );
  }

  async function silent(scopes: readonly string[], account: AccountInfo, silentOptions: SilentOptions | undefined): Promise<AuthenticationResult | null> {
    if (!account || typeof account.homeAccountId !== 'string') {
      throw new ConfigurationError(ErrorCode.noAccount, 'acquireTokenSilent needs an account: pass one from getAccounts().');
    }
    await delay(options.tokenDelayMs ?? 0);
    // As the real client: an account that is not (or no longer) signed in has nothing cached.
    const signedIn = accounts.find((a) => sameAccount(a, account));
    if (!signedIn) return null;
    const failure = options.failures?.silent;
    const error = typeof failure === 'function' ? failure(scopes, signedIn, silentOptions) : failure;
    if (error) throw error;
    const found = tokenFor(scopes);
    return found ? testResult(signedIn, found.scopes, found.token, true) : null;
  }

  async function interactive(request: InteractiveOptions): Promise<AuthenticationResult> {
    if (request?.interaction !== 'popup' && request?.interaction !== 'redirect') {
      throw new ClientAuthError(ErrorCode.invalidRequest, '"interaction" must be "popup" or "redirect".');
    }
    if (interacting) {
      throw new BrowserError(
        ErrorCode.interactionInProgress,
        'Another sign-in is already in progress for this app. Wait for it to finish before starting one.',
      );
    }
    interacting = true;
    store.beginInteraction();
    try {
      if (interaction === 'never') await delay(Infinity);
      await delay(options.tokenDelayMs ?? 0);
      if (interaction === 'fail') {
        throw options.failures?.interactive ?? new BrowserError(ErrorCode.userCancelled, 'The sign-in popup was closed before sign-in finished.');
      }
      const account = testAccount(options.signInAs ?? request.loginHint ?? defaultUser);
      upsert(account);
      const scopes = request.scopes ?? [];
      return testResult(account, scopes, tokenFor(scopes)?.token, false);
    } catch (error) {
      // As the real client: the snapshot's `error` shows the failed sign-in until the next one.
      store.setError(error);
      throw error;
    } finally {
      interacting = false;
      store.endInteraction();
    }
  }

  return {
    calls,

    initialize(): Promise<void> {
      calls.push({ method: 'initialize', args: [] });
      initializing ??= delay(options.initializeDelayMs ?? 0).then(() => {
        loaded = true;
        publish();
        store.markInitialized();
      });
      return initializing;
    },

    getSnapshot(): AuthSnapshot {
      return store.getSnapshot();
    },

    subscribeSnapshot(listener: () => void): () => void {
      return store.subscribe(listener);
    },

    setActiveAccount(account: AccountInfo | null): void {
      calls.push({ method: 'setActiveAccount', args: [account] });
      store.setActive(account);
    },

    async getAccounts(username?: string): Promise<AccountInfo[]> {
      calls.push({ method: 'getAccounts', args: username === undefined ? [] : [username] });
      const wanted = username?.toLowerCase();
      return accounts.filter((account) => wanted === undefined || account.username.toLowerCase() === wanted);
    },

    acquireTokenSilent(scopes: readonly string[], account: AccountInfo, silentOptions?: SilentOptions): Promise<AuthenticationResult | null> {
      calls.push({ method: 'acquireTokenSilent', args: silentOptions === undefined ? [scopes, account] : [scopes, account, silentOptions] });
      return report(silent(scopes, account, silentOptions), 'acquireToken', (result) =>
        result && !result.fromCache ? { type: 'tokenAcquired', result } : undefined,
      );
    },

    acquireTokenInteractive(request: InteractiveOptions): Promise<AuthenticationResult> {
      calls.push({ method: 'acquireTokenInteractive', args: [request] });
      return report(interactive(request), 'signIn', (result) => ({ type: 'signIn', result }));
    },

    async logout(logoutOptions?: LogoutOptions): Promise<void> {
      calls.push({ method: 'logout', args: logoutOptions === undefined ? [] : [logoutOptions] });
      events.emit({ type: 'signOut', account: logoutOptions?.account ?? null });
      const leaving = logoutOptions?.account;
      accounts = leaving ? accounts.filter((a) => !sameAccount(a, leaving)) : [];
      publish();
    },

    addEventCallback(listener: (event: AuthEvent) => void): () => void {
      return events.on(listener);
    },

    signIn(account: TestAccount | string): AccountInfo {
      const info = testAccount(account);
      upsert(info);
      return info;
    },

    signOut(): void {
      accounts = [];
      publish();
    },
  };
}
