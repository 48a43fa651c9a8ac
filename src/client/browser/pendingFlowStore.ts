import type { AuthCodeFlow } from '../../protocol/authCodeFlow.js';

/**
 * Keeps the flow of a redirect sign-in across the full-page navigation, in
 * sessionStorage (this tab only, gone with the tab). It holds the PKCE verifier and
 * nonce, never tokens, and is removed as soon as it is read: a flow is single-use.
 */
export interface PendingRedirect {
  flow: AuthCodeFlow;
  /** The page to return to after the redirect is handled. */
  startPage: string;
}

const keyFor = (clientId: string): string => `keyward.redirect.${clientId}`;

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined; // Access can throw when storage is disabled.
  }
}

export function savePendingRedirect(clientId: string, pending: PendingRedirect): void {
  storage()?.setItem(keyFor(clientId), JSON.stringify(pending));
}

/** Reads the pending redirect of this client without removing it. */
export function peekPendingRedirect(clientId: string): PendingRedirect | undefined {
  const raw = storage()?.getItem(keyFor(clientId));
  if (raw == null) return undefined;
  try {
    return JSON.parse(raw) as PendingRedirect;
  } catch {
    return undefined;
  }
}

/** Reads and deletes the pending redirect of this client, if any. */
export function takePendingRedirect(clientId: string): PendingRedirect | undefined {
  const store = storage();
  const raw = store?.getItem(keyFor(clientId));
  if (!store || raw == null) return undefined;
  store.removeItem(keyFor(clientId));
  try {
    return JSON.parse(raw) as PendingRedirect;
  } catch {
    return undefined;
  }
}
