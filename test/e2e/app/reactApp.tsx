// The React side of the e2e page: keyward/react under <StrictMode> over the page's client.
import { StrictMode, useState } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import type { AuthClient } from '../../../src/index.js';
import { Authenticated, AuthProvider, RequireAuth, useAccount, useToken } from '../../../src/react/index.js';

export interface ReactAppConfig {
  mode: 'require' | 'tokens' | 'account';
  scopes: string[];
}

function Who() {
  const account = useAccount();
  return <p id="who">{account ? account.username : 'nobody'}</p>;
}

function TokenView({ scopes }: { scopes: string[] }) {
  const token = useToken(scopes);
  return <span className={`token ${token.status}`}>{token.status === 'success' ? token.token?.slice(-8) : token.status}</span>;
}

let showTokens: (count: number) => void = () => {};
function TokenGrid({ scopes }: { scopes: string[] }) {
  const [count, setCount] = useState(0);
  showTokens = setCount;
  return (
    <div id="tokens">
      {Array.from({ length: count }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: `count` identical consumers; the index is their identity.
        <TokenView key={i} scopes={[...scopes]} />
      ))}
    </div>
  );
}

export function mountReactApp(client: AuthClient, config: ReactAppConfig): { showTokens(count: number): void } {
  const host = document.createElement('div');
  host.id = 'react-root';
  document.body.append(host);
  const body =
    config.mode === 'require' ? (
      <RequireAuth interaction="redirect" scopes={config.scopes} loading={<p id="loading">signing in…</p>}>
        <Who />
      </RequireAuth>
    ) : config.mode === 'tokens' ? (
      <>
        <Who />
        <Authenticated>
          <TokenGrid scopes={config.scopes} />
        </Authenticated>
      </>
    ) : (
      <Who />
    );
  createRoot(host).render(
    <StrictMode>
      <AuthProvider client={client}>{body}</AuthProvider>
    </StrictMode>,
  );
  return { showTokens: (count) => showTokens(count) };
}

/** The tree rendered on the server (renderToString in Node) and hydrated in the page. */
export function SignInStatus() {
  return (
    <main id="ssr">
      <Who />
    </main>
  );
}

/** Hydrates server-rendered HTML with the page's client; the first client render matches the server's. */
export function hydrateServerHtml(client: AuthClient, html: string): void {
  const host = document.createElement('div');
  host.id = 'ssr-root';
  host.innerHTML = html;
  document.body.append(host);
  hydrateRoot(
    host,
    <StrictMode>
      <AuthProvider client={client}>
        <SignInStatus />
      </AuthProvider>
    </StrictMode>,
    {
      onRecoverableError: (error) => {
        const watched = window as unknown as { hydrationErrors?: unknown[] };
        watched.hydrationErrors ??= [];
        watched.hydrationErrors.push(String(error));
      },
    },
  );
}
