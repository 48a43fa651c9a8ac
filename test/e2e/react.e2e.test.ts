// keyward/react in real Chromium under <StrictMode> against the real local provider.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthProvider } from '../../src/react/index.js';
import { SignInStatus } from './app/reactApp';
import { openApp, popupSignIn, setClockAhead } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import { completeLogin } from './harness/login';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

describe('keyward/react under StrictMode', () => {
  it('RequireAuth with nobody signed in starts exactly one sign-in, the redirect is processed once, then the children render', async () => {
    const context = await e2e.newContext();
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth?`);
    e2e.idp.reset();
    const page = await context.newPage();
    const config = { clientId: 'spa', oidcAuthority: e2e.idp.issuer, redirectUri: e2e.app.url };
    await page.addInitScript(
      ({ injected, scopes }) => {
        (window as unknown as { __E2E_CONFIG__: unknown }).__E2E_CONFIG__ = injected;
        (window as unknown as { __E2E_REACT__: unknown }).__E2E_REACT__ = { mode: 'require', scopes };
      },
      { injected: config, scopes: ['api://demo/read'] },
    );
    await page.goto(e2e.app.url);
    // RequireAuth redirects to the provider by itself.
    await page.waitForURL((url) => url.href.startsWith(`${e2e.idp.issuer}/`));
    await completeLogin(page, { login: 'rue' });
    await page.waitForURL((url) => url.href.startsWith(e2e.app.url));
    await expect.poll(() => page.locator('#who').textContent(), { timeout: 15_000 }).toBe('rue@example.test');

    expect(authorize).toHaveLength(1); // StrictMode's double effects did not start a second sign-in
    expect(e2e.idp.tokenRequests.filter((r) => r.grant_type === 'authorization_code')).toHaveLength(1);
    expect(e2e.idp.replays()).toEqual([]);
    await context.close();
  });

  it('1,000 mounted useToken components for an expired token cause one token request', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context, {}, { react: { mode: 'tokens' } });
    expect((await popupSignIn(page, { login: 'tom' })).error).toBeUndefined();
    await expect.poll(() => page.locator('#who').textContent()).toBe('tom@example.test');
    await setClockAhead(page, 3600);
    e2e.idp.reset();
    await page.evaluate(() => window.showTokens!(1000));
    await expect.poll(() => page.locator('.token.success').count(), { timeout: 20_000 }).toBe(1000);
    expect(e2e.idp.tokenRequests.map((r) => r.grant_type)).toEqual(['refresh_token']);
    expect(new Set(await page.locator('.token.success').allTextContents()).size).toBe(1);
    await context.close();
  });

  it('sign-out in one tab updates useAccount in another without reload', async () => {
    const context = await e2e.newContext();
    const first = await openApp(e2e, context, {}, { cache: 'indexeddb', react: { mode: 'account' } });
    const second = await openApp(e2e, context, {}, { cache: 'indexeddb', react: { mode: 'account' } });
    expect((await popupSignIn(first, { login: 'uma' })).error).toBeUndefined();
    await expect.poll(() => second.locator('#who').textContent()).toBe('uma@example.test');
    await second.evaluate(() => window.app.logout({ interaction: 'none' }));
    await expect.poll(() => first.locator('#who').textContent()).toBe('nobody');
    await context.close();
  });

  it('renderToString in Node (no window), then hydration in the browser, then sign-in works normally', async () => {
    expect(typeof window).toBe('undefined');
    const config = { clientId: 'spa', oidcAuthority: e2e.idp.issuer, redirectUri: e2e.app.url };
    const html = renderToString(createElement(AuthProvider, { config }, createElement(SignInStatus)));
    expect(html).toContain('nobody');

    const context = await e2e.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.addInitScript(
      ({ injected, markup }) => {
        (window as unknown as { __E2E_CONFIG__: unknown }).__E2E_CONFIG__ = injected;
        (window as unknown as { __E2E_SSR_HTML__: unknown }).__E2E_SSR_HTML__ = markup;
      },
      { injected: config, markup: html },
    );
    await page.goto(e2e.app.url);
    await expect.poll(() => page.locator('#ssr-root #who').textContent()).toBe('nobody');
    expect((await popupSignIn(page, { login: 'hana' })).error).toBeUndefined();
    await expect.poll(() => page.locator('#ssr-root #who').textContent()).toBe('hana@example.test');
    expect(await page.evaluate(() => (window as unknown as { hydrationErrors?: unknown[] }).hydrationErrors ?? [])).toEqual([]);
    expect(consoleErrors.filter((text) => /hydrat/i.test(text))).toEqual([]);
    await context.close();
  });
});
