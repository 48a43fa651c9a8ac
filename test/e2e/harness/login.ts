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
  const left = page.waitForURL((url) => url.href !== before, { waitUntil: 'commit' }).catch((error: unknown) => {
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
  await submitAndLeave(page, () => page.locator('form:has(input[name="prompt"][value="login"]) button[type="submit"]').click());
  if (page.isClosed()) return;

  // After login the IdP either redirects to the app or shows consent; both
  // commit a new URL, so look at the document to tell which.
  await page.waitForLoadState('domcontentloaded').catch(isClosedError(page));
  if (page.isClosed()) return;
  const consent = page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
  if (await consent.count().catch(() => 0)) {
    await submitAndLeave(page, () => consent.click());
  }
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
