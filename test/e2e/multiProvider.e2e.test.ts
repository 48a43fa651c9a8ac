// Several clients on one page, in real Chromium against two real local providers: each client
// lists only its own accounts, a sign-out of one leaves the other signed in (also after a
// reload), and a redirect response is handled by the client that started it, ignored by the
// other. Both clients use the default token cache (IndexedDB, one database for the origin).
import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticationResult, PublicClientApplicationOptions } from '../../src/index.js';
import { createIdp, type Idp, publicClient } from '../idp/createIdp.mjs';
import { SCOPES, type Settled } from './fixtures';
import { launchBrowser, newContext } from './harness/browser';
import { completeLogin } from './harness/login';
import { appOutDir } from './harness/paths';
import { startStaticServer, type StaticServer } from './harness/staticServer';

let app: StaticServer;
let appUrl: string;
/** Registers two public clients, `spa` and `spa2`. */
let idp1: Idp;
/** Another provider, with a client that is also called `spa`. */
let idp2: Idp;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  app = await startStaticServer(appOutDir);
  appUrl = `${app.origin}/`;
  const redirectUris = [appUrl, `${app.origin}/popup.html`];
  const common = { redirectUris, corsOrigins: [app.origin] };
  idp1 = await createIdp({ ...common, clients: [publicClient('spa', redirectUris), publicClient('spa2', redirectUris)] });
  idp2 = await createIdp({ ...common, clients: [publicClient('spa', redirectUris)] });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([idp1?.close(), idp2?.close(), app?.close()]);
});

type Clients = { name: string; config: PublicClientApplicationOptions }[];

/** Opens the test page with the clients built in this order; waits until each has handled the page load. */
async function openClients(context: BrowserContext, clients: Clients): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript((multi) => {
    (window as unknown as { __E2E_MULTI__: unknown }).__E2E_MULTI__ = multi;
  }, clients);
  await page.goto(appUrl);
  await settled(page);
  return page;
}

/** What each client's initialize() + handleRedirectPromise() came to on this page load. */
async function settled(page: Page): Promise<Record<string, Settled<AuthenticationResult | null>>> {
  await page.waitForFunction(() => typeof window.redirectOutcomes === 'object');
  return page.evaluate(async () => {
    const entries = await Promise.all(Object.entries(window.redirectOutcomes).map(async ([name, outcome]) => [name, await outcome] as const));
    return Object.fromEntries(entries);
  });
}

async function usernames(page: Page, name: string): Promise<string[]> {
  return page.evaluate(async (n) => (await window.apps[n]!.getAccounts()).map((a) => `${a.username}@${a.environment}`), name);
}

async function popupSignIn(page: Page, name: string, login: string): Promise<Settled<AuthenticationResult>> {
  const popupOpened = page.waitForEvent('popup');
  const outcome = page.evaluate(({ n, scopes }) => window.settle(window.apps[n]!.acquireTokenInteractive({ scopes, interaction: 'popup', prompt: 'login' })), {
    n: name,
    scopes: SCOPES,
  });
  await completeLogin(await popupOpened, { login });
  return outcome;
}

/** A redirect sign-in by client `name`; resolves with every client's outcome on the page the provider returns to. */
async function redirectSignIn(page: Page, name: string, issuer: string, login: string): Promise<Record<string, Settled<AuthenticationResult | null>>> {
  await page.evaluate(
    ({ n, scopes }) => {
      void window.apps[n]!.acquireTokenInteractive({ scopes, interaction: 'redirect', prompt: 'login' });
    },
    { n: name, scopes: SCOPES },
  );
  await page.waitForURL((url) => url.href.startsWith(`${issuer}/`));
  await completeLogin(page, { login });
  await page.waitForURL((url) => url.href.startsWith(appUrl));
  return settled(page);
}

/** A token for the client's first account, from the provider (a refresh), not the cache. */
async function refreshed(page: Page, name: string): Promise<Settled<AuthenticationResult | null>> {
  return page.evaluate(
    async ({ n, scopes }) => {
      const client = window.apps[n]!;
      const [account] = await client.getAccounts();
      if (!account) return { result: null };
      return window.settle(client.acquireTokenSilent(scopes, account, { forceRefresh: true }));
    },
    { n: name, scopes: SCOPES },
  );
}

const grants = (idp: Idp, clientId: string, grantType: string) =>
  idp.tokenRequests.filter((r) => r.client_id === clientId && r.grant_type === grantType && r.status === 200).length;

describe('two providers, one client id (spa at each)', () => {
  const clients = (first: 'a' | 'b'): Clients => {
    const a = { name: 'a', config: { clientId: 'spa', oidcAuthority: idp1.issuer, redirectUri: appUrl } };
    const b = { name: 'b', config: { clientId: 'spa', oidcAuthority: idp2.issuer, redirectUri: appUrl } };
    return first === 'a' ? [a, b] : [b, a];
  };

  it('signs in to both; each lists only its own; signing out of one leaves the other signed in, also after a reload', async () => {
    const context = await newContext(browser);
    // `a` is built first: it sees the redirect response of `b` first.
    const page = await openClients(context, clients('a'));
    const env1 = new URL(idp1.issuer).host;
    const env2 = new URL(idp2.issuer).host;

    const popup = await popupSignIn(page, 'a', 'alice');
    expect(popup.error).toBeUndefined();
    expect(popup.result?.account.environment).toBe(env1);

    const outcomes = await redirectSignIn(page, 'b', idp2.issuer, 'bob');
    // The response came back for `b`: `a` leaves it alone (no result, no error), `b` redeems it.
    expect(outcomes.a).toEqual({ result: null });
    expect(outcomes.b?.error).toBeUndefined();
    expect(outcomes.b?.result?.account.username).toBe('bob@example.test');
    expect(outcomes.b?.result?.account.environment).toBe(env2);

    expect(await usernames(page, 'a')).toEqual([`alice@example.test@${env1}`]);
    expect(await usernames(page, 'b')).toEqual([`bob@example.test@${env2}`]);
    // The snapshot (what React renders) and the events follow the same rule.
    const snapshotA = await page.evaluate(() => window.apps.a!.getSnapshot().accounts.map((a) => a.username));
    expect(snapshotA).toEqual(['alice@example.test']);

    // Sign-out of `a` without naming an account: all of a's accounts, none of b's.
    const signOut = await page.evaluate(() => window.settle(window.apps.a!.logout({ interaction: 'none' })));
    expect(signOut.error).toBeUndefined();
    expect(await usernames(page, 'a')).toEqual([]);
    expect(await usernames(page, 'b')).toEqual([`bob@example.test@${env2}`]);
    const before = grants(idp2, 'spa', 'refresh_token');
    const token = await refreshed(page, 'b');
    expect(token.error).toBeUndefined();
    expect(token.result?.account.username).toBe('bob@example.test');
    expect(grants(idp2, 'spa', 'refresh_token')).toBe(before + 1);

    await page.reload();
    const afterReload = await settled(page);
    expect(afterReload.a).toEqual({ result: null });
    expect(afterReload.b).toEqual({ result: null });
    expect(await usernames(page, 'a')).toEqual([]);
    expect(await usernames(page, 'b')).toEqual([`bob@example.test@${env2}`]);
    const again = await refreshed(page, 'b');
    expect(again.error).toBeUndefined();
    expect(again.result?.account.username).toBe('bob@example.test');
    await context.close();
  });

  for (const starter of ['a', 'b'] as const) {
    const other = starter === 'a' ? 'b' : 'a';
    it(`a redirect sign-in started by ${starter} is handled by ${starter} and ignored by ${other} (built first)`, async () => {
      const context = await newContext(browser);
      const page = await openClients(context, clients(other));
      const issuer = starter === 'a' ? idp1.issuer : idp2.issuer;
      const outcomes = await redirectSignIn(page, starter, issuer, 'carol');
      expect(outcomes[other]).toEqual({ result: null });
      expect(outcomes[starter]?.error).toBeUndefined();
      expect(outcomes[starter]?.result?.account.environment).toBe(new URL(issuer).host);
      expect(await usernames(page, starter)).toEqual([`carol@example.test@${new URL(issuer).host}`]);
      expect(await usernames(page, other)).toEqual([]);
      // The other client saw no sign-in: no event, no account change.
      const events = await page.evaluate((n) => window.appEvents[n]!, other);
      expect(events.filter((e) => e.type === 'signIn' || e.type === 'error' || e.type === 'accountsChanged')).toEqual([]);
      await context.close();
    });
  }
});

describe('one provider, two client ids (spa and spa2)', () => {
  const clients = (): Clients => [
    { name: 'a', config: { clientId: 'spa', oidcAuthority: idp1.issuer, redirectUri: appUrl } },
    { name: 'b', config: { clientId: 'spa2', oidcAuthority: idp1.issuer, redirectUri: appUrl } },
  ];

  it('the same person in both: each lists the account once it signed in itself; signing out of one leaves the other, also after a reload', async () => {
    const context = await newContext(browser);
    const page = await openClients(context, clients());
    const env = new URL(idp1.issuer).host;

    const outcomes = await redirectSignIn(page, 'a', idp1.issuer, 'dora');
    expect(outcomes.b).toEqual({ result: null });
    expect(outcomes.a?.result?.account.username).toBe('dora@example.test');
    // Signed in to `a` only: `b` has no tokens for dora, so it lists nobody.
    expect(await usernames(page, 'a')).toEqual([`dora@example.test@${env}`]);
    expect(await usernames(page, 'b')).toEqual([]);
    expect(await page.evaluate(() => window.apps.b!.getSnapshot().accounts.length)).toBe(0);

    const popup = await popupSignIn(page, 'b', 'dora');
    expect(popup.error).toBeUndefined();
    expect(popup.result?.account.homeAccountId).toBe(outcomes.a?.result?.account.homeAccountId);
    expect(await usernames(page, 'b')).toEqual([`dora@example.test@${env}`]);

    // Sign-out of `b` (one account named): a's tokens for the same person stay.
    const removed = await page.evaluate(async () => {
      const b = window.apps.b!;
      const [account] = await b.getAccounts();
      return window.settle(b.removeAccount(account!));
    });
    expect(removed.error).toBeUndefined();
    expect(await usernames(page, 'b')).toEqual([]);
    expect(await usernames(page, 'a')).toEqual([`dora@example.test@${env}`]);
    const before = grants(idp1, 'spa', 'refresh_token');
    const token = await refreshed(page, 'a');
    expect(token.error).toBeUndefined();
    expect(token.result?.account.username).toBe('dora@example.test');
    expect(grants(idp1, 'spa', 'refresh_token')).toBe(before + 1);

    await page.reload();
    await settled(page);
    expect(await usernames(page, 'a')).toEqual([`dora@example.test@${env}`]);
    expect(await usernames(page, 'b')).toEqual([]);
    const again = await refreshed(page, 'a');
    expect(again.error).toBeUndefined();
    expect(await refreshed(page, 'b')).toEqual({ result: null });
    await context.close();
  });

  it("signing out of one client while both refresh in another tab: that client's answer is discarded there (no resurrected session, in any tab or after a reload), the other client's refresh lands", async () => {
    const context = await newContext(browser);
    const first = await openClients(context, clients());
    expect((await popupSignIn(first, 'a', 'erin')).error).toBeUndefined();
    expect((await popupSignIn(first, 'b', 'erin')).error).toBeUndefined();
    const second = await openClients(context, clients());
    const env = new URL(idp1.issuer).host;
    expect(await usernames(second, 'b')).toEqual([`erin@example.test@${env}`]);

    // The provider answers both refreshes (and rotates); the answers reach the second tab only when released.
    const held: { clientId: string; release: () => void }[] = [];
    await context.route(`${idp1.issuer}/token`, async (route: Route) => {
      const body = new URLSearchParams(route.request().postData() ?? '');
      if (body.get('grant_type') !== 'refresh_token') return route.continue();
      const response = await route.fetch();
      await new Promise<void>((release) => held.push({ clientId: body.get('client_id') ?? '', release }));
      await route.fulfill({ response }).catch(() => {}); // an aborted request has nobody to answer
    });
    const refreshingA = refreshed(second, 'a');
    const refreshingB = refreshed(second, 'b');
    await expect.poll(() => held.map((h) => h.clientId).sort(), { timeout: 10_000 }).toEqual(['spa', 'spa2']);

    // The first tab signs erin out of `b` only: a's tokens for her stay.
    const removed = await first.evaluate(async () => {
      const b = window.apps.b!;
      const [account] = await b.getAccounts();
      return window.settle(b.removeAccount(account!));
    });
    expect(removed.error).toBeUndefined();
    for (const h of held) h.release();
    const [outcomeA, outcomeB] = await Promise.all([refreshingA, refreshingB]);
    expect(outcomeB.result ?? null).toBeNull();
    expect(outcomeB.error?.errorCode).toBe('account_signed_out');
    expect(outcomeA.error).toBeUndefined();
    expect(outcomeA.result?.fromCache).toBe(false);
    await context.unroute(`${idp1.issuer}/token`);

    for (const page of [first, second]) {
      await expect.poll(() => usernames(page, 'b'), { timeout: 5_000 }).toEqual([]);
      expect(await usernames(page, 'a')).toEqual([`erin@example.test@${env}`]);
    }
    const third = await openClients(context, clients());
    expect(await usernames(third, 'b')).toEqual([]);
    expect(await refreshed(third, 'b')).toEqual({ result: null });
    // a's rotated refresh token (the one its released answer brought) is the stored one: it refreshes again.
    const again = await refreshed(third, 'a');
    expect(again.error).toBeUndefined();
    expect(again.result?.fromCache).toBe(false);
    await context.close();
  });
});
