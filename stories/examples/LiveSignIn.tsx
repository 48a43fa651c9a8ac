import { useState } from 'react';
import { KeywardError } from '../../src/index.js';
import { Authenticated, Unauthenticated, useAccount, useAuth, useToken } from '../../src/react/index.js';
import { alert, button, card, muted, secondaryButton } from './styles.js';

const apiScopes = ['api://demo/read'];

function ApiToken() {
  const { status, result, error } = useToken(apiScopes);
  if (status === 'error')
    return (
      <p role="alert" style={alert}>
        No token for api://demo: {error instanceof KeywardError ? error.errorCode : error?.message}
      </p>
    );
  if (status !== 'success' || !result) return <span style={muted}>Getting a token for api://demo…</span>;
  return (
    <span style={muted} data-testid="api-token">
      Token for {result.scopes.join(' ')} ({result.fromCache ? 'cache' : 'provider'})
    </span>
  );
}

/** Sign-in against a real provider: the live story's component. */
export function LiveSignIn({ authority }: { authority: string }) {
  const { status, signIn, signOut } = useAuth();
  const account = useAccount();
  const [error, setError] = useState<string | null>(null);
  if (status === 'initializing')
    return (
      <section style={card} aria-busy="true">
        Checking your session…
      </section>
    );
  return (
    <section style={card}>
      <span style={muted}>Provider: {authority}</span>
      <Authenticated>
        <span>
          Signed in as <strong data-testid="who">{account?.username}</strong>
        </span>
        <span style={muted}>Subject {account?.idTokenClaims?.sub}</span>
        <ApiToken />
        <button type="button" style={secondaryButton} onClick={() => void signOut({ interaction: 'none' })}>
          Sign out
        </button>
      </Authenticated>
      <Unauthenticated>
        <button
          type="button"
          style={button}
          disabled={status === 'interacting'}
          onClick={() => {
            setError(null);
            signIn({ interaction: 'popup', scopes: apiScopes }).catch((e: unknown) =>
              setError(e instanceof KeywardError ? `${e.errorCode}: ${e.message}` : String(e)),
            );
          }}
        >
          {status === 'interacting' ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p role="alert" style={alert}>
            {error}
          </p>
        )}
      </Unauthenticated>
    </section>
  );
}
