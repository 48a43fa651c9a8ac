import { type ReactNode, useEffect, useState } from 'react';
import { PublicClientApplication } from '../client/PublicClientApplication.js';
import type { PublicClientApplicationOptions } from '../client/options.js';
import { AuthContext } from './authContext.js';
import type { AuthClient } from '../types.js';

/**
 * Props of {@link AuthProvider}: either a `client` you constructed, or the `config` to
 * construct one with (once, on first render).
 */
export type AuthProviderProps =
  | {
      /** A client constructed outside React (module scope), e.g. to use it in a router loader too. */
      client: AuthClient;
      /** Not with `client`. */
      config?: never;
      /** The app; it renders at once, with `status: 'initializing'`. */
      children?: ReactNode;
      /** Called when `initialize()` rejects (a redirect response that failed, e.g. `state_mismatch` or `access_denied`); the client stays usable. */
      onInitializeError?: (error: unknown) => void;
    }
  | {
      /** Options for the `PublicClientApplication` the provider constructs on its first render (later changes are ignored). */
      config: PublicClientApplicationOptions;
      /** Not with `config`. */
      client?: never;
      /** The app; it renders at once, with `status: 'initializing'`. */
      children?: ReactNode;
      /** Called when `initialize()` rejects (a redirect response that failed, e.g. `state_mismatch` or `access_denied`); the client stays usable. */
      onInitializeError?: (error: unknown) => void;
    };

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
