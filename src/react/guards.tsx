import type { ReactNode } from 'react';
import { type AccountFilter, useAccount } from './useAccount.js';

export interface GuardProps extends AccountFilter {
  children?: ReactNode;
}

/** Renders its children only while someone (matching the filter, if given) is signed in. */
export function Authenticated({ children, ...filter }: GuardProps): ReactNode {
  return useAccount(filter) ? children : null;
}

/** Renders its children only while nobody (matching the filter, if given) is signed in. */
export function Unauthenticated({ children, ...filter }: GuardProps): ReactNode {
  return useAccount(filter) ? null : children;
}
