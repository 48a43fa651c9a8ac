import { createContext, useContext } from 'react';
import { ConfigurationError, ErrorCode } from '../errors.js';
import type { AuthClient } from '../types.js';

/** The client of the nearest `<AuthProvider>`. */
export const AuthContext = createContext<AuthClient | null>(null);

/** The client of the nearest `<AuthProvider>`; throws a clear error outside one. */
export function useAuthClient(hook: string): AuthClient {
  const client = useContext(AuthContext);
  if (!client)
    throw new ConfigurationError(
      ErrorCode.noAuthProvider,
      `keyward: ${hook} must be used inside <AuthProvider>. Wrap your app (or this component's story/test) in <AuthProvider client={…}>.`,
    );
  return client;
}
