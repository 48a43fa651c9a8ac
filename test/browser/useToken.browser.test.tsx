// useToken in real Chromium under StrictMode over a real client whose cache holds a token.
import { act, StrictMode, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { PublicClientApplication, SerializableTokenCache } from '../../src/index.js';
import { AuthProvider, useToken } from '../../src/react/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
afterEach(() => act(() => root?.unmount()));

async function clientWithToken(): Promise<{ app: PublicClientApplication; calls: string[][] }> {
  const now = Math.floor(Date.now() / 1000);
  const cache = new SerializableTokenCache();
  await cache.apply({
    set: {
      Account: { 'ann-127.0.0.1:9-': { home_account_id: 'ann', environment: '127.0.0.1:9', realm: '', local_account_id: 'ann', username: 'ann@example.test', authority_type: 'Generic' } },
      AccessToken: {
        'ann-127.0.0.1:9-accesstoken-spa--api://demo/read': {
          credential_type: 'AccessToken', secret: 'cached-token', home_account_id: 'ann', environment: '127.0.0.1:9', client_id: 'spa', realm: '',
          target: 'api://demo/read', cached_at: String(now), expires_on: String(now + 3600), extended_expires_on: String(now + 3600), token_type: 'Bearer',
        },
      },
    },
  });
  // The metadata the client would fetch, served from its httpCache (no provider needed for a cache hit).
  const httpCache = new Map<string, unknown>();
  httpCache.set('keyward.metadata|http://127.0.0.1:9/.well-known/openid-configuration', {
    expiresAt: Date.now() + 60_000,
    body: { issuer: 'http://127.0.0.1:9', authorization_endpoint: 'http://127.0.0.1:9/auth', token_endpoint: 'http://127.0.0.1:9/token', jwks_uri: 'http://127.0.0.1:9/jwks' },
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
      return <p data-testid="token">{token.status}:{token.token}</p>;
    }
    const host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
    act(() => root!.render(<StrictMode><AuthProvider client={app}><Consumer /></AuthProvider></StrictMode>));
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
      return <p>{token.status}:{token.error?.name ?? ''}</p>;
    }
    const host = document.createElement('div');
    root = createRoot(host);
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      act(() => root!.render(<StrictMode><AuthProvider client={app}><Consumer /></AuthProvider></StrictMode>));
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
