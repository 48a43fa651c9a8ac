import { useState } from 'react';
import { InteractionRequiredError, KeywardError, parseClaimsChallenge } from '../../src/index.js';
import { useToken } from '../../src/react/index.js';
import { alert, button, card, muted, notice, secondaryButton } from './styles.js';

/** Module-level, so every render passes the same array (useToken would cope with a new one too). */
export const ordersScopes = ['api://orders/read'];

export interface OrdersPanelProps {
  /**
   * Calls the orders API with the token. A `401` carrying a claims challenge in
   * `WWW-Authenticate` makes the panel ask for a token that satisfies it.
   */
  callApi?: (token: string) => Promise<Response>;
}

/** Shows only the start of a token: enough to tell two apart, never enough to use one. */
function preview(token: string): string {
  return `${token.slice(0, 12)}… (${token.length} characters)`;
}

/**
 * A panel that needs an access token for the orders API: `useToken` in each of its states
 * (loading, success, error, interaction required) and the claims-challenge round trip.
 */
export function OrdersPanel({ callApi }: OrdersPanelProps) {
  const [claimsChallenge, setClaimsChallenge] = useState<string | undefined>();
  const [apiAnswer, setApiAnswer] = useState<string | null>(null);
  const { status, token, result, error, refetch, acquireInteractively } = useToken(ordersScopes, {
    interaction: 'popup',
    ...(claimsChallenge !== undefined && { claimsChallenge }),
  });
  const [interactiveError, setInteractiveError] = useState<string | null>(null);

  const continueInteractively = () => {
    setInteractiveError(null);
    acquireInteractively().catch((e: unknown) => setInteractiveError(e instanceof KeywardError ? e.errorCode : 'unknown'));
  };

  const call = async () => {
    if (!token || !callApi) return;
    const response = await callApi(token);
    const challenge = response.status === 401 ? parseClaimsChallenge(response.headers.get('www-authenticate')) : undefined;
    if (challenge) {
      setApiAnswer(null);
      setClaimsChallenge(challenge);
      return;
    }
    setApiAnswer(`${response.status} ${response.statusText || (response.ok ? 'OK' : 'Error')}`);
  };

  return (
    <section style={card} aria-busy={status === 'loading'}>
      <strong>Orders</strong>
      {status === 'loading' && <span>Getting a token for the orders API…</span>}
      {status === 'success' && token && result && (
        <>
          <span data-testid="token">Token ready: {preview(token)}</span>
          <span style={muted}>
            Expires {result.expiresOn.toISOString()} · {result.fromCache ? 'from cache' : 'from the provider'}
          </span>
          {claimsChallenge && (
            <span style={muted} data-testid="claims">
              Satisfies the API's claims challenge
            </span>
          )}
          {callApi && (
            <button type="button" style={button} onClick={() => void call()}>
              Call the orders API
            </button>
          )}
          {apiAnswer && <span data-testid="api-answer">Orders API answered {apiAnswer}</span>}
        </>
      )}
      {status === 'error' && error instanceof InteractionRequiredError && (
        <>
          <p style={notice} role="status" data-error-code={error.errorCode}>
            {claimsChallenge ? 'The orders API needs you to verify it’s you again.' : 'Your session needs you to sign in again.'}
          </p>
          <button type="button" style={button} onClick={continueInteractively}>
            Continue
          </button>
          {interactiveError && (
            <p style={alert} role="alert" data-error-code={interactiveError}>
              That did not work. Try again.
            </p>
          )}
        </>
      )}
      {status === 'error' && !(error instanceof InteractionRequiredError) && (
        <>
          <p style={alert} role="alert" data-error-code={error instanceof KeywardError ? error.errorCode : 'unknown'}>
            Could not get a token: {error?.message}
          </p>
          <button type="button" style={secondaryButton} onClick={refetch}>
            Try again
          </button>
        </>
      )}
    </section>
  );
}
