// The `npm start` playground, walked through in real Chromium like a person would: the same
// pieces scripts/start.mjs starts (local IdP, protected API, Vite dev server with the claims
// control endpoint), on free ports. A screenshot of every step goes to .tmp/artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServices, startPlaygroundServer, type LocalServices } from '../../playground/server/stack.mjs';
import { launchBrowser, newContext } from './harness/browser';
import { completeLogin } from './harness/login';
import { repoRoot } from './harness/paths';

const artifacts = `${repoRoot}/.tmp/artifacts`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// What a person's click sets off (a popup sign-in, a redirect round trip) can take seconds on
// a loaded 2-core CI machine; expect.poll's default 1 s is for in-page updates only.
const settle = { timeout: 20_000 };

describe('playground walkthrough', () => {
  let services: LocalServices;
  let app: Awaited<ReturnType<typeof startPlaygroundServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const shots: string[] = [];

  async function shot(step: string): Promise<void> {
    const path = `${artifacts}/playground-${step}.png`;
    await page.screenshot({ path, fullPage: true });
    shots.push(path);
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    services = await startLocalServices({ appOrigin: origin });
    app = await startPlaygroundServer({
      port,
      api: services.api,
      env: { VITE_KEYWARD_OIDC_AUTHORITY: services.idp.issuer, VITE_KEYWARD_API: services.api.url('/api/profile') },
      logLevel: 'warn',
    });
    browser = await launchBrowser();
    // Plain context + loopback routing, with a page size that shows the whole product page.
    context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await services?.close();
  });

  it('sign in with a popup, read claims, call the API three ways, pass a claims challenge, sign out', async () => {
    // 1. Signed out.
    await page.goto(`${app.origin}/`);
    const signedOut = page.getByTestId('signed-out');
    await signedOut.waitFor({ timeout: 20_000 }); // the first dev-server load transforms the sources
    await shot('1-signed-out');

    // 2. Sign in with the popup, as a person: login form, consent.
    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign in with popup' }).click();
    await completeLogin(await popupOpened, { login: 'alice' });
    await expect.poll(() => page.getByTestId('account-name').first().textContent(), settle).toBe('Alice');
    // Decoded claims: the id token's and the access token's.
    const idClaims = page.getByTestId('id-token-claims');
    await idClaims.waitFor();
    expect(await idClaims.locator('[data-claim="sub"] dd').textContent()).toBe('alice');
    expect(await idClaims.locator('[data-claim="iss"] dd').textContent()).toBe(services.idp.issuer);
    const atClaims = page.getByTestId('access-token-claims');
    await atClaims.waitFor();
    expect(await atClaims.locator('[data-claim="aud"] dd').textContent()).toBe('api://demo');
    await shot('2-signed-in');

    // 3. The protected API with Bearer, PoP and DPoP: the API verified each.
    // PoP before DPoP: oidc-provider binds the refresh token to the DPoP key on the first DPoP
    // grant, and keyward (src/client/flows/silent.ts) then redeems it as a plain DPoP grant even for a
    // PoP request, so PoP after DPoP gets a DPoP token the API refuses (reported, not fixed here).
    const result = page.getByTestId('api-result');
    for (const [label, scheme] of [
      ['Bearer', 'Bearer'],
      ['PoP', 'PoP'],
      ['DPoP', 'DPoP'],
    ] as const) {
      await page.getByRole('radio', { name: label, exact: true }).click();
      services.api.reset();
      await page.getByRole('button', { name: `Call API with ${label}`, exact: true }).click();
      await expect.poll(async () => [await result.getAttribute('data-ok'), await result.getAttribute('data-scheme')], settle).toEqual(['true', scheme]);
      const body = JSON.parse((await page.getByTestId('api-json').textContent())!) as { ok: boolean; scheme: string; sub: string };
      expect(body).toMatchObject({ ok: true, scheme, sub: 'alice' });
      expect(services.api.requests.filter((r) => r.scheme !== 'preflight').map((r) => [r.scheme, r.status])).toEqual([[scheme, 200]]);
      await shot(`3-api-${label.toLowerCase()}`);
    }

    // 4. Claims challenge (with DPoP, still selected): the API asks for auth context c1; keyward
    // re-acquires a token with it and retries once.
    await page.getByTestId('claims-toggle').click(); // turned on by the server's answer, so not .check()
    await expect.poll(() => page.getByTestId('claims-toggle').isChecked(), settle).toBe(true);
    services.api.reset();
    services.idp.reset();
    await page.getByRole('button', { name: 'Call API with DPoP', exact: true }).click();
    await expect
      .poll(async () => [await result.getAttribute('data-ok'), await result.getAttribute('data-scheme'), await result.getAttribute('data-attempts')], settle)
      .toEqual(['true', 'DPoP', '2']);
    expect(await page.getByTestId('attempts').textContent()).toContain('insufficient_claims');
    const calls = services.api.requests.filter((r) => r.scheme !== 'preflight');
    expect(calls.map((r) => [r.status, r.error ?? null])).toEqual([
      [401, 'insufficient_claims'],
      [200, null],
    ]);
    expect(calls[1]!.verified).toContain('claims');
    expect(calls[1]!.token?.acrs).toEqual(['c1']);
    // The re-acquisition: one refresh-token request carrying the claims.
    const refreshes = services.idp.tokenRequests.filter((r) => r.grant_type === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(JSON.parse(String(refreshes[0]!.body.claims))).toMatchObject({ access_token: { acrs: { value: 'c1' } } });
    await shot('4-claims-challenge');
    await page.getByTestId('claims-toggle').click();
    await expect.poll(() => page.getByTestId('claims-toggle').isChecked(), settle).toBe(false);

    // 5. Sign out (popup; oidc-provider asks to confirm) and see the signed-out state.
    // "Clear this app's storage": the page reloads with no tokens, and a silent sign-in (hidden
    // iframe, prompt=none) restores the session from the provider's cookie without a click or popup.
    let popups = 0;
    const countPopup = () => popups++;
    page.on('popup', countPopup);
    expect(await page.getByTestId('session-deadline').textContent()).toBeTruthy();
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: "Clear this app's storage" }).click();
    await reloaded;
    await expect.poll(() => page.getByTestId('account-name').first().textContent(), settle).toBe('Alice');
    expect(await page.getByTestId('session-deadline').textContent()).toBeTruthy();
    expect(await page.locator('iframe').count()).toBe(0);
    expect(popups).toBe(0);
    page.off('popup', countPopup);

    const logoutOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign out' }).click();
    const logoutPopup = await logoutOpened;
    await logoutPopup.locator('button[autofocus], form button').first().click();
    await signedOut.waitFor();
    expect(await page.getByTestId('account').count()).toBe(0);
    await shot('5-signed-out');

    for (const path of shots) expect(existsSync(path), path).toBe(true);
    expect(shots).toHaveLength(7);
  });

  it('sign in with a redirect, add a second account, switch between them', async () => {
    // A fresh context: nobody signed in, nothing cached.
    context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    shots.length = 0;
    await page.goto(`${app.origin}/`);
    await page.getByTestId('signed-out').waitFor({ timeout: 20_000 });

    // 1. Redirect sign-in: the whole page goes to the provider and comes back with the code.
    await page.getByRole('button', { name: 'Sign in with redirect' }).click();
    await page.waitForURL((url) => url.href.startsWith(services.idp.issuer));
    await completeLogin(page, { login: 'carol' });
    await page.waitForURL((url) => url.href.startsWith(app.origin));
    const names = page.getByTestId('account-name');
    await expect.poll(() => names.allTextContents(), settle).toEqual(['Carol']);
    // The response was consumed: no code or state left in the address bar.
    await expect.poll(() => new URL(page.url()).search + new URL(page.url()).hash, settle).toBe('');
    const idSub = page.getByTestId('id-token-claims').locator('[data-claim="sub"] dd');
    await expect.poll(() => idSub.textContent(), settle).toBe('carol');
    await shot('6-redirect-signed-in');

    // 2. A second account (popup, prompt=login); it becomes the active one.
    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Add another account' }).click();
    await completeLogin(await popupOpened, { login: 'dave' });
    await expect.poll(async () => (await names.allTextContents()).sort(), settle).toEqual(['Carol', 'Dave']);
    const active = page.locator('[data-testid="account"].active [data-testid="account-name"]');
    await expect.poll(() => active.textContent(), settle).toBe('Dave');
    await expect.poll(() => idSub.textContent(), settle).toBe('dave');
    await expect.poll(() => page.getByTestId('access-token-claims').locator('[data-claim="sub"] dd').textContent(), settle).toBe('dave');
    await shot('7-two-accounts');

    // 3. Switch back to Carol: her id token and an access token for her, from the cache.
    await page.getByTestId('account').filter({ hasText: 'Carol' }).getByRole('button', { name: 'Switch' }).click();
    await expect.poll(() => active.textContent(), settle).toBe('Carol');
    await expect.poll(() => idSub.textContent(), settle).toBe('carol');
    await expect.poll(() => page.getByTestId('access-token-claims').locator('[data-claim="sub"] dd').textContent(), settle).toBe('carol');
    await shot('8-switched-account');

    for (const path of shots) expect(existsSync(path), path).toBe(true);
    expect(shots).toHaveLength(3);
  });
});
