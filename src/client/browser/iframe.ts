import { BrowserError, ErrorCode } from '../../errors.js';
import { frameNamePrefix } from './frameName.js';

const pollIntervalMs = 50;

/**
 * How long a frame may rest on a page that is not the redirect URI before that is reported.
 * A provider answering `prompt=none` redirects at once (OIDC Core 3.1.2.6); a short grace
 * lets a provider page that moves on by script (an intermediate hop) finish first.
 */
export const frameTiming = { settleMs: 1500 };

/**
 * Opens a hidden iframe on `url` (MSAL.js `SilentIframeClient`, oidc-client-ts
 * `IFrameNavigator`): zero size, out of the layout, not announced to assistive technology.
 */
export function openFrame(url: string, name: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.name = `${frameNamePrefix}${name}`;
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('tabindex', '-1');
  frame.title = 'keyward silent sign-in';
  frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden;';
  frame.src = url;
  document.body.appendChild(frame);
  return frame;
}

/** Removes the frame; safe to call twice. */
export function removeFrame(frame: HTMLIFrameElement): void {
  try {
    frame.src = 'about:blank';
  } catch {
    // Detached already.
  }
  frame.remove();
}

/**
 * Waits until the frame is back on `redirectUri` (same origin, so readable) and returns its
 * URL. Only a URL on our own redirect URI with parameters is accepted (docs/protocol.md
 * check 5). Fails fast, with `frame_no_redirect`, when the frame has finished loading a page
 * that is not the redirect URI and stays there for `frameTiming.settleMs`: the provider's
 * login or error page (cross-origin, so its location cannot be read) or a refusal to be
 * framed (`X-Frame-Options`, CSP `frame-ancestors`: Chromium then shows an error page, whose
 * location cannot be read either). MSAL.js and oidc-client-ts wait for the timeout in these
 * cases; the `load` event tells much earlier. Otherwise `monitor_window_timeout` after `timeoutMs`.
 */
export function monitorFrame(frame: HTMLIFrameElement, redirectUri: string, timeoutMs: number): Promise<string> {
  const target = new URL(redirectUri);
  return new Promise((resolve, reject) => {
    let stuckSince: number | undefined;
    const finish = (action: () => void): void => {
      clearInterval(timer);
      clearTimeout(deadline);
      frame.removeEventListener('load', onLoad);
      action();
    };
    const check = (): void => {
      let href: string | undefined;
      try {
        href = frame.contentWindow?.location.href;
      } catch {
        href = undefined; // Cross-origin: at the provider, or an error page.
      }
      if (href && href !== 'about:blank') {
        const url = new URL(href);
        if (url.origin === target.origin && url.pathname === target.pathname && (url.search.length > 1 || url.hash.length > 1)) {
          finish(() => resolve(href!));
          return;
        }
      }
      if (stuckSince !== undefined && Date.now() - stuckSince >= frameTiming.settleMs) {
        finish(() =>
          reject(
            new BrowserError(
              ErrorCode.frameNoRedirect,
              'The hidden sign-in frame stopped on a page that is not the redirect URI: the provider wants the person (a login or error page), or it refuses to be shown in a frame (X-Frame-Options / CSP frame-ancestors). Sign in interactively.',
            ),
          ),
        );
      }
    };
    // Every finished load restarts the grace period: a page that moves on was not the last one.
    const onLoad = (): void => {
      let blank = false;
      try {
        blank = frame.contentWindow?.location.href === 'about:blank';
      } catch {
        blank = false;
      }
      // The initial empty document is no answer; the navigation to the provider is still under way.
      stuckSince = blank ? undefined : Date.now();
      check();
    };
    frame.addEventListener('load', onLoad);
    const timer = setInterval(check, pollIntervalMs);
    const deadline = setTimeout(
      () =>
        finish(() =>
          reject(
            new BrowserError(
              ErrorCode.monitorWindowTimeout,
              `The provider did not answer the silent sign-in within ${timeoutMs} ms. Sign in interactively, or raise "iframeTimeout".`,
            ),
          ),
        ),
      timeoutMs,
    );
  });
}
