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
  const scopesKey = [...scopes].sort().join(' ');
  const { interaction, forceRefresh, claimsChallenge, authScheme, enabled } = options;
  const schemeKey = JSON.stringify(authScheme ?? null);
  useEffect(() => {
    observer.setOptions(scopesKey ? scopesKey.split(' ') : [], {
      account,
      ...(interaction !== undefined && { interaction }),
      ...(forceRefresh !== undefined && { forceRefresh }),
      ...(claimsChallenge !== undefined && { claimsChallenge }),
      ...(authScheme !== undefined && { authScheme }),
      ...(enabled !== undefined && { enabled }),
    });
    // Dependencies are values, not identities: a new-but-equal scopes array or scheme object changes nothing.
  }, [observer, scopesKey, account, interaction, forceRefresh, claimsChallenge, schemeKey, enabled]);
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getServerSnapshot);
  return useMemo(() => ({ ...state, refetch: observer.refetch, acquireInteractively: observer.acquireInteractively }), [state, observer]);
}
