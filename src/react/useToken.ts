import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { TokenObserver } from '../client/state/tokenObserver.js';
import { useAuthClient } from './authContext.js';
import { useAccount } from './useAccount.js';
import type { AuthenticationResult, TokenRequestOptions, TokenState } from '../types.js';

export interface UseTokenResult extends TokenState {
  /** Ask again silently. */
  refetch(): void;
  /** Sign in with the configured `interaction` (default popup), then get the token. */
  acquireInteractively(): Promise<AuthenticationResult | null>;
}

/**
 * A token for `scopes`, kept fresh while mounted. Stable between renders when nothing
 * changed; a new-but-equal scopes array makes no new request; many components asking for
 * the same token share the core's cache and its one network call.
 */
export function useToken(scopes: readonly string[], options: TokenRequestOptions = {}): UseTokenResult {
  const client = useAuthClient('useToken');
  const active = useAccount();
  const [observer] = useState(() => new TokenObserver(client));
  const account = options.account === undefined ? active : options.account;
  const { interaction, forceRefresh, claimsChallenge, authScheme, enabled } = options;
  // Every commit hands the observer the latest options; it compares them by the core's
  // request key, so a new-but-equal scopes array or scheme object changes nothing.
  useEffect(() => {
    observer.setOptions(scopes, {
      account,
      ...(interaction !== undefined && { interaction }),
      ...(forceRefresh !== undefined && { forceRefresh }),
      ...(claimsChallenge !== undefined && { claimsChallenge }),
      ...(authScheme !== undefined && { authScheme }),
      ...(enabled !== undefined && { enabled }),
    });
  });
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getServerSnapshot);
  return useMemo(() => ({ ...state, refetch: observer.refetch, acquireInteractively: observer.acquireInteractively }), [state, observer]);
}
