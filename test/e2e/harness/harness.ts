import type { Browser, BrowserContext, BrowserContextOptions, Page, Request } from 'playwright-core';
import { createIdp, type Idp, type IdpOptions } from '../../idp/createIdp.mjs';
import { launchBrowser, newContext } from './browser';
import { appOutDir } from './paths';
import { startStaticServer } from './staticServer';

export interface E2EOptions {
  /** Merged over the defaults derived from the app origin. */
  idpOptions?: Partial<IdpOptions>;
  /** Chromium's real popup blocker (see launchBrowser). */
  popupBlocking?: boolean;
  /** Extra headers on every response of the app server (e.g. Cross-Origin-Opener-Policy). */
  appHeaders?: Record<string, string>;
}

export interface E2E {
  idp: Idp;
  /** The built test/e2e/app (globalSetup builds it once per run). */
  app: { origin: string; url: string };
  browser: Browser;
  /** A loopback-only context in this browser. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** App server + IdP (redirect URIs `/` and `/popup.html`, CORS for the app) + Chromium. */
export async function startE2E({ idpOptions = {}, popupBlocking = false, appHeaders = {} }: E2EOptions = {}): Promise<E2E> {
  const app = await startStaticServer(appOutDir, { headers: appHeaders });
  const idp = await createIdp({
    redirectUris: [`${app.origin}/`, `${app.origin}/popup.html`],
    corsOrigins: [app.origin],
    ...idpOptions,
  }).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const browser = await launchBrowser({ popupBlocking }).catch(async (error: unknown) => {
    await Promise.all([idp.close(), app.close()]);
    throw error;
  });
  return {
    idp,
    app: { origin: app.origin, url: `${app.origin}/` },
    browser,
    newContext: (options) => newContext(browser, options),
    async close() {
      // Browser first: its keep-alive sockets would otherwise reconnect mid-close.
      await browser.close();
      await Promise.all([idp.close(), app.close()]);
    },
  };
}

export interface RecordedRequest {
  url: string;
  method: string;
  postData: string | null;
}

/**
 * Live list of requests whose URL starts with `urlPrefix`. On a context it
 * also sees popups and other tabs, which `page.on('request')` would miss.
 */
export function recordRequests(target: BrowserContext | Page, urlPrefix: string): RecordedRequest[] {
  const seen: RecordedRequest[] = [];
  const onRequest = (request: Request) => {
    if (request.url().startsWith(urlPrefix)) {
      seen.push({ url: request.url(), method: request.method(), postData: request.postData() });
    }
  };
  // Both types have on('request', (Request) => void); the union doesn't typecheck directly.
  (target as BrowserContext).on('request', onRequest);
  return seen;
}
