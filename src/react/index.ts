/**
 * keyward for React: a thin layer over the core client, subscribed through
 * `useSyncExternalStore`. StrictMode- and SSR-safe.
 * @packageDocumentation
 */
export { AuthProvider } from './AuthProvider.js';
export type { AuthProviderProps } from './AuthProvider.js';
export { useAuth } from './useAuth.js';
export type { SignInOptions, UseAuthResult } from './useAuth.js';
export { useAccount, useIsAuthenticated } from './useAccount.js';
export type { AccountFilter } from './useAccount.js';
export { Authenticated, Unauthenticated } from './guards.js';
export { DefaultAuthError, RequireAuth, withRequireAuth } from './RequireAuth.js';
export type { RequireAuthProps } from './RequireAuth.js';
export { useToken } from './useToken.js';
export { useSession } from './useSession.js';
export type { UseSessionResult } from './useSession.js';
export type { UseTokenResult } from './useToken.js';
export type { TokenRequestOptions, TokenState } from '../types.js';
export { useAuthFetch } from './useAuthFetch.js';
export { useTokenSuspense } from './useTokenSuspense.js';
export { useAuthEvents } from './useAuthEvents.js';
export type { AuthEvent } from '../types.js';
export type { GuardProps } from './guards.js';
