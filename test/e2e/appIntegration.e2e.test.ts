// Issue 16: keyward in the app people already have. Redirect sign-ins come back to where they
// started (through the router when one is given), guards never flash signed-out content, an
// unreachable provider gets a default error with a working retry, and router guards load a
// route only once someone is signed in. Real Chromium, the real local provider, real routers.
import { build } from 'vite';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdp, type Idp } from '../idp/createIdp.mjs';
import { launchBrowser, newContext } from './harness/browser';
import { completeLogin } from './harness/login';
import { repoRoot } from './harness/paths';
import { startStaticServer, type StaticServer } from './harness/staticServer';

const outDir = `${repoRoot}/.tmp/e2e-router-app`;
const SCOPES = ['api://demo/read'];

let app: StaticServer;
let idp: Idp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  await build({ configFile: false, root: `${repoRoot}/test/e2e/routerApp`, base: '/', logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: false } });
  app = await startStaticServer(outDir);
  idp = await createIdp({ redirectUris: [`${app.origin}/`], corsOrigins: [app.origin] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([idp?.close(), app?.close()]);
});

type Mode = 'require' | 'guards' | 'react-router' | 'tanstack';

async function openPage(context: BrowserContext, mode: Mode, path: string, issuer = idp.issuer): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(
    (injected) => {
      (window as unknown as { __APP__: unknown }).__APP__ = injected;
    },
    { mode, scopes: SCOPES, client: { clientId: 'spa', oidcAuthority: issuer, redirectUri: `${app.origin}/` } },
  );
  await page.goto(`${app.origin}${path}`);
  return page;
}

/** Waits for the provider's login page, signs in, and waits until the app has the page again. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/`));
  await completeLogin(page, { login });
  await page.waitForURL((url) => url.href.startsWith(app.origin));
}

const documentId = (page: Page) => page.evaluate(() => window.__documentId);
const navigationEntry = (page: Page) => page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).name);

describe('redirects come back where they started', () => {
  it('a redirect sign-in started on a deep URL (path, query, hash) ends there, signed in; the redirect page never shows the signed-in content', async () => {
    const context = await newContext(browser);
    // On the redirect URI page (`/`), from its first moment: did the guarded content ever render there?
    await context.addInitScript(() => {
      if (location.pathname !== '/') return;
      new MutationObserver(() => {
        if (document.getElementById('who')?.textContent?.includes('@')) sessionStorage.setItem('signedInOnRedirectPage', location.href);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const page = await openPage(context, 'require', '/orders?id=7#line-3');
    await signInAtProvider(page, 'deep');
    await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe('deep@example.test');
    expect(page.url()).toBe(`${app.origin}/orders?id=7#line-3`);
    expect(await page.evaluate(() => sessionStorage.getItem('signedInOnRedirectPage'))).toBeNull();
    expect(idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code').length).toBeGreaterThan(0);
    await context.close();
  });

  it('navigateToLoginRequestUrl: false stays on the redirect URI page', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.addInitScript(
      (injected) => {
        (window as unknown as { __APP__: unknown }).__APP__ = injected;
      },
      {
        mode: 'require',
        scopes: SCOPES,
        client: { clientId: 'spa', oidcAuthority: idp.issuer, redirectUri: `${app.origin}/`, navigateToLoginRequestUrl: false },
      },
    );
    await page.goto(`${app.origin}/orders?id=8`);
    await signInAtProvider(page, 'stay');
    await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe('stay@example.test');
    expect(page.url()).toBe(`${app.origin}/`);
    await context.close();
  });
});

describe('guards under StrictMode', () => {
  it('reload of a signed-in app: the signed-out content is never in the DOM, at any frame', async () => {
    const context = await newContext(browser);
    const page = await openPage(context, 'guards', '/');
    await expect.poll(() => page.locator('#state').getAttribute('data-loading')).toBe('false');
    await expect.poll(() => page.locator('#signed-out').count()).toBe(1); // nobody signed in yet: shown once that is known
    // signIn() with no arguments: redirect, the OpenID scopes.
    await page.locator('#sign-in').click();
    await signInAtProvider(page, 'steady');
    await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe('steady@example.test');

    // From the very start of the next document, record every node ever added.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { seenSignedOut: string[] }).seenSignedOut = seen;
      new MutationObserver((records) => {
        for (const record of records)
          for (const node of record.addedNodes)
            if (node instanceof Element && (node.id === 'signed-out' || node.querySelector('#signed-out'))) seen.push(performance.now().toFixed(0));
      }).observe(document, { childList: true, subtree: true });
    });
    await page.reload();
    await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe('steady@example.test');
    expect(await page.evaluate(() => (window as unknown as { seenSignedOut: string[] }).seenSignedOut)).toEqual([]);
    await context.close();
  });

  it('unreachable issuer: RequireAuth shows the default error; retry recovers once the provider is back', async () => {
    // A port nothing listens on (for now): start a provider to learn a free port, then stop it.
    const probe = await createIdp({ redirectUris: [`${app.origin}/`], corsOrigins: [app.origin] });
    const { port, issuer } = probe;
    await probe.close();

    const context = await newContext(browser);
    const page = await openPage(context, 'require', '/orders?id=9', issuer);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.count(), { timeout: 30_000 }).toBe(1);
    expect(await alert.textContent()).toMatch(/^Sign-in failed: .+Try again$/);
    expect(await alert.getAttribute('data-keyward-error')).toBeTruthy();

    const back = await createIdp({ port, redirectUris: [`${app.origin}/`], corsOrigins: [app.origin] });
    try {
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.waitForURL((url) => url.href.startsWith(`${issuer}/`));
      await completeLogin(page, { login: 'again' });
      // The redirect URI page redeems the code, then goes back to the start page: wait for that
      // page (the account can show on the redirect URI page for a moment before it leaves).
      await page.waitForURL(`${app.origin}/orders?id=9`, { timeout: 15_000 });
      await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe('again@example.test');
      expect(page.url()).toBe(`${app.origin}/orders?id=9`);
    } finally {
      await context.close();
      await back.close();
    }
  });

  it('a failed start-up (the code redemption cannot reach the provider) is logged at warning level, shows in useAuth().error, and retry clears it', async () => {
    const context = await newContext(browser);
    const page = await openPage(context, 'guards', '/');
    await expect.poll(() => page.locator('#state').getAttribute('data-loading')).toBe('false');
    await page.locator('#sign-in').click();
    await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/`));
    // The provider is reachable for the sign-in, not for the redemption back on the app's page.
    await context.route(`${idp.issuer}/token`, (route) => route.abort('connectionrefused'));
    await completeLogin(page, { login: 'broken' });
    await page.waitForURL((url) => url.href.startsWith(app.origin));
    await expect.poll(() => page.locator('#state').getAttribute('data-error'), { timeout: 15_000 }).not.toBe('');
    const warnings = (await page.evaluate(() => window.logLines)).filter((line) => line.startsWith('warning: keyward: initialize failed'));
    expect(warnings).toHaveLength(1);
    expect(await page.locator('#signed-out').count()).toBe(1);
    // retry: initialization runs again and the error goes; the used response is not sent again.
    await context.unroute(`${idp.issuer}/token`);
    const codeGrants = idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code').length;
    await page.evaluate(() => window.retry());
    await expect.poll(() => page.locator('#state').getAttribute('data-error')).toBe('');
    expect(idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code')).toHaveLength(codeGrants);
    expect(await page.locator('#signed-out').count()).toBe(1);
    await context.close();
  });
});

for (const router of ['react-router', 'tanstack'] as const) {
  describe(`${router} guard`, () => {
    it('an unauthenticated visit signs in and comes back through the router; the loader runs once, with a token; a signed-in visit runs it with a token', async () => {
      const context = await newContext(browser);
      const page = await openPage(context, router, '/orders?id=7');
      await signInAtProvider(page, `${router}-user`);
      // The redirect lands on `/` (the redirect URI); the router, not a page load, then goes back.
      await expect.poll(() => page.locator('#orders').getAttribute('data-id'), { timeout: 15_000 }).toBe('7');
      expect(page.url()).toBe(`${app.origin}/orders?id=7`);
      expect(await navigationEntry(page)).toMatch(new RegExp(`^${app.origin}/\\?`)); // this document is the one the provider sent back
      const runs = await page.evaluate(() => window.loaderRuns());
      const orders = runs.filter((run) => run.route === 'orders');
      expect(orders).toHaveLength(1);
      expect(orders[0]?.token).toMatch(/^.{8}$/);
      expect(await page.locator('#orders').textContent()).toBe(`orders ${orders[0]?.token}`);
      // No loader ran twice (the landing page's at most once, before the router went back).
      expect(runs.filter((run) => run.route === 'home').length).toBeLessThanOrEqual(1);
      expect(idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code').length).toBeGreaterThan(0);

      // A signed-in visit: the loader runs at once with the cached token, once.
      const document = await documentId(page);
      await page.reload();
      await expect.poll(() => page.locator('#orders').getAttribute('data-id'), { timeout: 15_000 }).toBe('7');
      expect(await documentId(page)).not.toBe(document);
      const after = (await page.evaluate(() => window.loaderRuns())).filter((run) => run.route === 'orders');
      expect(after).toHaveLength(2);
      expect(after[1]?.token).toBe(orders[0]?.token); // from the cache: no second sign-in
      await context.close();
    });
  });
}
