import { InteractionRequiredError, ErrorCode } from '../errors.js';
import { useAuthClient } from './authContext.js';
import { useAccount } from './useAccount.js';
import type { AuthClient, AuthenticationResult, TokenRequestOptions } from '../types.js';

interface Entry {
  promise: Promise<void>;
  result?: AuthenticationResult;
  error?: unknown;
}

/** Suspense needs a promise that outlives the suspended render: kept per client and request. */
const entries = new WeakMap<AuthClient, Map<string, Entry>>();
const renewBeforeMs = 5 * 60 * 1000;

/**
 * `useToken` for `<Suspense>`: suspends until the token is there, throws to the nearest error
 * boundary when it cannot be had (React 18 and 19).
 */
export function useTokenSuspense(scopes: readonly string[], options: Omit<TokenRequestOptions, 'enabled' | 'interaction'> = {}): { token: string; result: AuthenticationResult } {
  const client = useAuthClient('useTokenSuspense');
  const active = useAccount();
  const account = options.account === undefined ? active : options.account;
  if (!account) throw new InteractionRequiredError(ErrorCode.noAccount, 'Nobody is signed in: sign in to get a token.');
  const key = JSON.stringify([[...scopes].sort(), account.homeAccountId, account.environment, options.forceRefresh ?? false, options.claimsChallenge ?? null, options.authScheme ?? null]);
  let byKey = entries.get(client);
  if (!byKey) entries.set(client, (byKey = new Map()));
  let entry = byKey.get(key);
  const stale = entry?.result !== undefined && entry.result.expiresOn.getTime() - Date.now() < renewBeforeMs;
  if (!entry || stale) {
    const created: Entry = { promise: Promise.resolve() };
    created.promise = client
      .acquireTokenSilent([...scopes], account, {
        ...(options.forceRefresh && { forceRefresh: true }),
        ...(options.claimsChallenge !== undefined && { claimsChallenge: options.claimsChallenge }),
        ...(options.authScheme !== undefined && { authScheme: options.authScheme }),
      })
      .then(
        (result) => {
          if (result) created.result = result;
          else created.error = new InteractionRequiredError(ErrorCode.noTokensFound, 'No token is cached for this account: sign in again.');
        },
        (error: unknown) => {
          created.error = error;
        },
      );
    byKey.set(key, created);
    entry = created;
  }
  if (entry.error !== undefined) {
    byKey.delete(key); // the next render (after the boundary resets) asks again
    throw entry.error;
  }
  if (!entry.result) throw entry.promise;
  return { token: entry.result.accessToken, result: entry.result };
}
