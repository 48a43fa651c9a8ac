// keyward/testing in real Chromium: createTestClient behind <AuthProvider> under <StrictMode>,
// driven the way an app's own component tests would drive it.
import { StrictMode, useState } from 'react';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { BrowserError, ErrorCode, InteractionRequiredError, KeywardError } from '../../src/index.js';
import { type AuthEvent, AuthProvider, Authenticated, Unauthenticated, useAuth, useAuthEvents, useToken } from '../../src/react/index.js';
import { createTestClient, testAccount, type TestClient } from '../../src/testing/index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
let host: HTMLElement | undefined;
afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
});

function mount(client: TestClient, node: React.ReactNode = <App />): HTMLElement {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  act(() =>
    root!.render(
      <StrictMode>
        <AuthProvider client={client}>{node}</AuthProvider>
      </StrictMode>,
    ),
  );
  return host;
}

/** A small app: who is signed in, a popup sign-in button, the error it shows, a sign-out button. */
function App() {
  const { status, activeAccount, signIn, signOut } = useAuth();
  const [error, setError] = useState<string>('');
  const [token, setToken] = useState<string>('');
  return (
    <>
      <p data-testid="who">
        {status}:{activeAccount?.username ?? 'nobody'}
      </p>
      <Authenticated>
        <button type="button" data-testid="sign-out" onClick={() => void signOut({ interaction: 'none' })}>
          Sign out
        </button>
      </Authenticated>
      <Unauthenticated>
        <button
          type="button"
          data-testid="sign-in"
          onClick={() => {
            setError('');
            signIn({ interaction: 'popup', scopes: ['User.Read'] }).then(
              (result) => setToken(result.accessToken),
              (e: unknown) => setError(e instanceof KeywardError ? e.errorCode : String(e)),
            );
          }}
        >
          Sign in
        </button>
      </Unauthenticated>
      <p data-testid="error">{error}</p>
      <p data-testid="token">{token}</p>
    </>
  );
}

const text = (view: HTMLElement, id: string) => () => view.querySelector(`[data-testid=${id}]`)?.textContent;
const click = (view: HTMLElement, id: string) => act(() => (view.querySelector(`[data-testid=${id}]`) as HTMLButtonElement).click());
/** Lets time pass inside act(), so the test client's timers update React without act() warnings. */
const pass = (ms: number) => act(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));
/** Waits (up to 2 s) for an element's text, all the waiting inside act(): no timer fires outside it. */
async function until(view: HTMLElement, id: string, expected: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (text(view, id)() !== expected && Date.now() < deadline) await pass(10);
  expect(text(view, id)()).toBe(expected);
}

describe('createTestClient behind <AuthProvider>', () => {
  it('signed out: initializes once, then shows the unauthenticated branch', async () => {
    const client = createTestClient();
    const view = mount(client);
    expect(text(view, 'who')()).toBe('initializing:nobody');
    await until(view, 'who', 'idle:nobody');
    expect(view.querySelector('[data-testid=sign-in]')).not.toBeNull();
    expect(view.querySelector('[data-testid=sign-out]')).toBeNull();
    expect(client.calls.some((c) => c.method === 'initialize')).toBe(true); // StrictMode may call it twice…
    expect(client.initialize()).toBe(client.initialize()); // …and, as the real client's, it is memoized
  });

  it('stays initializing for initializeDelayMs, with the accounts loaded only then', async () => {
    const client = createTestClient({ accounts: [{ username: 'ann@contoso.test' }], initializeDelayMs: 300 });
    const view = mount(client);
    await pass(150);
    expect(text(view, 'who')()).toBe('initializing:nobody');
    await pass(200); // the 300 ms timer was set at mount, before these
    expect(text(view, 'who')()).toBe('idle:ann@contoso.test');
  });

  it('signed in: the account has sensible defaults, tokens come from `tokens`, the snapshot keeps its identity', async () => {
    const client = createTestClient({
      accounts: [{ username: 'ann.lee@contoso.test' }, { username: 'bo@contoso.test', name: 'Bo' }],
      tokens: { 'User.Read': 'ann-graph-token', 'api://orders/read api://orders/write': { accessToken: 'orders-token', tokenType: 'DPoP' } },
    });
    const view = mount(client);
    await until(view, 'who', 'idle:ann.lee@contoso.test');
    expect(view.querySelector('[data-testid=sign-out]')).not.toBeNull();

    const snapshot = client.getSnapshot();
    const [ann, bo] = snapshot.accounts;
    expect(ann).toMatchObject({
      homeAccountId: 'ann.lee@contoso.test',
      localAccountId: 'ann.lee@contoso.test',
      environment: 'test.keyward',
      tenantId: '',
      name: 'Ann Lee',
      authorityType: 'Generic',
    });
    expect(ann!.idTokenClaims).toMatchObject({ preferred_username: 'ann.lee@contoso.test', sub: 'ann.lee@contoso.test', name: 'Ann Lee' });
    expect(bo!.name).toBe('Bo');
    expect(client.getSnapshot()).toBe(snapshot);
    client.setActiveAccount(ann!); // already the active one: nothing changes, same snapshot
    expect(client.getSnapshot()).toBe(snapshot);

    const graph = await client.acquireTokenSilent(['user.read'], ann!);
    expect(graph).toMatchObject({ accessToken: 'ann-graph-token', tokenType: 'Bearer', scopes: ['User.Read'], fromCache: true, account: ann });
    expect(graph!.expiresOn.getTime()).toBeGreaterThan(Date.now());
    // Served by the entry that covers the requested scopes, with its fields.
    expect(await client.acquireTokenSilent(['api://orders/read'], bo!)).toMatchObject({ accessToken: 'orders-token', tokenType: 'DPoP', account: bo });
    expect(await client.acquireTokenSilent(['Mail.Read'], ann!)).toBeNull(); // nothing configured for it
    expect(await client.acquireTokenSilent(['User.Read'], testAccount('stranger@contoso.test'))).toBeNull(); // not signed in
    expect(await client.getAccounts('BO@contoso.test')).toEqual([bo]);

    await act(() => client.setActiveAccount(bo!));
    expect(text(view, 'who')()).toBe('idle:bo@contoso.test');
    expect(client.calls.map((c) => c.method)).toEqual(expect.arrayContaining(['initialize', 'setActiveAccount', 'acquireTokenSilent', 'getAccounts']));
    expect(client.calls).toContainEqual({ method: 'acquireTokenSilent', args: [['Mail.Read'], ann] });
  });

  it('sign-in via a popup that succeeds: interacting while it runs, then signed in as signInAs', async () => {
    const client = createTestClient({ signInAs: { username: 'cy@contoso.test' }, tokenDelayMs: 200 });
    const view = mount(client);
    await until(view, 'who', 'idle:nobody');
    click(view, 'sign-in');
    expect(text(view, 'who')()).toBe('interacting:nobody');
    await until(view, 'who', 'idle:cy@contoso.test');
    expect(text(view, 'token')()).toBe('test-access-token.cy@contoso.test.User.Read');
    expect(client.calls).toContainEqual({ method: 'acquireTokenInteractive', args: [{ interaction: 'popup', scopes: ['User.Read'] }] });

    // Sign-out through the app, then a sign-in from "another tab" through the helper.
    click(view, 'sign-out');
    await until(view, 'who', 'idle:nobody');
    expect(client.calls.at(-1)).toMatchObject({ method: 'logout', args: [{ interaction: 'none', account: { username: 'cy@contoso.test' } }] });
    await act(() => void client.signIn('dee@contoso.test'));
    expect(text(view, 'who')()).toBe('idle:dee@contoso.test');
    await act(() => client.signOut());
    expect(text(view, 'who')()).toBe('idle:nobody');
  });

  it('popup blocked: the app shows popup_window_error and nobody is signed in', async () => {
    const client = createTestClient({
      failures: { interactive: new BrowserError(ErrorCode.popupWindowError, 'The browser blocked the sign-in popup.') },
    });
    const view = mount(client);
    await until(view, 'who', 'idle:nobody');
    click(view, 'sign-in');
    await until(view, 'error', 'popup_window_error');
    expect(text(view, 'who')()).toBe('idle:nobody');
    expect(client.getSnapshot().accounts).toEqual([]);
  });

  it('silent failures throw the given error; interaction "never" stays interacting and refuses a second one', async () => {
    const client = createTestClient({
      accounts: [{ username: 'ann@contoso.test' }],
      failures: {
        silent: (scopes) => (scopes.includes('Mail.Read') ? new InteractionRequiredError(ErrorCode.interactionRequired, 'Consent needed.') : undefined),
      },
      interaction: 'never',
    });
    await client.initialize();
    const ann = client.getSnapshot().activeAccount!;
    await expect(client.acquireTokenSilent(['Mail.Read'], ann)).rejects.toMatchObject({ name: 'InteractionRequiredError', errorCode: 'interaction_required' });
    expect(await client.acquireTokenSilent(['User.Read'], ann)).toMatchObject({ accessToken: 'test-access-token.ann@contoso.test.User.Read' });

    void client.acquireTokenInteractive({ interaction: 'popup', scopes: [] });
    expect(client.getSnapshot().status).toBe('interacting');
    await expect(client.acquireTokenInteractive({ interaction: 'popup', scopes: [] })).rejects.toMatchObject({ errorCode: ErrorCode.interactionInProgress });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.getSnapshot().status).toBe('interacting');
  });

  it('interaction "fail" without an error given rejects with user_cancelled; a bad request is refused as the real client does', async () => {
    const client = createTestClient({ interaction: 'fail' });
    await expect(client.acquireTokenInteractive({ interaction: 'popup', scopes: [] })).rejects.toMatchObject({
      name: 'BrowserError',
      errorCode: ErrorCode.userCancelled,
    });
    expect(client.getSnapshot().status).toBe('initializing'); // interaction over; initialize() never called
    await expect(client.acquireTokenInteractive({ scopes: [] } as never)).rejects.toMatchObject({ errorCode: ErrorCode.invalidRequest });
    await expect(client.acquireTokenSilent(['User.Read'], undefined as never)).rejects.toMatchObject({ errorCode: ErrorCode.noAccount });
  });

  it('feeds useToken and useAuthEvents like the real client', async () => {
    const client = createTestClient({
      accounts: [{ username: 'ann@contoso.test' }],
      tokens: { 'User.Read': 'graph-token' },
      failures: { silent: (scopes) => (scopes.includes('Mail.Read') ? new InteractionRequiredError('consent_required', 'Consent needed.') : undefined) },
    });
    const events: AuthEvent['type'][] = [];
    function Tokens() {
      const graph = useToken(['User.Read']);
      const mail = useToken(['Mail.Read']);
      useAuthEvents((event) => events.push(event.type));
      return (
        <p data-testid="tokens">
          {graph.status}:{graph.token}|{mail.status}:{(mail.error as KeywardError | null)?.errorCode}
        </p>
      );
    }
    const view = mount(client, <Tokens />);
    await until(view, 'tokens', 'success:graph-token|error:consent_required');
    await act(() => client.logout({ interaction: 'none' }));
    expect(events).toEqual(expect.arrayContaining(['accountsChanged', 'error', 'signOut']));
    expect(events.at(-1)).toBe('accountsChanged'); // nobody left
  });
});
