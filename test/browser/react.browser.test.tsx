// The React layer in real Chromium under <StrictMode>, over a real client whose cache the test
// changes the way another tab's sign-in or sign-out would.
import { StrictMode, useEffect, useState } from 'react';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { PublicClientApplication } from '../../src/index.js';
import { type AccountEntity, SerializableTokenCache } from '../../src/cache/index.js';
import { AuthProvider, Authenticated, Unauthenticated, useAccount, useAuth, useIsAuthenticated } from '../../src/react/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const account = (name: string): AccountEntity => ({
  home_account_id: name,
  environment: '127.0.0.1:9',
  realm: '',
  local_account_id: name,
  username: `${name}@example.test`,
  authority_type: 'Generic',
});

let root: Root | undefined;
let host: HTMLElement | undefined;
afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
});

function mount(node: React.ReactNode): HTMLElement {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  act(() => root!.render(<StrictMode>{node}</StrictMode>));
  return host;
}

function Who() {
  const current = useAccount();
  const authenticated = useIsAuthenticated();
  const { status } = useAuth();
  return (
    <p data-testid="who">
      {status}:{authenticated ? current?.username : 'nobody'}
    </p>
  );
}

describe('AuthProvider and hooks', () => {
  it('initializes once under StrictMode, then follows sign-in and sign-out from elsewhere without reload', async () => {
    const cache = new SerializableTokenCache();
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9', tokenCache: cache });
    const initializations: Promise<void>[] = [];
    const initialize = app.initialize.bind(app);
    app.initialize = () => {
      const promise = initialize();
      initializations.push(promise);
      return promise;
    };
    const view = mount(
      <AuthProvider client={app}>
        <Who />
        <Authenticated>
          <span data-testid="in">members</span>
        </Authenticated>
        <Unauthenticated>
          <span data-testid="out">sign in</span>
        </Unauthenticated>
      </AuthProvider>,
    );
    await expect.poll(() => view.querySelector('[data-testid=who]')?.textContent).toBe('idle:nobody');
    expect(new Set(initializations).size).toBe(1); // StrictMode may call it twice; the work happens once
    expect(view.querySelector('[data-testid=out]')).not.toBeNull();

    await act(() => cache.apply({ set: { Account: { 'ann-127.0.0.1:9-': account('ann') } } }));
    await expect.poll(() => view.querySelector('[data-testid=who]')?.textContent).toBe('idle:ann@example.test');
    expect(view.querySelector('[data-testid=in]')).not.toBeNull();
    expect(view.querySelector('[data-testid=out]')).toBeNull();

    await act(() => cache.apply({ remove: { Account: ['ann-127.0.0.1:9-'] } }));
    await expect.poll(() => view.querySelector('[data-testid=who]')?.textContent).toBe('idle:nobody');
  });

  it('useAccount filters; setActiveAccount switches; useAuth keeps its identity across unrelated renders', async () => {
    const cache = new SerializableTokenCache();
    await cache.apply({ set: { Account: { 'ann-127.0.0.1:9-': account('ann'), 'bo-127.0.0.1:9-': account('bo') } } });
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9', tokenCache: cache });
    const seen = new Set<unknown>();
    let bump: () => void = () => {};
    function Probe() {
      const [, setTick] = useState(0);
      bump = () => setTick((t) => t + 1);
      const auth = useAuth();
      seen.add(auth);
      const bo = useAccount({ username: 'BO@example.test' });
      const nobody = useAccount({ homeAccountId: 'nobody' });
      useEffect(() => undefined);
      return (
        <p data-testid="probe">
          {auth.activeAccount?.username}|{bo?.username}|{String(nobody)}
        </p>
      );
    }
    const view = mount(
      <AuthProvider client={app}>
        <Probe />
      </AuthProvider>,
    );
    await expect.poll(() => view.querySelector('[data-testid=probe]')?.textContent).toBe('ann@example.test|bo@example.test|null');
    await expect.poll(() => app.getSnapshot().status).toBe('idle');
    const settled = seen.size;
    act(() => bump());
    act(() => bump());
    expect(seen.size).toBe(settled); // same object while auth state is unchanged

    act(() => app.setActiveAccount(app.getSnapshot().accounts[1]!));
    expect(view.querySelector('[data-testid=probe]')?.textContent).toBe('bo@example.test|bo@example.test|null');
  });

  it('a hook outside <AuthProvider> throws a clear error', () => {
    function Lonely() {
      useAccount();
      return null;
    }
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => {
      errors.push(event.error);
      event.preventDefault();
    };
    window.addEventListener('error', onError);
    try {
      expect(() => mount(<Lonely />)).toThrow(/useAccount must be used inside <AuthProvider>/);
    } finally {
      window.removeEventListener('error', onError);
    }
  });
});
