import { useMemo } from 'react';
import { useAuthClient } from './authContext.js';
import { useAuthSnapshot } from './useAuthSnapshot.js';
import type { AccountInfo } from '../types.js';

/** Picks an account by any of these; all given must match (usernames case-insensitively). */
/** Which account a hook or guard is about; with no field set, the active account. */
export interface AccountFilter {
  /** Match the account with this `homeAccountId` (exact). */
  homeAccountId?: string;
  /** Match the account with this `localAccountId` (exact). */
  localAccountId?: string;
  /** Match the account with this `username` (case-insensitive). */
  username?: string;
}

export function matchAccount(accounts: readonly AccountInfo[], filter: AccountFilter | undefined, active: AccountInfo | null): AccountInfo | null {
  if (!filter || (!filter.homeAccountId && !filter.localAccountId && !filter.username)) return active;
  return (
    accounts.find(
      (account) =>
        (!filter.homeAccountId || account.homeAccountId === filter.homeAccountId) &&
        (!filter.localAccountId || account.localAccountId === filter.localAccountId) &&
        (!filter.username || account.username.toLowerCase() === filter.username.toLowerCase()),
    ) ?? null
  );
}

/** The account matching `filter`, or the active account; `null` when there is none. */
export function useAccount(filter?: AccountFilter): AccountInfo | null {
  const snapshot = useAuthSnapshot(useAuthClient('useAccount'));
  const { homeAccountId, localAccountId, username } = filter ?? {};
  return useMemo(
    () => matchAccount(snapshot.accounts, { homeAccountId, localAccountId, username }, snapshot.activeAccount),
    [snapshot, homeAccountId, localAccountId, username],
  );
}

/** True when an account (matching `filter`, if given) is signed in. */
export function useIsAuthenticated(filter?: AccountFilter): boolean {
  return useAccount(filter) !== null;
}
