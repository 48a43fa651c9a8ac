import { BrowserError, ErrorCode } from '../../errors.js';
import { type PopupPurpose, popupNamePrefix } from './popup.js';

// Loaded by import() when a popup is being watched or a redirect page hands a response back
// (client/flows/interactive.ts, logout.ts): an app that signs in by redirect never downloads it.

const pollIntervalMs = 50;

/**
 * How long the opener must have seen the popup open at the provider before `closed` means the
 * person closed it. Under Cross-Origin-Opener-Policy (`same-origin` on the app, the provider
 * or both) the browser severs the popup from its opener when the provider's first page
 * commits, and from then on `closed` reads true although the person is still signing in.
 * Observed in Chromium 156 (opener polling every 5 ms, 8 runs per case, one core busy): the
 * popup reads `about:blank` (readable, never closed right after `window.open`, also with COOP
 * on the app), then cross-origin for 1-16 ms, then closed; without COOP it stays cross-origin
 * for as long as the person is at the provider. So a close after a longer sighting is the
 * person's, and anything shorter may be a sever (waited for on the hand-back channel).
 */
const personCloseAfterMs = 1_000;

/**
 * The BroadcastChannel on which a popup's redirect page hands the response back, named by the
 * flow's `state` (random, single-use), so only the window that started that flow hears it.
 */
const handBackChannel = (state: string): string => `${popupNamePrefix}${state}`;

/** What the redirect page and the opener say on the hand-back channel. */
interface HandBack {
  url?: string;
  received?: true;
}

/**
 * On a redirect page that is not ours to redeem: offers its URL to the window whose popup flow
 * has this `state`. A popup severed by Cross-Origin-Opener-Policy has no opener and no name any
 * more, but its redirect page is same-origin with the opener, and a BroadcastChannel reaches
 * every same-origin window of the browser profile (HTML Living Standard, "Broadcasting to other
 * browsing contexts"). The page closes itself once the opener has the response; when no window
 * listens (an app's own `?state=`), nothing happens.
 */
export function handBackToOpener(state: string, href: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(handBackChannel(state));
  const stop = setTimeout(() => channel.close(), 60_000);
  channel.onmessage = (event: MessageEvent<HandBack>) => {
    if ((event.data as HandBack | null)?.received !== true) return;
    clearTimeout(stop);
    channel.close();
    window.close();
  };
  channel.postMessage({ url: href } satisfies HandBack);
}

/**
 * Waits until the popup is back on `redirectUri` and returns its URL, then closes it. Two ways
 * back: polling the popup's `location` (same origin again, so readable; reading it at the
 * provider throws, which just means the person is still there), and, when `state` is given,
 * the redirect page's hand-back on the flow's channel ({@link handBackToOpener}) for a popup
 * that COOP severed. Only a URL on our own redirect URI is accepted (docs/protocol.md check 5);
 * the caller validates it (state, iss) whichever way it came.
 *
 * `closed` cannot tell a severed popup from one the person closed: one seen at the provider
 * for {@link personCloseAfterMs} and then closed is a cancellation at once; any other (closed
 * while loading, or seen there only for a moment) waits for the hand-back until `timeoutMs`,
 * so closing a severed popup is only noticed then.
 */
export function monitorPopup(
  popup: Window,
  redirectUri: string,
  timeoutMs: number,
  purpose: PopupPurpose,
  state?: string,
  signal?: AbortSignal,
): Promise<string> {
  const target = new URL(redirectUri);
  const isResponse = (href: string): boolean => {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      return false;
    }
    return url.origin === target.origin && url.pathname === target.pathname && (url.search.length > 1 || url.hash.length > 1);
  };
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let firstSeenAway: number | undefined;
    let lastSeenAway = 0;
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
        const url = (event.data as HandBack | null)?.url;
        if (typeof url !== 'string' || !isResponse(url)) return;
        channel.postMessage({ received: true } satisfies HandBack);
        finish(() => resolve(url));
      };
    }
    const timer = setInterval(() => {
      if (signal?.aborted) return finish(() => reject(new BrowserError(ErrorCode.userCancelled, `The ${purpose} was cancelled.`)));
      if (!popup.closed) {
        let href: string | undefined;
        try {
          href = popup.location.href;
        } catch {
          lastSeenAway = Date.now(); // Cross-origin: still at the provider.
          firstSeenAway ??= lastSeenAway;
        }
        if (href !== undefined && href !== 'about:blank' && isResponse(href)) return finish(() => resolve(href));
      } else if (!channel || (firstSeenAway !== undefined && lastSeenAway - firstSeenAway >= personCloseAfterMs)) {
        return finish(() => reject(new BrowserError(ErrorCode.userCancelled, `The ${purpose} popup was closed before ${purpose} finished.`)));
      }
      if (Date.now() - started > timeoutMs) {
        finish(() =>
          reject(
            new BrowserError(
              ErrorCode.monitorWindowTimeout,
              `The ${purpose} popup did not come back within ${Math.round(timeoutMs / 1000)} s. Try again, or raise "popupTimeout".`,
            ),
          ),
        );
      }
    }, pollIntervalMs);
  });
}
