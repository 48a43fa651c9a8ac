import type { Page } from 'playwright-core';

export interface LoginOptions {
  login?: string;
  password?: string;
}

/**
 * Leaves the current page once it navigates away (or closes: a popup may be
 * closed by the app as soon as it lands on the redirect URI).
 */
async function submitAndLeave(page: Page, submit: () => Promise<void>): Promise<void> {
  const before = page.url();
  const left = page
    .waitForURL((url) => url.href !== before, { waitUntil: 'commit' })
    .catch((error: unknown) => {
      if (!page.isClosed()) throw error;
    });
  await submit();
  await left;
}

const isClosedError = (page: Page) => (error: unknown) => {
  if (!page.isClosed()) throw error;
};

/**
 * Signs in on oidc-provider's dev interaction pages: login form, then the
 * consent page when the grant is missing something. Resolves once the page has
 * left the IdP (usually: committed the redirect URI) or closed.
 * Works on a page that is still navigating to the login form (e.g. a new popup).
 */
export async function completeLogin(page: Page, { login = 'alice', password = 'pw' }: LoginOptions = {}): Promise<void> {
  const loginInput = page.locator('input[name="login"]');
  await loginInput.waitFor();
  await loginInput.fill(login);
  await page.locator('input[name="password"]').fill(password);
  const idpOrigin = new URL(page.url()).origin;
  await submitAndLeave(page, () => page.locator('form:has(input[name="prompt"][value="login"]) button[type="submit"]').click());

  // After login the IdP redirects through /auth/:uid either to the app or to a consent page
  // (itself a new /interaction/:uid). The first URL committed may be that intermediate
  // /auth/ hop, so wait until the page has left the IdP (or closed), answering consent if
  // it comes up on the way.
  const consent = page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
  const deadline = Date.now() + 30_000;
  while (!page.isClosed() && Date.now() < deadline) {
    let url: URL;
    try {
      url = new URL(page.url());
    } catch {
      return;
    }
    if (url.origin !== idpOrigin) return;
    if (await consent.count().catch(() => 0)) {
      await submitAndLeave(page, () => consent.click());
      continue;
    }
    await page.waitForTimeout(50).catch(isClosedError(page));
  }
  if (!page.isClosed() && new URL(page.url()).origin === idpOrigin) throw new Error(`completeLogin: still on the provider after 30 s (${page.url()})`);
}

/**
 * Clicks the dev interaction page's "[ Cancel ]" link (`/interaction/:uid/abort`);
 * oidc-provider then redirects to the redirect URI with `error=access_denied`.
 */
export async function abortLogin(page: Page): Promise<void> {
  const cancel = page.locator('.login-help a[href$="/abort"]');
  await cancel.waitFor();
  await submitAndLeave(page, () => cancel.click());
}
