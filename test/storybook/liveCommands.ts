// Vitest browser commands (they run in Node, next to the browser) for the live story
// stories/Live.stories.tsx: a real local identity provider for the story, and a hand on the
// provider's sign-in page, which is cross-origin to the story and so out of its reach.
import type { BrowserCommand } from 'vitest/node';
import type { Page } from 'playwright-core';
import type { Idp } from '../idp/createIdp.mjs';
import { completeLogin } from '../e2e/harness/login';
import { liveRedirectPath } from './liveRedirectPage.mjs';

export { liveRedirectPage } from './liveRedirectPage.mjs';

// Vitest loads this module once for the config and may load it again elsewhere; one provider
// per process either way, closed when the run ends.
const slot = globalThis as { __keywardLiveIdp?: Promise<Idp> };

// vite.config.ts imports this file; the provider is loaded only when a story asks for it,
// not by every build that reads the config.
async function liveIdp(origin: string): Promise<Idp> {
  // By URL: Vite bundles the config into node_modules/.vite-temp, where a relative specifier
  // would point nowhere; it rewrites import.meta.url to this file's own URL.
  const { createIdp } = (await import(new URL('../idp/createIdp.mjs', import.meta.url).href)) as typeof import('../idp/createIdp.mjs');
  slot.__keywardLiveIdp ??= createIdp({ redirectUris: [`${origin}${liveRedirectPath}`], corsOrigins: [origin] }).then((idp) => {
    // Do not keep the test process alive for it.
    idp.server.unref();
    return idp;
  });
  return slot.__keywardLiveIdp;
}

/** Starts (once) the local provider for the story's origin; answers what the story configures. */
export const keywardLiveIdp: BrowserCommand<[origin: string]> = async (_context, origin) => {
  const idp = await liveIdp(origin);
  return { authority: idp.issuer, clientId: 'spa', redirectUri: `${origin}${liveRedirectPath}` };
};

/** Signs `login` in on the provider's page in the sign-in popup the story opened. */
export const keywardCompleteSignIn: BrowserCommand<[login: string]> = async (context, login) => {
  const idp = await slot.__keywardLiveIdp;
  if (!idp) throw new Error('keywardCompleteSignIn: call keywardLiveIdp first.');
  const deadline = Date.now() + 15_000;
  let popup: Page | undefined;
  while (!popup && Date.now() < deadline) {
    popup = context.context.pages().find((page) => page !== context.page && page.url().startsWith(idp.issuer));
    if (!popup) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!popup) throw new Error(`keywardCompleteSignIn: no popup on ${idp.issuer} appeared within 15 s.`);
  await completeLogin(popup, { login });
  return { tokenRequests: idp.tokenRequests.length };
};

/** How many requests the provider's token endpoint has answered (the story asserts on it). */
export const keywardLiveTokenRequests: BrowserCommand<[]> = async () => {
  const idp = await slot.__keywardLiveIdp;
  return idp ? idp.tokenRequests.map((request) => ({ grant_type: request.grant_type, status: request.status })) : [];
};
