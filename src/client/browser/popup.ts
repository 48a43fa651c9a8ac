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
 * Waits until the popup is back on `redirectUri` (same origin, so readable) and returns its
 * URL, then closes it. Reading `location` of a cross-origin window throws; that just means
 * the person is still on the provider. Only a URL on our own redirect URI is accepted
 * (docs/protocol.md check 5).
 */
export function monitorPopup(popup: Window, redirectUri: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const target = new URL(redirectUri);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const finish = (action: () => void): void => {
      clearInterval(timer);
      try {
        popup.close();
      } catch {
        // Already gone.
      }
      action();
    };
    const timer = setInterval(() => {
      if (signal?.aborted) return finish(() => reject(new BrowserError(ErrorCode.userCancelled, 'The sign-in was cancelled.')));
      if (popup.closed) {
        clearInterval(timer);
        return reject(new BrowserError(ErrorCode.userCancelled, 'The sign-in popup was closed before sign-in finished.'));
      }
      let href: string | undefined;
      try {
        href = popup.location.href;
      } catch {
        href = undefined; // Cross-origin: still at the provider.
      }
      if (href && href !== 'about:blank') {
        const url = new URL(href);
        if (url.origin === target.origin && url.pathname === target.pathname && (url.search.length > 1 || url.hash.length > 1)) {
          return finish(() => resolve(href!));
        }
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
