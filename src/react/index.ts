/**
 * keyward for React: a thin layer over the core client, subscribed through
 * `useSyncExternalStore`. StrictMode- and SSR-safe.
 * @packageDocumentation
 */
export { AuthProvider } from './AuthProvider.js';
export type { AuthProviderProps } from './AuthProvider.js';
export { useAuth } from './useAuth.js';
export type { UseAuthResult } from './useAuth.js';
export { useAccount, useIsAuthenticated } from './useAccount.js';
export type { AccountFilter } from './useAccount.js';
export { Authenticated, Unauthenticated } from './guards.js';
export type { GuardProps } from './guards.js';
