import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type LaunchOptions, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../../vite.config';

export interface LaunchBrowserOptions extends LaunchOptions {
  /**
   * Turn Chromium's real popup blocker on. Playwright launches with
   * `--disable-popup-blocking`; dropping that flag makes `window.open` without
   * user activation return null, as in a user's browser.
   */
  popupBlocking?: boolean;
}

export function launchBrowser({ popupBlocking = false, ...opts }: LaunchBrowserOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
    ...(popupBlocking ? { ignoreDefaultArgs: ['--disable-popup-blocking'] } : {}),
    ...opts,
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/**
 * A context that can only talk to loopback. The resolver rule in chromiumArgs
 * already fails other hosts; aborting here is faster (no DNS attempt) and also
 * covers literal IPs, which the resolver rule never sees.
 */
export async function newContext(browser: Browser, options?: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return !web || LOOPBACK.has(url.hostname) ? route.fallback() : route.abort('blockedbyclient');
  });
  return context;
}

/**
 * Evaluates `expression` (awaiting a returned promise) WITHOUT user activation.
 * Playwright's own page.evaluate/click run as a user gesture, and Chromium keeps
 * that transient activation for ~5 s, so a `window.open` from page.evaluate is
 * never blocked. To see the popup blocker, use this on a freshly loaded
 * document with no page.evaluate/click on it in the previous 5 s.
 */
export async function evaluateWithoutUserActivation<T>(page: Page, expression: string): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
      userGesture: false,
    });
    if (exceptionDetails) throw new Error(`evaluate failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  } finally {
    await cdp.detach();
  }
}
