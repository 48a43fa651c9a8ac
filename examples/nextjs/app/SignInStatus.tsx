'use client';

import { useAuth } from 'keyward/react';

/** Who is signed in. The server renders the "initializing" state; the browser takes over after hydration. */
export function SignInStatus() {
  const { status, activeAccount, signOut } = useAuth();
  if (status === 'initializing') return <p id="status">Checking who is signed in…</p>;
  if (!activeAccount) return <p id="status">Nobody is signed in.</p>;
  return (
    <p id="status">
      Signed in as <span id="username">{activeAccount.username}</span>.{' '}
      <button type="button" onClick={() => void signOut({ interaction: 'redirect' })}>
        Sign out
      </button>
    </p>
  );
}
