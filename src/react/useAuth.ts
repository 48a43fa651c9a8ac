import { useCallback, useMemo } from 'react';
import { useAuthClient } from './authContext.js';
import { useAuthSnapshot } from './useAuthSnapshot.js';
import type { AccountInfo, AuthenticationResult, InteractiveOptions, LogoutOptions, AuthClient, AuthSnapshot } from '../types.js';

export interface UseAuthResult {
  client: AuthClient;
  accounts: readonly AccountInfo[];
  activeAccount: AccountInfo | null;
  setActiveAccount(account: AccountInfo | null): void;
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
