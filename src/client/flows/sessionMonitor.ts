import { CheckSessionIFrame } from 'oidc-client-ts';
import type { Logger } from '../../logger.js';
import type { AccountInfo } from '../../types.js';

/**
 * What the session monitor needs of its client (built by startSessionMonitor.ts, which loads
 * this module only when `monitorSession` is on, through a dynamic import: apps that do not opt
 * in download none of it). Everything comes through here, and this module imports nothing of
 * keyward at run time, so its chunk holds only itself and oidc-client-ts's iframe.
 */
export interface SessionMonitorHost {
  clientId: string;
  logger: Logger;
  /** Milliseconds between two questions to the provider's iframe. */
  checkInterval: number;
  /** The provider's `check_session_iframe`, if it has one. */
  checkSessionIframe(): Promise<string | undefined>;
  /** The `session_state` kept for an account (sessionStateStore.ts). */
  sessionStateOf(account: AccountInfo): string | undefined;
  /** The localStorage key of the kept values (other tabs' sign-ins arrive as `storage` events on it). */
  storageKey: string;
  /** `monitorSession` is on but the provider has no iframe. */
  unavailable(): void;
  /** The account to watch: the provider's iframe knows one session per browser. */
  activeAccount(): AccountInfo | null;
  /** Called when the active account, the accounts or a sign-in may have changed what to watch. */
  subscribe(listener: () => void): () => void;
  /** The provider says the watched session changed: remove the account and tell the app. */
  sessionChanged(account: AccountInfo): Promise<void>;
}

/**
 * OpenID Connect Session Management 1.0: watches the active account's `session_state`
 * through the provider's `check_session_iframe` and reports a change (section 3.2: the
 * iframe answers "changed" when the provider's browser state no longer yields that value,
 * i.e. the person signed out there or another person signed in).
 *
 * The iframe protocol itself (creating the hidden iframe, posting "client_id session_state"
 * every interval, checking each answer's origin and source, stopping on "changed") is
 * oidc-client-ts's `CheckSessionIFrame`, used as it is. What it leaves to its caller, and
 * this module therefore adds: choosing which session to watch and restarting when that
 * changes (oidc-client-ts's `SessionMonitor` does this for its single `User`; keyward has
 * several accounts and watches the active one), learning of new `session_state` values from
 * other tabs (`storage` events), and what to do on "changed".
 *
 * On "changed" the account is removed. Section 3.2 suggests asking the provider again with
 * `prompt=none` first (oidc-client-ts's `querySessionStatus`) to tell "same person, new
 * session" apart; without that, a re-authentication of the same person at the provider also
 * signs the account out here, and the next sign-in finds the provider session and needs no
 * form. Returns a function that stops watching.
 */
export async function monitorSession(host: SessionMonitorHost): Promise<() => void> {
  const url = await host.checkSessionIframe();
  if (!url) {
    host.unavailable();
    return () => {};
  }
  let watched: { account: AccountInfo; sessionState: string } | undefined;
  let frame: CheckSessionIFrame | undefined;
  let loaded: Promise<void> | undefined;
  let stopped = false;

  const onChanged = async (): Promise<void> => {
    const ended = watched;
    watched = undefined;
    if (!ended || stopped) return;
    host.logger.info("the provider reports the active account's session changed (check_session_iframe): removing the account");
    await host.sessionChanged(ended.account);
  };

  const update = (): void => {
    if (stopped) return;
    const account = host.activeAccount();
    const sessionState = account ? host.sessionStateOf(account) : undefined;
    if (watched && account && sessionState === watched.sessionState && watched.account.homeAccountId === account.homeAccountId) return;
    if (!account || !sessionState) {
      watched = undefined;
      frame?.stop();
      return;
    }
    watched = { account, sessionState };
    // One iframe for the page's life, created when there is first something to watch (as oidc-client-ts's SessionMonitor keeps its one).
    frame ??= new CheckSessionIFrame(() => onChanged(), host.clientId, url, host.checkInterval / 1000, true);
    loaded ??= frame.load();
    const current = watched;
    void loaded.then(() => {
      if (watched === current && !stopped) frame?.start(current.sessionState);
    });
  };

  // A sign-in in another tab writes a new session_state there; this tab learns of it here.
  const onStorage = (event: StorageEvent): void => {
    if (event.key === host.storageKey) update();
  };
  window.addEventListener('storage', onStorage);
  const unsubscribe = host.subscribe(update);
  update();
  return () => {
    stopped = true;
    unsubscribe();
    window.removeEventListener('storage', onStorage);
    frame?.stop();
  };
}
