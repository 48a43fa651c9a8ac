import { type ComponentType, type ReactNode, useEffect, useRef, useState } from 'react';
import { useAuthClient } from './authContext.js';
import { type AccountFilter, useAccount } from './useAccount.js';
import { useAuthSnapshot } from './useAuthSnapshot.js';

/** Props of {@link RequireAuth}; the {@link AccountFilter} fields choose which account counts. */
export interface RequireAuthProps extends AccountFilter {
  /** How to sign in when nobody is: default `redirect` (a popup needs a click to get past popup blockers). */
  interaction?: 'redirect' | 'popup';
  /** Scopes to consent to during that sign-in. Default none (only `openid profile offline_access`). */
  scopes?: string[];
  /** Shown while initializing and while signing in. */
  loading?: ReactNode;
  /**
   * Try a silent sign-in through a hidden iframe (`ssoSilent`, `prompt=none`) first, and only
   * when the provider needs the person start the interactive one. `loading` shows meanwhile,
   * never the signed-out content. Default false.
   */
  silentFirst?: boolean;
  /** Shown when sign-in failed. */
  error?: ReactNode | ((error: Error) => ReactNode);
  /** Rendered once an account (matching the filter) is signed in. */
  children?: ReactNode;
}

/**
 * Renders its children once someone is signed in; otherwise starts one sign-in (once, even
 * under StrictMode) and shows `loading`, or `error` if it failed.
 */
export function RequireAuth({
  interaction = 'redirect',
  scopes = [],
  loading = null,
  error: renderError = null,
  silentFirst = false,
  children,
  ...filter
}: RequireAuthProps): ReactNode {
  const client = useAuthClient('RequireAuth');
  const { status } = useAuthSnapshot(client);
  const account = useAccount(filter);
  const started = useRef(false);
  const [failure, setFailure] = useState<Error | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scopes, interaction and silentFirst are read once, when the single sign-in starts; only these decide whether to start.
  useEffect(() => {
    if (account || status !== 'idle' || started.current) return;
    started.current = true;
    const interactive = (): Promise<unknown> => client.acquireTokenInteractive({ scopes, interaction });
    // A silent failure of any kind (interaction required, timeout, a framing refusal) falls through to the interactive sign-in.
    const first = silentFirst && client.ssoSilent ? client.ssoSilent({ scopes }).catch(interactive) : interactive();
    first.catch((error: Error) => setFailure(error));
  }, [account, status, client]);
  if (account) return children;
  if (failure) return typeof renderError === 'function' ? renderError(failure) : renderError;
  return loading;
}

/** `RequireAuth` around a component. */
export function withRequireAuth<P extends object>(Component: ComponentType<P>, options: Omit<RequireAuthProps, 'children'> = {}): ComponentType<P> {
  const Guarded = (props: P): ReactNode => (
    <RequireAuth {...options}>
      <Component {...props} />
    </RequireAuth>
  );
  Guarded.displayName = `withRequireAuth(${Component.displayName ?? Component.name ?? 'Component'})`;
  return Guarded;
}
