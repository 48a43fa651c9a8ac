'use client';

import { useAuth, useToken } from 'keyward/react';
import { useEffect, useState } from 'react';

/** What the API route asks for. */
export const scopes = ['api://demo/read'] as const;

/** Gets an access token for the demo API and calls this app's own route handler with it. */
export function CallApi() {
  const { activeAccount } = useAuth();
  const { status, token, error } = useToken(scopes);
  const [answer, setAnswer] = useState<string | null>(null);
  useEffect(() => {
    if (!token) return;
    let live = true;
    fetch('/api/hello', { headers: { Authorization: `Bearer ${token}` } })
      .then((response) => response.json() as Promise<{ message: string }>)
      .then((body) => live && setAnswer(body.message))
      .catch((failure: unknown) => live && setAnswer(`the call failed: ${String(failure)}`));
    return () => {
      live = false;
    };
  }, [token]);
  return (
    <section>
      <p>
        Signed in as <span id="username">{activeAccount?.username}</span>.
      </p>
      <p id="token-status">token: {status}</p>
      {error && <p id="token-error">{error.message}</p>}
      {answer && <p id="api-answer">{answer}</p>}
    </section>
  );
}
