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
export function ProtectedPage({ interaction = 'popup' }: { interaction?: 'popup' | 'redirect' }) {
  return (
    <RequireAuth
      interaction={interaction}
      scopes={['User.Read']}
      loading={
        <section style={card} aria-busy="true">
          Signing you in…
        </section>
      }
      error={(error) => (
        <section style={card}>
          <p style={alert} role="alert" data-error-code={error instanceof KeywardError ? error.errorCode : 'unknown'}>
            We could not sign you in: {error.message}
          </p>
          <span style={muted}>Reload the page to try again.</span>
        </section>
      )}
    >
      <Dashboard />
    </RequireAuth>
  );
}
