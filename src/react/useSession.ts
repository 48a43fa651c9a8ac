import { useMemo } from 'react';
import { type AccountFilter, useAccount } from './useAccount.js';
import type { AccountInfo } from '../types.js';

/** What {@link useSession} returns. */
export interface UseSessionResult {
  /** The account the session belongs to; `null` when nobody (matching the filter) is signed in. */
  account: AccountInfo | null;
  /**
   * When the session's refresh token stops working (`AccountInfo.sessionExpiresOn`), if known.
   * keyward renews it silently before then when the provider still has a session; listen for
   * `sessionExpiring` (`useAuthEvents`) to ask the person in good time when it cannot.
   */
  expiresOn: Date | null;
}

/**
 * The signed-in account's session deadline. Re-renders when it changes (a renewal here or in
 * another tab, a sign-in, a sign-out): it reads the client's snapshot, whose accounts carry
 * `sessionExpiresOn`, through `useSyncExternalStore` (via `useAccount`).
 */
export function useSession(filter: AccountFilter = {}): UseSessionResult {
  const account = useAccount(filter);
  const time = account?.sessionExpiresOn?.getTime();
  return useMemo(() => ({ account, expiresOn: time === undefined ? null : new Date(time) }), [account, time]);
}
