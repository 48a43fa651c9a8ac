import type { ReactNode } from 'react';
import { type AccountFilter, useAccount } from './useAccount.js';
import { useAuthClient } from './authContext.js';
import { useAuthSnapshot } from './useAuthSnapshot.js';

/** Props of {@link Authenticated} and {@link Unauthenticated}; the {@link AccountFilter} fields choose which account counts. */
export interface GuardProps extends AccountFilter {
  /** Rendered while the condition holds; nothing otherwise. */
  children?: ReactNode;
  /**
   * Shown while the client is initializing (loading its cache, handling a redirect response),
   * when nobody can yet say whether someone is signed in. Default: nothing.
   */
  loading?: ReactNode;
}

/**
 * Renders its children only while someone (matching the filter, if given) is signed in;
 * `loading` (default nothing) while initializing.
 */
export function Authenticated({ children, loading = null, ...filter }: GuardProps): ReactNode {
  const initializing = useAuthSnapshot(useAuthClient('Authenticated')).status === 'initializing';
  const account = useAccount(filter);
  if (initializing) return loading;
  return account ? children : null;
}

/**
 * Renders its children only while nobody (matching the filter, if given) is signed in;
 * `loading` (default nothing) while initializing, so a signed-in person never sees the
 * signed-out content flash on a page load (as msal-react's `UnauthenticatedTemplate`).
 */
export function Unauthenticated({ children, loading = null, ...filter }: GuardProps): ReactNode {
  const initializing = useAuthSnapshot(useAuthClient('Unauthenticated')).status === 'initializing';
  const account = useAccount(filter);
  if (initializing) return loading;
  return account ? null : children;
}
