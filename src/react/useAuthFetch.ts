import { useMemo, useRef } from 'react';
import { requestKey } from '../util/requestKey.js';
import { createAuthFetch, type AuthFetchOptions } from '../pop/authFetch.js';
import { useAuthClient } from './authContext.js';
import { useAccount } from './useAccount.js';

/** A `fetch` that authenticates every request for `scopes` (see `createAuthFetch`). */
export function useAuthFetch(scopes: readonly string[], options: Omit<AuthFetchOptions, 'scopes'> = {}): typeof fetch {
  const client = useAuthClient('useAuthFetch');
  const active = useAccount();
  const account = options.account ?? active ?? undefined;
  // Keyed by value (the core's request key): equal scopes and origins arrays keep the same fetch function.
  const key = requestKey({ scopes });
  const originsKey = options.allowedOrigins?.join(' ');
  const latestScopes = useRef(scopes);
  latestScopes.current = scopes;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the scopes' value (read through the ref), `originsKey` for the origins'.
  return useMemo(
    () =>
      createAuthFetch(client, {
        scopes: [...latestScopes.current],
        ...(account && { account }),
        ...(options.scheme && { scheme: options.scheme }),
        ...(options.fetch && { fetch: options.fetch }),
        ...(originsKey !== undefined && { allowedOrigins: originsKey.split(' ').filter(Boolean) }),
      }),
    [client, key, account, options.scheme, options.fetch, originsKey],
  );
}
