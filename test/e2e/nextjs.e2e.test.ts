// The Next.js App Router example (examples/nextjs) against the packed keyward build: it
// installs from its own lock, `next build` passes, `next start` serves server-rendered pages
// that hydrate without a warning, and a redirect sign-in on the protected page gets a token
// that the app's own API route accepts. The provider is the local oidc-provider; Chromium
// talks to loopback only.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { createIdp, type Idp } from '../idp/createIdp.mjs';
import { launchBrowser, newContext } from './harness/browser';
import { completeLogin } from './harness/login';
import { buildExample, type ExampleServer, freePort, installExample, startExample } from './harness/nextjsExample';
import { repoRoot } from './harness/paths';

let idp: Idp | undefined;
let server: ExampleServer | undefined;
let browser: Browser | undefined;
let buildOutput = '';

beforeAll(async () => {
  await installExample();
  buildOutput = await buildExample();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // The example leaves redirectUri to its default: the page the sign-in started on.
  idp = await createIdp({ redirectUris: [`${origin}/`, `${origin}/protected`], corsOrigins: [origin] });
  server = await startExample(port, { KEYWARD_AUTHORITY: idp.issuer, KEYWARD_CLIENT_ID: 'spa' });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await idp?.close();
});

/** Console errors and warnings, and uncaught errors, from the moment the page opens (a hydration mismatch is reported through them). */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    // The app's own messages: the provider's sign-in page (another origin) loads web fonts the loopback-only browser refuses.
    if (!message.location().url.startsWith(server!.origin)) return;
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Resolves once React has hydrated the document (Next sets this after hydrateRoot). */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { next?: { version?: string } }).next?.version !== undefined);
}

it('the react entry of the build starts with "use client"; the core entry does not', () => {
  expect(readFileSync(`${repoRoot}/dist/react.js`, 'utf8').startsWith('"use client";')).toBe(true);
  expect(readFileSync(`${repoRoot}/dist/index.js`, 'utf8')).not.toContain('use client');
});

it('next build passes, with the server layout rendering AuthProvider from keyward/react', () => {
  expect(buildOutput).toMatch(/Compiled successfully/);
  expect(buildOutput).toContain('/protected');
});

it('the server-rendered home page hydrates without a warning, then shows that nobody is signed in', async () => {
  const html = await (await fetch(`${server!.origin}/`)).text();
  // The server renders the start-up state: who is signed in is known only in the browser.
  expect(html).toContain('Checking who is signed in');
  const context = await newContext(browser!);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server!.origin}/`);
  await hydrated(page);
  await expect.poll(() => page.locator('#status').textContent()).toBe('Nobody is signed in.');
  expect(problems).toEqual([]);
  await context.close();
});

it('the protected page signs in with a redirect to the local provider, gets a token, and the API route accepts it; no hydration warning', async () => {
  const context = await newContext(browser!);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server!.origin}/protected`);
  // RequireAuth starts the redirect sign-in once keyward has initialized.
  await page.waitForURL((url) => url.origin === idp!.issuer, { timeout: 20_000 });
  await completeLogin(page, { login: 'alice' });
  await page.waitForURL((url) => url.origin === server!.origin && url.pathname === '/protected');
  await hydrated(page);
  await expect.poll(() => page.locator('#api-answer').textContent(), { timeout: 20_000 }).toBe('hello alice, your token is good');
  expect(await page.locator('#username').textContent()).toBe('alice@example.test');
  expect(await page.locator('#token-status').textContent()).toBe('token: success');
  // The response parameters are gone from the address bar.
  expect(new URL(page.url()).search).toBe('');

  // A full reload of another page, signed in: server-rendered, hydrated without a warning, then the account.
  await page.goto(`${server!.origin}/`);
  await hydrated(page);
  await expect.poll(() => page.locator('#username').textContent()).toBe('alice@example.test');
  expect(problems).toEqual([]);
  expect(server!.output()).not.toMatch(/error/i);
  await context.close();
});
