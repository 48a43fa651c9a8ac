import { type ComponentType, type ReactNode, useEffect, useRef } from 'react';
import { useAuthClient } from './authContext.js';
import { type AccountFilter, useAccount } from './useAccount.js';
import { useAuthSnapshot } from './useAuthSnapshot.js';
import { retryAuth, useRetryCount } from './retrySignal.js';

/** Props of {@link RequireAuth}; the {@link AccountFilter} fields choose which account counts. */
export interface RequireAuthProps extends AccountFilter {
  /** How to sign in when nobody is: default `redirect` (a popup needs a click to get past popup blockers). */
  interaction?: 'redirect' | 'popup';
  /** Scopes to consent to during that sign-in. Default none (only `openid profile offline_access`). */
  scopes?: readonly string[];
  /** Shown while initializing and while signing in. */
  loading?: ReactNode;
  /**
   * Try a silent sign-in through a hidden iframe (`ssoSilent`, `prompt=none`) first, and only
   * when the provider needs the person start the interactive one. `loading` shows meanwhile,
   * never the signed-out content. Default false.
   */
  silentFirst?: boolean;
  /**
   * Shown when initialization or sign-in failed; a function also gets `retry`, which starts
   * over. Default: a plain message with a "Try again" button ({@link DefaultAuthError}).
   */
  error?: ReactNode | ((error: Error, retry: () => void) => ReactNode);
  /** Rendered once an account (matching the filter) is signed in. */
  children?: ReactNode;
}

/**
 * Renders its children once someone is signed in; otherwise starts one sign-in (once, even
 * under StrictMode, and once more per `retry`) and shows `loading`, or `error` if it failed.
 */
export function RequireAuth({
  interaction = 'redirect',
  scopes = [],
  loading = null,
  error: renderError,
  silentFirst = false,
  children,
  ...filter
}: RequireAuthProps): ReactNode {
  const client = useAuthClient('RequireAuth');
  const { status, error } = useAuthSnapshot(client);
  const account = useAccount(filter);
  const retries = useRetryCount(client);
  // The retry count this guard last started a sign-in for: one sign-in per attempt.
  const startedFor = useRef<number | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scopes, interaction and silentFirst are read once, when the single sign-in starts; only these decide whether to start.
  useEffect(() => {
    if (account || status !== 'idle' || startedFor.current === retries) return;
    startedFor.current = retries;
    const interactive = (): Promise<unknown> => client.acquireTokenInteractive({ scopes, interaction });
    // A silent failure of any kind (interaction required, timeout, a framing refusal) falls through
    // to the interactive sign-in; a failure of that lands in the snapshot's `error` (the core records it).
    const first = silentFirst && client.ssoSilent ? client.ssoSilent({ scopes }).catch(interactive) : interactive();
    first.catch(() => {});
  }, [account, status, client, retries]);
  if (account) return children;
  if (error && status !== 'interacting') {
    const retry = () => void retryAuth(client).catch(() => {});
    if (renderError === undefined) return <DefaultAuthError error={error} onRetry={retry} />;
    return typeof renderError === 'function' ? renderError(error, retry) : renderError;
  }
  return loading;
}

/** `RequireAuth`'s default error: what failed, and a button that tries again. Unstyled, for any app. */
export function DefaultAuthError({ error, onRetry }: { error: Error; onRetry: () => void }): ReactNode {
  const code = (error as { errorCode?: unknown }).errorCode;
  return (
    <div role="alert" data-keyward-error={typeof code === 'string' ? code : undefined}>
      <p>Sign-in failed: {error.message}</p>
      <button type="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
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
