import { useCallback, useMemo } from 'react';
import { useAuthClient } from './authContext.js';
import { useAuthSnapshot } from './useAuthSnapshot.js';
import { retryAuth } from './retrySignal.js';
import type { AccountInfo, AuthenticationResult, InteractiveOptions, LogoutOptions, AuthClient, AuthSnapshot } from '../types.js';

/** Options of `signIn()`: every {@link InteractiveOptions} field is optional. */
export type SignInOptions = Partial<InteractiveOptions>;

/** What {@link useAuth} returns: the auth state of the nearest `AuthProvider` and the actions on it. */
export interface UseAuthResult {
  /** The client of the nearest `AuthProvider`, for calls the hook does not wrap. */
  client: AuthClient;
  /** Every signed-in account; empty when nobody is (and while `status` is `initializing`). */
  accounts: readonly AccountInfo[];
  /** The account set with `setActiveAccount`, else the first signed-in one; `null` when nobody is signed in. */
  activeAccount: AccountInfo | null;
  /** Chooses the active account (`null`: back to the first signed-in one); re-renders every consumer. */
  setActiveAccount(account: AccountInfo | null): void;
  /** `initializing` until the cache is loaded and a redirect response handled; `interacting` while a sign-in runs; `idle` otherwise. */
  status: AuthSnapshot['status'];
  /** True until the client has loaded its cache and handled a redirect response (`status === 'initializing'`). */
  isLoading: boolean;
  /** True when someone is signed in (`activeAccount !== null`). */
  isAuthenticated: boolean;
  /** The last failure of initialization or of an interactive sign-in, until the next attempt; `null` otherwise. */
  error: Error | null;
  /**
   * Tries again what failed: initialization, if it failed, and the sign-in of every
   * `<RequireAuth>`. Call it from a click handler: a popup sign-in needs the click.
   */
  retry(): Promise<void>;
  /**
   * Interactive sign-in; default `interaction: 'redirect'` and the default OpenID scopes
   * (`openid profile offline_access`), so `signIn()` needs no arguments.
   */
  signIn(options?: SignInOptions): Promise<AuthenticationResult>;
  /** Sign-out; default: the active account, `interaction: 'redirect'`. */
  signOut(options?: LogoutOptions): Promise<void>;
}

/** Auth state and actions; the object keeps its identity until the state changes. */
export function useAuth(): UseAuthResult {
  const client = useAuthClient('useAuth');
  const snapshot = useAuthSnapshot(client);
  const setActiveAccount = useCallback((account: AccountInfo | null) => client.setActiveAccount(account), [client]);
  const signIn = useCallback(
    (options: SignInOptions = {}) => client.acquireTokenInteractive({ interaction: 'redirect', ...options, scopes: options.scopes ?? [] }),
    [client],
  );
  const signOut = useCallback(
    (options?: LogoutOptions) => {
      const account = options?.account ?? client.getSnapshot().activeAccount ?? undefined;
      return client.logout({ ...options, ...(account && { account }) });
    },
    [client],
  );
  const retry = useCallback(() => retryAuth(client), [client]);
  return useMemo(
    () => ({
      client,
      accounts: snapshot.accounts,
      activeAccount: snapshot.activeAccount,
      setActiveAccount,
      status: snapshot.status,
      isLoading: snapshot.status === 'initializing',
      isAuthenticated: snapshot.activeAccount !== null,
      error: snapshot.error ?? null,
      retry,
      signIn,
      signOut,
    }),
    [client, snapshot, setActiveAccount, signIn, signOut, retry],
  );
}
