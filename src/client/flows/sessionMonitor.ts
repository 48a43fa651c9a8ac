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
  /**
   * The provider says the watched session changed: asks it again with `prompt=none` (a hidden
   * iframe sign-in for this account). True when the same person is still signed in there; the
   * new `session_state` is then kept. False (or a rejection) when nobody or someone else is.
   */
  recheck(account: AccountInfo): Promise<boolean>;
  /** The watched session ended at the provider: remove the account and tell the app. */
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
 * On "changed" the provider is asked again with `prompt=none` (section 3.2; oidc-client-ts's
 * `SessionMonitor` does the same through `querySessionStatus`): the same person still signed
 * in (they signed in again there, which gives the session a new state) keeps the account and
 * is watched with the new `session_state`; nobody signed in (`login_required`), someone else,
 * or no answer removes the account and tells the app. Returns a function that stops watching
 * and removes the iframe.
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
  /**
   * A re-check is running: its own sign-in writes tokens (the snapshot changes, `update` runs)
   * before it keeps the new session_state, so watching then would resume with the old one, get
   * "changed" again and start a second re-check. Watching resumes when it has settled.
   */
  let rechecking = false;

  const onChanged = async (): Promise<void> => {
    const ended = watched;
    watched = undefined;
    if (!ended || stopped) return;
    host.logger.info("the provider reports the active account's session changed (check_session_iframe): asking it again with prompt=none");
    rechecking = true;
    const stillSignedIn = await host.recheck(ended.account).then(
      (same) => same,
      () => false,
    );
    rechecking = false;
    if (stopped) return;
    if (stillSignedIn) {
      host.logger.info('the same person is still signed in at the provider: watching the new session_state');
      update();
      return;
    }
    host.logger.info('the session ended at the provider, or another person signed in there: removing the account');
    await host.sessionChanged(ended.account);
  };

  const update = (): void => {
    if (stopped || rechecking) return;
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
    if (frame) dispose(frame);
  };
}

/**
 * oidc-client-ts's `CheckSessionIFrame` has no way to be disposed: `stop()` only clears its
 * timer, and the iframe and its window `message` listener stay for the page's life (its own
 * `SessionMonitor` never lets go of one either). A client that closes must release both, so
 * they are reached through its untyped fields, each checked before use.
 */
function dispose(frame: CheckSessionIFrame): void {
  frame.stop();
  const fields = frame as unknown as { _frame?: unknown; _message?: unknown };
  if (typeof fields._message === 'function') window.removeEventListener('message', fields._message as EventListener, false);
  if (fields._frame instanceof HTMLIFrameElement) fields._frame.remove();
}
