import { KeywardError } from '../../src/index.js';
import { RequireAuth, useAccount } from '../../src/react/index.js';
import { alert, card, muted } from './styles.js';

function Dashboard() {
  const account = useAccount();
  return (
    <section style={card}>
      <strong>Dashboard</strong>
      <span>Welcome, {account?.name ?? account?.username}.</span>
    </section>
  );
}

/** A page only signed-in people may see: `<RequireAuth>` with its loading and error states. */
export function ProtectedPage({ interaction = 'popup', defaultError = false }: { interaction?: 'popup' | 'redirect'; defaultError?: boolean }) {
  if (defaultError)
    return (
      <RequireAuth interaction={interaction} scopes={['User.Read']} loading={<section style={card}>Signing you in…</section>}>
        <Dashboard />
      </RequireAuth>
    );
  return (
    <RequireAuth
      interaction={interaction}
      scopes={['User.Read']}
      loading={
        <section style={card} aria-busy="true">
          Signing you in…
        </section>
      }
      error={(error, retry) => (
        <section style={card}>
          <p style={alert} role="alert" data-error-code={error instanceof KeywardError ? error.errorCode : 'unknown'}>
            We could not sign you in: {error.message}
          </p>
          <button type="button" onClick={retry}>
            Try again
          </button>
          <span style={muted}>A popup needs this click to get past popup blockers.</span>
        </section>
      )}
    >
      <Dashboard />
    </RequireAuth>
  );
}
