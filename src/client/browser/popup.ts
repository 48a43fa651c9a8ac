import { BrowserError, ErrorCode } from '../../errors.js';

/** Names keyward gives its popups, so a page loaded inside one knows not to redeem the code itself. */
export const popupNamePrefix = 'keyward.popup.';

const pollIntervalMs = 50;

/**
 * Opens the popup synchronously (before any await), so it stays inside the click's
 * transient user activation; the URL is set once it is known.
 */
export function openPopup(name: string): Window {
  const width = 483;
  const height = 600;
  const left = Math.max(0, (window.screenX ?? 0) + ((window.outerWidth ?? width) - width) / 2);
  const top = Math.max(0, (window.screenY ?? 0) + ((window.outerHeight ?? height) - height) / 2);
  let popup: Window | null = null;
  try {
    popup = window.open('about:blank', `${popupNamePrefix}${name}`, `width=${width},height=${height},left=${left},top=${top},popup=yes`);
  } catch {
    popup = null;
  }
  if (!popup) {
    throw new BrowserError(
      ErrorCode.popupWindowError,
      'The browser blocked the sign-in popup. Call acquireTokenInteractive from a click handler, allow popups for this site, or use interaction: "redirect".',
    );
  }
  return popup;
}

/**
 * The BroadcastChannel on which the redirect page hands a popup's response back, keyed by the
 * flow's `state` (random, single-use): only the window that started that flow listens on it.
 */
const handBackChannel = (state: string): string => `keyward.popup.${state}`;

/** What the redirect page and the opener say on the hand-back channel. */
type HandBack = { type: 'response'; url: string } | { type: 'received' };

/** Whether `href` is an authorization response on `redirectUri` (docs/protocol.md check 5). */
function isResponseOn(href: string, target: URL): boolean {
  const url = new URL(href);
  return url.origin === target.origin && url.pathname === target.pathname && (url.search.length > 1 || url.hash.length > 1);
}

/**
 * On the redirect page: offers the response in `href` to the window whose popup flow has this
 * `state`, on the hand-back channel. Under Cross-Origin-Opener-Policy (on the app or on the
 * provider) the popup is put in another browsing context group on its way to the provider:
 * the opener can no longer see it (`closed` reads true, `location` is unreachable) and the
 * popup's `window.name` is cleared, but the redirect page is same-origin with the app, and a
 * BroadcastChannel reaches every same-origin window of the browser profile (HTML Living
 * Standard, "Broadcasting to other browsing contexts"). The page closes itself once the
 * opener says it has the response; when no window listens, nothing happens.
 */
export function handBackToOpener(state: string, href: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(handBackChannel(state));
  channel.onmessage = (event: MessageEvent<HandBack>) => {
    if (event.data?.type !== 'received') return;
    channel.close();
    window.close();
  };
  channel.postMessage({ type: 'response', url: href } satisfies HandBack);
  // Nobody answering within the popup timeout's order of magnitude: stop listening.
  setTimeout(() => channel.close(), 60_000);
}

/**
 * Waits until the popup is back on `redirectUri` and returns its URL, then closes it. Two
 * ways back: polling the popup's `location` (same origin again, so readable; reading it while
 * it is at the provider throws, which just means the person is still there), and the
 * redirect page's hand-back on a BroadcastChannel keyed by the flow's `state`
 * ({@link handBackToOpener}), which still works when Cross-Origin-Opener-Policy has severed
 * the popup from this window. Only a URL on our own redirect URI with this flow's `state` is
 * accepted (docs/protocol.md check 5). Without `state` (a sign-out popup) only polling is used.
 *
 * `closed` alone cannot tell a person closing the popup from COOP severing it. A popup that
 * reads closed after it was seen open at the provider is a cancellation (reported at once, as
 * without COOP); one that reads closed before it was ever seen there (COOP on the app severs
 * it as it leaves for the provider) is waited for on the channel, up to the timeout.
 * COOP on the provider alone severs the popup as the provider's page loads, and the opener
 * may glimpse it there first, so that case can still end as a cancellation.
 */
export function monitorPopup(popup: Window, redirectUri: string, timeoutMs: number, state?: string, signal?: AbortSignal): Promise<string> {
  const target = new URL(redirectUri);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    /** Polls that found the popup open at another origin. */
    let seenElsewhere = 0;
    // A sign-out popup comes back without `state`: polling only.
    const channel = state === undefined || typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(handBackChannel(state));
    const finish = (action: () => void): void => {
      clearInterval(timer);
      channel?.close();
      try {
        popup.close();
      } catch {
        // Already gone.
      }
      action();
    };
    if (channel) {
      channel.onmessage = (event: MessageEvent<HandBack>) => {
        const data = event.data;
        if (data?.type !== 'response' || typeof data.url !== 'string') return;
        let url: URL;
        try {
          url = new URL(data.url);
        } catch {
          return;
        }
        const returned = new URLSearchParams(url.search.length > 1 ? url.search : url.hash.slice(1)).get('state');
        if (!isResponseOn(data.url, target) || returned !== state) return;
        channel.postMessage({ type: 'received' } satisfies HandBack);
        finish(() => resolve(data.url));
      };
    }
    const timer = setInterval(() => {
      if (signal?.aborted) return finish(() => reject(new BrowserError(ErrorCode.userCancelled, 'The sign-in was cancelled.')));
      const closed = popup.closed;
      if (closed && (!channel || seenElsewhere > 0)) {
        return finish(() => reject(new BrowserError(ErrorCode.userCancelled, 'The sign-in popup was closed before sign-in finished.')));
      }
      if (!closed) {
        let href: string | undefined;
        try {
          href = popup.location.href;
        } catch {
          href = undefined;
          seenElsewhere += 1; // Cross-origin: still at the provider.
        }
        if (href && href !== 'about:blank' && isResponseOn(href, target)) return finish(() => resolve(href));
      }
      if (Date.now() - started > timeoutMs) {
        finish(() =>
          reject(
            new BrowserError(
              ErrorCode.monitorWindowTimeout,
              `The sign-in popup did not come back within ${Math.round(timeoutMs / 1000)} s. Try again, or raise "popupTimeout".`,
            ),
          ),
        );
      }
    }, pollIntervalMs);
  });
}
