// Silent sign-in where the browser blocks third-party cookies (docs/protocol.md B8): the provider
// is on another site than the app (the app on http://127.0.0.1:<port>, the provider on
// https://localhost:<port> with a self-signed certificate: different hosts, so different sites),
// its session cookie is SameSite=None; Secure, as a cross-site provider's must be. Two Chromium
// profiles that differ only in the cookie setting (chrome://settings/cookies): third-party
// cookies allowed, where the cookie reaches the hidden frame and silent sign-in works (the
// control: the failure below is the block's doing), and blocked (what Safari, Firefox strict
// and Chrome's tracking protection do), where the provider sees no session in the frame,
// answers login_required, and keyward remembers it for the page.
import type { BrowserContext, Page } from 'playwright-core';
import { generate as generateCertificate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdp, type Idp } from '../idp/createIdp.mjs';
import { accounts, openApp, popupSignIn, type Settled, silent } from './fixtures';
import { launchProfile } from './harness/browser';
import type { E2E } from './harness/harness';
import { appOutDir } from './harness/paths';
import { startStaticServer, type StaticServer } from './harness/staticServer';
import type { AuthenticationResult } from '../../src/index.js';

let app: StaticServer;
let idp: Idp;

beforeAll(async () => {
  app = await startStaticServer(appOutDir);
  const certificate = await generateCertificate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  idp = await createIdp({
    tls: { key: certificate.private, cert: certificate.cert },
    redirectUris: [`${app.origin}/`, `${app.origin}/popup.html`],
    corsOrigins: [app.origin],
    issuerHost: 'localhost',
    crossSiteCookies: true,
  });
});
afterAll(async () => {
  await Promise.all([idp?.close(), app?.close()]);
});

/** What openApp reads of the harness: the provider and the app. */
const harness = (): E2E => ({ idp, app: { origin: app.origin, url: `${app.origin}/` } }) as E2E;

/** Authorization requests the provider received (answered either way). */
const authorizations = () => idp.events.filter((e) => e.type === 'authorization.success' || e.type === 'authorization.error');
const frames = (page: Page) => page.evaluate(() => document.querySelectorAll('iframe').length);
const sso = (page: Page): Promise<Settled<AuthenticationResult>> =>
  page.evaluate(async () => {
    const [account] = await window.app.getAccounts();
    return window.settle(window.app.ssoSilent({ scopes: ['api://demo/read'], ...(account && { account }) }));
  });

/** A fresh profile (the provider's certificate is self-signed), signed in through the popup (the provider first-party there). */
async function signedIn(
  thirdPartyCookies: 'allowed' | 'blocked',
  login: string,
): Promise<{ context: BrowserContext & { removeProfile(): Promise<void> }; page: Page }> {
  // cookie_controls_mode (content_settings::CookieControlsMode): 0 allows third-party cookies, 1 blocks them.
  const context = await launchProfile({ ignoreHTTPSErrors: true, preferences: { profile: { cookie_controls_mode: thirdPartyCookies === 'allowed' ? 0 : 1 } } });
  const page = await openApp(harness(), context);
  expect(app.origin).toMatch(/^http:\/\/127\.0\.0\.1:/);
  expect(idp.issuer).toMatch(/^https:\/\/localhost:/);
  expect((await popupSignIn(page, { login })).error).toBeUndefined();
  return { context, page };
}

describe('third-party cookies', () => {
  it('allowed, the cross-site provider session reaches the hidden frame: silent sign-in works (the control)', async () => {
    const { context, page } = await signedIn('allowed', 'nina');
    idp.reset();
    const outcome = await sso(page);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result?.account.username).toBe('nina@example.test');
    expect(authorizations().map((e) => e.type)).toEqual(['authorization.success']);
    await context.removeProfile();
  });

  it('blocked: login_required, then remembered for the page: later ssoSilent and iframe fallbacks cost no second /authorize', async () => {
    const { context, page } = await signedIn('blocked', 'omar');
    idp.reset();
    const first = await sso(page);
    expect(first.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'login_required' });
    expect(authorizations().map((e) => [e.type, e.detail.error])).toEqual([['authorization.error', 'login_required']]);
    expect(await frames(page)).toBe(0);

    // This page signed in interactively a moment ago: the provider has a session, the frame just cannot see it.
    const again = await sso(page);
    expect(again.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'frame_sso_unavailable' });
    expect(again.error?.message).toMatch(/third-party cookies/);
    const fallback = await silent(page, { cacheLookupPolicy: 'skipCache' });
    expect(fallback.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'frame_sso_unavailable' });
    expect(authorizations()).toHaveLength(1);
    expect(await frames(page)).toBe(0);
    // The account and its refresh token are untouched: the ordinary silent path still works.
    expect((await silent(page, { forceRefresh: true })).error).toBeUndefined();
    expect((await accounts(page)).map((a) => a.username)).toEqual(['omar@example.test']);
    await context.removeProfile();
  });
});
