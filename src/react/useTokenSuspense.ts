import { useSyncExternalStore } from 'react';
import { sharedTokenObserver } from '../client/state/tokenObserver.js';
import { nobodySignedInError } from '../errors.js';
import type { AuthenticationResult, TokenRequestOptions } from '../types.js';
import { useAuthClient } from './authContext.js';
import { useAccount } from './useAccount.js';

/**
 * `useToken` for `<Suspense>`: suspends until the token is there, throws to the nearest error
 * boundary when it cannot be had (React 18 and 19). Built on the same `TokenObserver` as
 * `useToken`, shared per client and request (a suspended render keeps no state of its own),
 * so it renews on the core's freshness rule while mounted and reads no clock during render.
 */
export function useTokenSuspense(
  scopes: readonly string[],
  options: Omit<TokenRequestOptions, 'enabled' | 'interaction'> = {},
): {
  /** The access token. */
  token: string;
  /** The whole result behind it (expiry, scopes, account). */
  result: AuthenticationResult;
} {
  const client = useAuthClient('useTokenSuspense');
  const active = useAccount();
  const account = options.account === undefined ? active : options.account;
  const observer = sharedTokenObserver(client, scopes, { ...options, account });
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getServerSnapshot);
  if (!account) throw nobodySignedInError();
  if (state.status === 'success' && state.result) return { token: state.result.accessToken, result: state.result };
  const error = observer.takeError();
  if (error) throw error;
  throw observer.ensure();
}
