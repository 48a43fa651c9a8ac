import { useCallback, useMemo } from 'react';
import { useAuthClient } from './authContext.js';
import { useAuthSnapshot } from './useAuthSnapshot.js';
import type { AccountInfo, AuthenticationResult, InteractiveOptions, LogoutOptions, AuthClient, AuthSnapshot } from '../types.js';

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
  /** Interactive sign-in; default `interaction: 'redirect'`. */
  signIn(options: Partial<InteractiveOptions> & { scopes?: string[] }): Promise<AuthenticationResult>;
  /** Sign-out; default: the active account, `interaction: 'redirect'`. */
  signOut(options?: LogoutOptions): Promise<void>;
}

/** Auth state and actions; the object keeps its identity until the state changes. */
export function useAuth(): UseAuthResult {
  const client = useAuthClient('useAuth');
  const snapshot = useAuthSnapshot(client);
  const setActiveAccount = useCallback((account: AccountInfo | null) => client.setActiveAccount(account), [client]);
  const signIn = useCallback(
    (options: Partial<InteractiveOptions> & { scopes?: string[] }) =>
      client.acquireTokenInteractive({ interaction: 'redirect', ...options, scopes: options.scopes ?? [] }),
    [client],
  );
  const signOut = useCallback(
    (options?: LogoutOptions) => {
      const account = options?.account ?? client.getSnapshot().activeAccount ?? undefined;
      return client.logout({ ...options, ...(account && { account }) });
    },
    [client],
  );
  return useMemo(
    () => ({ client, accounts: snapshot.accounts, activeAccount: snapshot.activeAccount, setActiveAccount, status: snapshot.status, signIn, signOut }),
    [client, snapshot, setActiveAccount, signIn, signOut],
  );
}
