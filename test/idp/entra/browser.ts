// Chromium for the local Entra authority: resolver rules that point Entra's
// hosts at it, a context that accepts its self-signed certificate, and the
// device-code pages driven like a person would.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type LaunchOptions, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../../vite.config';
import { DEVICE_VERIFICATION_URI, entraResolverRules, type EntraIdp } from './createEntraIdp.mjs';

export { entraResolverRules };

type MappedIdp = Pick<EntraIdp, 'port' | 'mappedHosts'>;

/** chromiumArgs with its loopback-only resolver rule replaced by entraResolverRules (Chromium honours one such flag). */
export function entraChromiumArgs(idp: MappedIdp): string[] {
  return [...chromiumArgs.filter((a) => !a.startsWith('--host-resolver-rules=')), `--host-resolver-rules=${entraResolverRules(idp)}`];
}

export interface LaunchEntraBrowserOptions extends LaunchOptions {
  /** Chromium's real popup blocker (see test/e2e/harness/browser.ts). */
  popupBlocking?: boolean;
}

export function launchEntraBrowser(idp: MappedIdp, { popupBlocking = false, ...opts }: LaunchEntraBrowserOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: entraChromiumArgs(idp),
    headless: true,
    ...(popupBlocking ? { ignoreDefaultArgs: ['--disable-popup-blocking'] } : {}),
    ...opts,
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/**
 * A context that accepts the IdP's self-signed certificate and talks only to
 * loopback and the mapped Entra hosts (anything else is aborted, like
 * test/e2e/harness/browser.ts newContext, which would abort the Entra hosts).
 */
export async function newEntraContext(browser: Browser, idp: MappedIdp, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, ...options });
  const allowed = new Set([...LOOPBACK, ...idp.mappedHosts]);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return !web || allowed.has(url.hostname) ? route.fallback() : route.abort('blockedbyclient');
  });
  return context;
}

export interface DeviceCodeOptions {
  /** Where the person starts; default DEVICE_VERIFICATION_URI (-> /common/oauth2/deviceauth). */
  verificationUri?: string;
  /** Dev login page password (any value signs in). */
  password?: string;
  /** Per step; default 10 s. */
  timeout?: number;
}

/** Clicks and waits until the main frame has navigated (form posts may keep the same URL). */
async function clickAndNavigate(page: Page, target: ReturnType<Page['locator']>, timeout: number): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout });
  await target.click({ timeout });
  await navigated;
}

/** Opens the device page, types the code, submits, and waits for the confirmation page. */
async function enterCode(page: Page, userCode: string, { verificationUri = DEVICE_VERIFICATION_URI, timeout = 10_000 }: DeviceCodeOptions): Promise<void> {
  await page.goto(verificationUri);
  const input = page.locator('input[name="user_code"]');
  await input.waitFor({ timeout });
  await input.fill(userCode);
  await clickAndNavigate(page, page.locator('button[type="submit"][form="op.deviceInputForm"]'), timeout);
  // A code issued by another tenant takes a redirect + auto-posted form first.
  await page.locator('form#op\\.deviceConfirmForm').waitFor({ state: 'attached', timeout });
}

/**
 * Approves a device code as a person would: verification page, code, confirm,
 * sign in as `login` on the dev login page (skipped when already signed in),
 * consent if asked. Resolves on the "Sign-in Success" page.
 */
export async function approveDeviceCode(page: Page, userCode: string, login: string, options: DeviceCodeOptions = {}): Promise<void> {
  const timeout = options.timeout ?? 10_000;
  await enterCode(page, userCode, options);
  await clickAndNavigate(page, page.locator('button[autofocus][form="op.deviceConfirmForm"]'), timeout);
  for (let step = 0; step < 4; step += 1) {
    const loginInput = page.locator('input[name="login"]');
    const consent = page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
    const success = page.locator('h1', { hasText: 'Sign-in Success' });
    const error = page.locator('p.red');
    await loginInput.or(consent).or(success).or(error).first().waitFor({ timeout });
    if (await success.count()) return;
    if (await error.count()) throw new Error(`device code page: ${await error.first().textContent()}`);
    if (await loginInput.count()) {
      await loginInput.fill(login);
      await page.locator('input[name="password"]').fill(options.password ?? `pw-${login}`);
      await clickAndNavigate(page, page.locator('form:has(input[name="prompt"][value="login"]) button[type="submit"]'), timeout);
    } else {
      await clickAndNavigate(page, consent, timeout);
    }
  }
  throw new Error('device code approval did not reach the success page');
}

/** Enters the code and clicks "[ Abort ]" on the confirmation page: the device then gets `authorization_declined`. */
export async function denyDeviceCode(page: Page, userCode: string, options: DeviceCodeOptions = {}): Promise<void> {
  await enterCode(page, userCode, options);
  await clickAndNavigate(page, page.locator('button[name="abort"][form="op.deviceConfirmForm"]'), options.timeout ?? 10_000);
  await page.locator('p.red', { hasText: 'interrupted' }).waitFor({ timeout: options.timeout ?? 10_000 });
}
