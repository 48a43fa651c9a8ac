import { useState } from 'react';
import { KeywardError, ErrorCode } from '../../src/index.js';
import { Authenticated, Unauthenticated, useAccount, useAuth } from '../../src/react/index.js';
import { alert, button, card as sharedCard } from './styles.js';

// The shared example styles; this card is a little narrower than the others.
const card = { ...sharedCard, width: 320 } as const;

/** What to tell a person for the errors a sign-in can end with. */
function describeError(error: unknown): string {
  if (!(error instanceof KeywardError)) return 'Sign-in failed. Please try again.';
  switch (error.errorCode) {
    case ErrorCode.popupWindowError:
      return 'Your browser blocked the sign-in window. Allow pop-ups for this site and try again.';
    case ErrorCode.userCancelled:
      return 'The sign-in window was closed before you finished.';
    default:
      return error.message;
  }
}

/** A sign-in card: who is signed in, or a popup sign-in button and what went wrong. */
export function SignInCard() {
  const { status, signIn, signOut } = useAuth();
  const account = useAccount();
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  const onSignIn = () => {
    setError(null);
    signIn({ interaction: 'popup', scopes: ['User.Read'] }).catch((e: unknown) =>
      setError({ code: e instanceof KeywardError ? e.errorCode : 'unknown', message: describeError(e) }),
    );
  };

  if (status === 'initializing')
    return (
      <section style={card} aria-busy="true">
        Checking your session…
      </section>
    );
  return (
    <section style={card}>
      <Authenticated>
        <span>
          Signed in as <strong>{account?.name ?? account?.username}</strong>
        </span>
        <small style={{ color: '#57606a' }}>{account?.username}</small>
        <button type="button" style={button} onClick={() => void signOut({ interaction: 'none' })}>
          Sign out
        </button>
      </Authenticated>
      <Unauthenticated>
        <span>You are not signed in.</span>
        <button type="button" style={button} onClick={onSignIn} disabled={status === 'interacting'}>
          {status === 'interacting' ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p role="alert" data-error-code={error.code} style={alert}>
            {error.message}
          </p>
        )}
      </Unauthenticated>
    </section>
  );
}
