import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type LaunchOptions, type Page } from 'playwright-core';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  await loopbackOnly(context);
  return context;
}

/**
 * A regular (not off-the-record) Chromium profile in a fresh temporary directory, loopback
 * only as {@link newContext}, with `preferences` written as its `Default/Preferences` before
 * launch (e.g. `{ profile: { cookie_controls_mode: 1 } }`: block third-party cookies, the
 * person's setting in chrome://settings/cookies; 0 allows them). Without it this Chromium
 * (156) blocks third-party cookies in a fresh profile too; a test that depends on the
 * setting states it here.
 */
export async function launchProfile(
  options: BrowserContextOptions & { args?: string[]; preferences?: Record<string, unknown> } = {},
): Promise<BrowserContext & { removeProfile(): Promise<void> }> {
  const { args = [], preferences, ...contextOptions } = options;
  const dir = await mkdtemp(join(tmpdir(), 'keyward-profile-'));
  if (preferences) {
    await mkdir(join(dir, 'Default'), { recursive: true });
    await writeFile(join(dir, 'Default', 'Preferences'), JSON.stringify(preferences));
  }
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath,
    args: [...chromiumArgs, ...args],
    headless: true,
    ...contextOptions,
  });
  await loopbackOnly(context);
  return Object.assign(context, {
    async removeProfile() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

async function loopbackOnly(context: BrowserContext): Promise<void> {
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return !web || LOOPBACK.has(url.hostname) ? route.fallback() : route.abort('blockedbyclient');
  });
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
