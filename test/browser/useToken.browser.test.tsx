// useToken in real Chromium under StrictMode over a real client whose cache holds a token.
import { act, Component, type ReactNode, StrictMode, Suspense, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { PublicClientApplication } from '../../src/index.js';
import { SerializableTokenCache } from '../../src/cache/index.js';
import { type AuthEvent, AuthProvider, useAuthEvents, useToken, useTokenSuspense } from '../../src/react/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
afterEach(() => act(() => root?.unmount()));

async function clientWithToken(): Promise<{ app: PublicClientApplication; calls: string[][] }> {
  const now = Math.floor(Date.now() / 1000);
  const cache = new SerializableTokenCache();
  await cache.apply({
    set: {
      Account: {
        'ann-127.0.0.1:9-': {
          home_account_id: 'ann',
          environment: '127.0.0.1:9',
          realm: '',
          local_account_id: 'ann',
          username: 'ann@example.test',
          authority_type: 'Generic',
        },
      },
      AccessToken: {
        'ann-127.0.0.1:9-accesstoken-spa--api://demo/read': {
          credential_type: 'AccessToken',
          secret: 'cached-token',
          home_account_id: 'ann',
          environment: '127.0.0.1:9',
          client_id: 'spa',
          realm: '',
          target: 'api://demo/read',
          cached_at: String(now),
          expires_on: String(now + 3600),
          extended_expires_on: String(now + 3600),
          token_type: 'Bearer',
        },
      },
    },
  });
  // The metadata the client would fetch, served from its httpCache (no provider needed for a cache hit).
  const httpCache = new Map<string, unknown>();
  httpCache.set('keyward.metadata|http://127.0.0.1:9/.well-known/openid-configuration', {
    expiresAt: Date.now() + 60_000,
    storedAt: Date.now(),
    body: {
      issuer: 'http://127.0.0.1:9',
      authorization_endpoint: 'http://127.0.0.1:9/auth',
      token_endpoint: 'http://127.0.0.1:9/token',
      jwks_uri: 'http://127.0.0.1:9/jwks',
    },
  });
  const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9', tokenCache: cache, httpCache });
  const calls: string[][] = [];
  const silent = app.acquireTokenSilent.bind(app);
  app.acquireTokenSilent = (scopes, account, options) => {
    calls.push([...scopes]);
    return silent(scopes, account, options);
  };
  return { app, calls };
}

describe('useToken', () => {
  it('returns the cached token; a new-but-equal scopes array each render makes no new request; the result keeps its identity', async () => {
    const { app, calls } = await clientWithToken();
    const results = new Set<unknown>();
    let rerender: () => void = () => {};
    function Consumer() {
      const [, setTick] = useState(0);
      rerender = () => setTick((t) => t + 1);
      const token = useToken(['api://demo/read']); // a new array on every render
      results.add(token);
      return (
        <p data-testid="token">
          {token.status}:{token.token}
        </p>
      );
    }
    const host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    act(() =>
      root!.render(
        <StrictMode>
          <AuthProvider client={app}>
            <Consumer />
          </AuthProvider>
        </StrictMode>,
      ),
    );
    await expect.poll(() => host.textContent).toBe('success:cached-token');
    const requests = calls.length;
    const identities = results.size;
    act(() => rerender());
    act(() => rerender());
    expect(calls.length).toBe(requests);
    expect(results.size).toBe(identities);
    expect(host.textContent).toBe('success:cached-token');
  });

  it('reports an error state (interaction required) when nobody is signed in, and unmounting mid-request leaves no update behind', async () => {
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9', tokenCache: new SerializableTokenCache() });
    function Consumer() {
      const token = useToken(['api://demo/read']);
      return (
        <p>
          {token.status}:{token.error?.name ?? ''}
        </p>
      );
    }
    const host = document.createElement('div');
    root = createRoot(host);
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      act(() =>
        root!.render(
          <StrictMode>
            <AuthProvider client={app}>
              <Consumer />
            </AuthProvider>
          </StrictMode>,
        ),
      );
      await expect.poll(() => host.textContent).toBe('error:InteractionRequiredError');
      act(() => root!.unmount());
      root = undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      console.error = originalError;
    }
    // Only act() bookkeeping may be logged (async updates in a test); no error about the unmounted tree.
    const messages = errors.map((e) => String((e as unknown[])[0]));
    expect(messages.filter((message) => !message.includes('not wrapped in act'))).toEqual([]);
  });
});

class Boundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    return this.state.error ? <p>boundary:{this.state.error.name}</p> : this.props.children;
  }
}

describe('useTokenSuspense and useAuthEvents', () => {
  it('suspends until the token is there, then renders it', async () => {
    const { app } = await clientWithToken();
    await app.initialize();
    function Consumer() {
      const { token } = useTokenSuspense(['api://demo/read']);
      return <p>token:{token}</p>;
    }
    const host = document.createElement('div');
    root = createRoot(host);
    act(() =>
      root!.render(
        <StrictMode>
          <AuthProvider client={app}>
            <Suspense fallback={<p>waiting</p>}>
              <Consumer />
            </Suspense>
          </AuthProvider>
        </StrictMode>,
      ),
    );
    await expect.poll(() => host.textContent).toBe('token:cached-token');
  });

  it('throws to the error boundary when nobody is signed in', async () => {
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9', tokenCache: new SerializableTokenCache() });
    function Consumer() {
      useTokenSuspense(['api://demo/read']);
      return <p>never</p>;
    }
    const host = document.createElement('div');
    root = createRoot(host);
    const originalError = console.error;
    console.error = () => undefined; // React logs caught boundary errors
    try {
      act(() =>
        root!.render(
          <AuthProvider client={app}>
            <Boundary>
              <Suspense fallback={<p>waiting</p>}>
                <Consumer />
              </Suspense>
            </Boundary>
          </AuthProvider>,
        ),
      );
      await expect.poll(() => host.textContent).toBe('boundary:InteractionRequiredError');
    } finally {
      console.error = originalError;
    }
  });

  it('useAuthEvents reports account changes and sign-out', async () => {
    const cache = new SerializableTokenCache();
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9', tokenCache: cache });
    const events: AuthEvent['type'][] = [];
    function Listener() {
      useAuthEvents((event) => events.push(event.type));
      return null;
    }
    const host = document.createElement('div');
    root = createRoot(host);
    act(() =>
      root!.render(
        <StrictMode>
          <AuthProvider client={app}>
            <Listener />
          </AuthProvider>
        </StrictMode>,
      ),
    );
    await expect.poll(() => app.getSnapshot().status).toBe('idle');
    await act(() =>
      cache.apply({
        set: {
          Account: {
            'ann-127.0.0.1:9-': {
              home_account_id: 'ann',
              environment: '127.0.0.1:9',
              realm: '',
              local_account_id: 'ann',
              username: 'ann@example.test',
              authority_type: 'Generic',
            },
          },
        },
      }),
    );
    await act(() => app.logout({ interaction: 'none' }));
    expect(events).toEqual(['accountsChanged', 'signOut', 'accountsChanged']);
  });
});
