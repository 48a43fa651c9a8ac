import { useMemo } from 'react';
import { createAuthFetch, type AuthFetchOptions } from '../pop/authFetch.js';
import { useAuthClient } from './authContext.js';
import { useAccount } from './useAccount.js';

/** A `fetch` that authenticates every request for `scopes` (see `createAuthFetch`). */
export function useAuthFetch(scopes: readonly string[], options: Omit<AuthFetchOptions, 'scopes'> = {}): typeof fetch {
  const client = useAuthClient('useAuthFetch');
  const active = useAccount();
  const account = options.account ?? active ?? undefined;
  const scopesKey = [...scopes].sort().join(' ');
  const originsKey = options.allowedOrigins?.join(' ');
  return useMemo(
    () => createAuthFetch(client, {
      scopes: scopesKey.split(' ').filter(Boolean),
      ...(account && { account }),
      ...(options.scheme && { scheme: options.scheme }),
      ...(options.fetch && { fetch: options.fetch }),
      ...(originsKey !== undefined && { allowedOrigins: originsKey.split(' ').filter(Boolean) }),
    }),
    // Keyed by value: equal scopes and origins arrays keep the same fetch function.
    [client, scopesKey, account, options.scheme, options.fetch, originsKey],
  );
}
