/**
 * keyward against the local Entra-compatible authority (test/idp/entra): the e2e page on
 * http://127.0.0.1, Chromium resolving Entra's hosts to the local HTTPS authority.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PublicClientApplicationOptions } from '../../src/index.js';
import { createEntraIdp, type EntraIdp, type EntraIdpOptions } from '../idp/entra/createEntraIdp.mjs';
import { launchEntraBrowser, newEntraContext } from '../idp/entra/browser';
import { appOutDir } from './harness/paths';
import { startStaticServer, type StaticServer } from './harness/staticServer';

export const LOGIN_HOST = 'https://login.microsoftonline.com';

export interface EntraE2E {
  idp: EntraIdp;
  app: StaticServer & { url: string };
  browser: Browser;
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function startEntraE2E(options: Partial<EntraIdpOptions> = {}): Promise<EntraE2E> {
  const app = await startStaticServer(appOutDir);
  const idp = await createEntraIdp({ redirectUris: [`${app.origin}/`], corsOrigins: [app.origin], exposeRetryAfter: true, ...options });
  const browser = await launchEntraBrowser(idp);
  return {
    idp,
    app: Object.assign(app, { url: `${app.origin}/` }),
    browser,
    newContext: () => newEntraContext(browser, idp),
    async close() {
      await browser.close();
      await Promise.all([idp.close(), app.close()]);
    },
  };
}

/** Opens the e2e page with a keyward client for an Entra authority (default: tenant A by GUID). */
export async function openEntraApp(
  e2e: EntraE2E,
  context: BrowserContext,
  config: Partial<PublicClientApplicationOptions> & { authority: string },
  cache: 'memory' | 'indexeddb' = 'memory',
): Promise<Page> {
  const page = await context.newPage();
  const full = { clientId: 'spa', redirectUri: e2e.app.url, ...config };
  await page.addInitScript(
    ({ injected, kind }) => {
      (window as unknown as { __E2E_CONFIG__: unknown }).__E2E_CONFIG__ = injected;
      (window as unknown as { __E2E_CACHE__: unknown }).__E2E_CACHE__ = kind;
    },
    { injected: full, kind: cache },
  );
  await page.goto(e2e.app.url);
  await page.waitForFunction(() => typeof window.redirectOutcome === 'object');
  await page.evaluate(() => window.redirectOutcome);
  return page;
}
