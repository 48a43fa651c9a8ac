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

/**
 * Which client a pending redirect belongs to: its client id and configured authority. Two
 * clients on one page (two providers, or one provider and two client ids) each keep their
 * own record, so neither can take the other's flow (MSAL.js likewise keys its temporary
 * cache by client id).
 */
export const pendingRedirectScope = (clientId: string, authority: string): string => `${clientId}|${authority}`;

const keyFor = (scope: string): string => `keyward.redirect.${scope}`;

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
  } catch {
    return undefined; // Access can throw when storage is disabled.
  }
}

export function savePendingRedirect(scope: string, pending: PendingRedirect): void {
  storage()?.setItem(keyFor(scope), JSON.stringify(pending));
}

/** Reads the pending redirect of this client (its {@link pendingRedirectScope}) without removing it. */
export function peekPendingRedirect(scope: string): PendingRedirect | undefined {
  const raw = storage()?.getItem(keyFor(scope));
  if (raw == null) return undefined;
  try {
    return JSON.parse(raw) as PendingRedirect;
  } catch {
    return undefined;
  }
}

/** Reads and deletes the pending redirect of this client, if any. */
export function takePendingRedirect(scope: string): PendingRedirect | undefined {
  const store = storage();
  const raw = store?.getItem(keyFor(scope));
  if (!store || raw == null) return undefined;
  store.removeItem(keyFor(scope));
  try {
    return JSON.parse(raw) as PendingRedirect;
  } catch {
    return undefined;
  }
}
