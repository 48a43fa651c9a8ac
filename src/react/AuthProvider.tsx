import { type ReactNode, useEffect, useState } from 'react';
import { PublicClientApplication } from '../client/PublicClientApplication.js';
import type { PublicClientApplicationOptions } from '../client/options.js';
import { AuthContext } from './authContext.js';
import type { AuthClient } from '../types.js';

export type AuthProviderProps =
  | { client: AuthClient; config?: never; children?: ReactNode; onInitializeError?: (error: unknown) => void }
  | { config: PublicClientApplicationOptions; client?: never; children?: ReactNode; onInitializeError?: (error: unknown) => void };

/**
 * Provides a keyward client to the tree and initializes it once: the cache is loaded and a
 * redirect response handled exactly once even under StrictMode's double effects (the core
 * memoizes `initialize()`). Children render at once, with `status: 'initializing'`; nothing
 * here touches `window` during server rendering (constructing a client does no I/O).
 */
export function AuthProvider(props: AuthProviderProps): ReactNode {
  const [client] = useState<AuthClient>(() => props.client ?? new PublicClientApplication(props.config!));
  const { onInitializeError } = props;
  useEffect(() => {
    client.initialize().catch((error: unknown) => onInitializeError?.(error));
  }, [client, onInitializeError]);
  return <AuthContext.Provider value={client}>{props.children}</AuthContext.Provider>;
}
