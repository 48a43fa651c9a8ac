'use client';

import { RequireAuth } from 'keyward/react';
import { CallApi, scopes } from './CallApi';

/** Starts a redirect sign-in when nobody is signed in; renders the API call once someone is. */
export function Protected() {
  return (
    <RequireAuth
      interaction="redirect"
      // Consent for the API at sign-in, so the token CallApi asks for comes silently.
      scopes={[...scopes]}
      loading={<p id="loading">Signing you in…</p>}
      error={(error) => <p id="sign-in-error">Sign-in failed: {error.message}</p>}
    >
      <CallApi />
    </RequireAuth>
  );
}
