// Entra hybrid SPA: the web app's server redeems the sign-in code with `returnSpaCode`
// (return_spa_code=1) and gets a second code, which the browser client redeems itself with
// acquireTokenByCode in Chromium: an account and tokens in the page, no second sign-in.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthenticationResult } from '../../src/index.js';
import { TENANT_A } from '../idp/entra/createEntraIdp.mjs';
import { LOGIN_HOST, openEntraApp, startEntraE2E, type EntraE2E } from './entraFixtures';
import type { Settled } from './fixtures';
import { recordRequests } from './harness/harness';
import { completeLogin } from './harness/login';
import { SECRET, serverClient, tokenRequestsOf } from './serverFixtures';

let e2e: EntraE2E;
beforeAll(async () => {
  e2e = await startEntraE2E({ confidentialClients: [{ client_id: 'hybrid-web', client_secret: SECRET }] });
});
afterAll(() => e2e?.close());

/** The server half: a browser sign-in carried to the server's redirect URI, then the server's redemption. */
async function serverSignIn(login: string, returnSpaCode: boolean): Promise<AuthenticationResult> {
  const web = serverClient(e2e.idp, { clientId: 'hybrid-web', clientCredential: SECRET, redirectUri: e2e.app.url });
  const flow = await web.initiateAuthCodeFlow(['api://demo/read']);
  const context = await e2e.newContext();
  await context.route(`${e2e.app.url}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: 'server callback' }));
  const page = await context.newPage();
  await page.goto(flow.authUri);
  await completeLogin(page, { login });
  await page.waitForURL((url) => url.href.startsWith(e2e.app.url) && url.searchParams.has('code'));
  const authResponse = Object.fromEntries(new URL(page.url()).searchParams);
  await context.close();
  const result = await web.acquireTokenByAuthCodeFlow(flow, authResponse, undefined, { returnSpaCode });
  if (!('accessToken' in result)) throw new Error(`token error ${result.error}`);
  return result;
}

/** `acquireTokenByCode({ code })` in a fresh page of the hybrid app's browser client. */
async function redeemInBrowser(code: string) {
  const context = await e2e.newContext();
  const page = await openEntraApp(e2e, context, { clientId: 'hybrid-web', authority: `${LOGIN_HOST}/${TENANT_A}` });
  const tokenPosts = recordRequests(context, `${LOGIN_HOST}/${TENANT_A}/oauth2/v2.0/token`);
  const outcome = (await page.evaluate(
    (spaCode) => window.settle(window.app.acquireTokenByCode({ code: spaCode, scopes: ['api://demo/read'] })),
    code,
  )) as Settled<AuthenticationResult>;
  const accounts = await page.evaluate(() => window.app.getAccounts());
  await context.close();
  return { outcome, accounts, tokenPosts };
}

describe('hybrid SPA code', () => {
  it('the server gets spaCode only when it asks (return_spa_code=1)', async () => {
    e2e.idp.reset();
    const plain = await serverSignIn('hana', false);
    expect(plain.spaCode).toBeUndefined();
    expect(tokenRequestsOf(e2e.idp, 'authorization_code')[0]!.body.return_spa_code).toBeUndefined();
  });

  it('a server-side redemption with returnSpaCode, then acquireTokenByCode in Chromium: the browser has the account and its own tokens; a replayed code fails', async () => {
    e2e.idp.reset();
    const server = await serverSignIn('hugo', true);
    const [serverRedemption] = tokenRequestsOf(e2e.idp, 'authorization_code');
    expect(serverRedemption).toMatchObject({ status: 200, client_id: 'hybrid-web' });
    expect(serverRedemption!.body).toMatchObject({ return_spa_code: '1', client_secret: '[redacted]' });
    expect(server.spaCode).toEqual(expect.any(String));
    expect(server.spaCode).not.toBe(serverRedemption!.body.code);

    const { outcome, accounts, tokenPosts } = await redeemInBrowser(server.spaCode!);
    expect(outcome.error).toBeUndefined();
    const browser = outcome.result!;
    expect(browser.account).toMatchObject({ username: 'hugo@contoso.onmicrosoft.com', tenantId: TENANT_A, homeAccountId: server.account.homeAccountId });
    expect(browser.fromCache).toBe(false);
    expect(browser.accessToken).not.toBe(server.accessToken);
    expect(decodeJwt(browser.accessToken)).toMatchObject({ aud: 'api://demo', oid: decodeJwt(server.accessToken).oid });
    expect(accounts.map((a) => a.username)).toEqual(['hugo@contoso.onmicrosoft.com']);
    // What the page sent, as MSAL.js does for a SPA code: no secret, no PKCE verifier, no redirect_uri.
    expect(tokenPosts).toHaveLength(1);
    const form = new URLSearchParams(tokenPosts[0]!.postData ?? '');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code')).toBe(server.spaCode);
    expect(form.get('client_id')).toBe('hybrid-web');
    for (const absent of ['client_secret', 'client_assertion', 'code_verifier', 'redirect_uri', 'return_spa_code']) expect(form.has(absent)).toBe(false);

    const replay = await redeemInBrowser(server.spaCode!);
    expect(replay.outcome.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'invalid_grant' });
    expect(replay.accounts).toEqual([]);
  });

  it('a SPA code redeemed from a server (no Origin) is refused, as Entra refuses it (AADSTS9002327)', async () => {
    const server = await serverSignIn('hedy', true);
    const response = await e2e.idp.fetch(`${LOGIN_HOST}/${TENANT_A}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'hybrid-web', code: server.spaCode!, scope: 'openid' }).toString(),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request', error_codes: [9002327] });
  });
});
