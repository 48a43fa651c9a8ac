import type { ReactNode } from 'react';
import { type AccountFilter, useAccount } from './useAccount.js';

/** Props of {@link Authenticated} and {@link Unauthenticated}; the {@link AccountFilter} fields choose which account counts. */
export interface GuardProps extends AccountFilter {
  /** Rendered while the condition holds; nothing otherwise. */
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
