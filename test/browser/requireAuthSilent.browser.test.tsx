// RequireAuth's silentFirst and useSession in real Chromium under <StrictMode>, over the
// test client (whose ssoSilent the test provides: the hidden iframe itself is covered by
// test/e2e/ssoSilent.e2e.test.ts against the real provider).
import { act, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { InteractionRequiredError, type SsoSilentRequest } from '../../src/index.js';
import { AuthProvider, RequireAuth, Unauthenticated, useSession } from '../../src/react/index.js';
import { createTestClient } from '../../src/testing/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

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

describe('RequireAuth silentFirst', () => {
  it('signs in silently without an interactive sign-in, showing loading (never the children) meanwhile', async () => {
    const client = createTestClient({ interaction: 'fail' });
    const silentCalls: SsoSilentRequest[] = [];
    let finish: () => void = () => {};
    client.ssoSilent = (request) => {
      silentCalls.push(request);
      return new Promise((resolve) => {
        finish = () => {
          client.signIn('silent@example.test');
          resolve({} as never);
        };
      });
    };
    const view = mount(
      <AuthProvider client={client}>
        <RequireAuth silentFirst scopes={['api://demo/read']} loading={<p>loading</p>}>
          <p>secret</p>
        </RequireAuth>
      </AuthProvider>,
    );
    await expect.poll(() => silentCalls.length).toBe(1);
    expect(view.textContent).toBe('loading');
    await act(async () => finish());
    await expect.poll(() => view.textContent).toBe('secret');
    // Once, under StrictMode, and no interactive sign-in.
    expect(silentCalls).toHaveLength(1);
    expect(client.calls.filter((c) => c.method === 'acquireTokenInteractive')).toEqual([]);
  });

  it('falls through to the interactive sign-in when the provider needs the person', async () => {
    const client = createTestClient({ interaction: 'succeed', signInAs: 'person@example.test' });
    client.ssoSilent = () => Promise.reject(new InteractionRequiredError('login_required', 'no session'));
    const view = mount(
      <AuthProvider client={client}>
        <RequireAuth silentFirst interaction="popup" loading={<p>loading</p>}>
          <p>secret</p>
        </RequireAuth>
      </AuthProvider>,
    );
    await expect.poll(() => view.textContent).toBe('secret');
    expect(client.calls.filter((c) => c.method === 'acquireTokenInteractive')).toHaveLength(1);
  });
});

describe('useSession', () => {
  it('gives the account session deadline and re-renders when it changes', async () => {
    const client = createTestClient();
    function Deadline() {
      const { expiresOn } = useSession();
      return <p>{expiresOn ? expiresOn.toISOString() : 'none'}</p>;
    }
    const view = mount(
      <AuthProvider client={client}>
        <Deadline />
        <Unauthenticated>
          <p>signed out</p>
        </Unauthenticated>
      </AuthProvider>,
    );
    await expect.poll(() => view.textContent).toBe('nonesigned out');
    const first = new Date('2030-01-01T00:00:00.000Z');
    await act(async () => {
      client.signIn({ username: 'ann@example.test', sessionExpiresOn: first });
    });
    await expect.poll(() => view.textContent).toBe(first.toISOString());
    const later = new Date('2030-01-02T00:00:00.000Z');
    await act(async () => {
      client.signIn({ username: 'ann@example.test', sessionExpiresOn: later });
    });
    await expect.poll(() => view.textContent).toBe(later.toISOString());
  });
});
