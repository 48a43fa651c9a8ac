// keyward/server with a person involved, against the local Entra authority: a middle-tier
// API exchanging a user token from a real browser sign-in (Chromium, the e2e page's popup)
// for a downstream token (on-behalf-of), and a server-side web app signing a person in with
// the authorization-code methods, its client secret on every token request.
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerializableTokenCache } from '../../src/server/index.js';
import { DOWNSTREAM_SCOPES, TENANT_A } from '../idp/entra/createEntraIdp.mjs';
import { makeTestPki } from '../server/testCredentials';
import { LOGIN_HOST, openEntraApp, startEntraE2E, type EntraE2E } from './entraFixtures';
import { popupSignIn } from './fixtures';
import { completeLogin } from './harness/login';
import { APP_SCOPES, SECRET, confidentialClients, rejection, serverClient, tokenRequestsOf } from './serverFixtures';

const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
let e2e: EntraE2E;

beforeAll(async () => {
  e2e = await startEntraE2E({ confidentialClients: confidentialClients(makeTestPki()) });
});
afterAll(() => e2e?.close());

const signedIn = new Map<string, Promise<string>>();
/** A user's access token for api://demo (the middle tier's App ID URI), from a popup sign-in in Chromium (once per login). */
function userToken(login: string): Promise<string> {
  if (!signedIn.has(login)) signedIn.set(login, signInInBrowser(login));
  return signedIn.get(login)!;
}

async function signInInBrowser(login: string): Promise<string> {
  const context = await e2e.newContext();
  const page = await openEntraApp(e2e, context, { authority: `${LOGIN_HOST}/${TENANT_A}` });
  const signIn = await popupSignIn(page, { login });
  await context.close();
  expect(signIn.error).toBeUndefined();
  return signIn.result!.accessToken;
}

describe('on-behalf-of', () => {
  it('exchanges a browser-issued user token for a downstream token for the same person; cached per user assertion', async () => {
    const ada = await userToken('ada');
    expect(decodeJwt(ada)).toMatchObject({ aud: 'api://demo', azp: 'spa' });
    const cache = new SerializableTokenCache();
    // azureRegion applies to client credentials only: on-behalf-of stays on the global host.
    const middle = serverClient(e2e.idp, { clientId: 'middle-tier', clientCredential: SECRET, tokenCache: cache, azureRegion: 'westus2' });
    e2e.idp.reset();

    const downstream = await middle.acquireTokenOnBehalfOf(ada, [...DOWNSTREAM_SCOPES]);
    const claims = decodeJwt(downstream.accessToken);
    expect(claims).toMatchObject({ aud: 'api://downstream', azp: 'middle-tier', oid: e2e.idp.account('ada').oid, tid: TENANT_A, scp: 'read' });
    expect(claims.idtyp).toBeUndefined();
    expect(downstream).toMatchObject({ fromCache: false, scopes: DOWNSTREAM_SCOPES });

    const [request] = tokenRequestsOf(e2e.idp, OBO_GRANT);
    expect(request).toMatchObject({ status: 200, host: 'login.microsoftonline.com', client_id: 'middle-tier' });
    expect(request!.body).toMatchObject({ requested_token_use: 'on_behalf_of', assertion: ada, client_secret: '[redacted]' });
    expect(request!.headers['x-client-current-telemetry']).toBe('4|523,2|');

    // Same assertion: from the cache. The entry is keyed by the assertion's hash, never the token.
    expect(await middle.acquireTokenOnBehalfOf(ada, [...DOWNSTREAM_SCOPES])).toMatchObject({ fromCache: true, accessToken: downstream.accessToken });
    expect(tokenRequestsOf(e2e.idp, OBO_GRANT)).toHaveLength(1);
    const [entry] = Object.values(JSON.parse(cache.serialize()).AccessToken as Record<string, Record<string, string>>);
    expect(entry).toMatchObject({
      user_assertion_hash: createHash('sha256').update(ada).digest('base64url'),
      home_account_id: `${e2e.idp.account('ada').oid}.${TENANT_A}`,
    });
    expect(JSON.stringify(entry)).not.toContain(ada);

    // Another person's assertion is another cache entry: a new request, a token for them.
    const bob = await userToken('bob');
    const forBob = await middle.acquireTokenOnBehalfOf(bob, [...DOWNSTREAM_SCOPES]);
    expect(forBob.fromCache).toBe(false);
    expect(decodeJwt(forBob.accessToken).oid).toBe(e2e.idp.account('bob').oid);
    expect(await middle.acquireTokenOnBehalfOf(ada, [...DOWNSTREAM_SCOPES])).toMatchObject({ fromCache: true, accessToken: downstream.accessToken });
  });

  it('the authority refuses an app token or a token for another app as the user assertion (AADSTS50013)', async () => {
    const appToken = (await serverClient(e2e.idp, { clientId: 'daemon-secret', clientCredential: SECRET }).acquireTokenForClient(APP_SCOPES)).accessToken;
    const middle = serverClient(e2e.idp, { clientId: 'middle-tier', clientCredential: SECRET });
    const error = await rejection(middle.acquireTokenOnBehalfOf(appToken, [...DOWNSTREAM_SCOPES]));
    expect(error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'invalid_grant', errorCodes: [50013] });
    // A user token whose audience is api://demo presented by a client that is not api://demo.
    const ada = await userToken('ada');
    const wrongApp = serverClient(e2e.idp, { clientId: 'daemon-secret', clientCredential: SECRET });
    expect(await rejection(wrongApp.acquireTokenOnBehalfOf(ada, [...DOWNSTREAM_SCOPES]))).toMatchObject({ errorCode: 'invalid_grant', errorCodes: [50013] });
  });
});

describe('server-side web app (authorization code with a client secret)', () => {
  it('initiateAuthCodeFlow → browser sign-in → acquireTokenByAuthCodeFlow; accounts, silent refresh with the secret, removeAccount', async () => {
    const web = serverClient(e2e.idp, { clientId: 'daemon-secret', clientCredential: SECRET, redirectUri: e2e.app.url });
    const flow = await web.initiateAuthCodeFlow(['api://demo/read']);

    // The browser only carries the person through the authority's pages; the server gets the redirect's query.
    const context = await e2e.newContext();
    await context.route(`${e2e.app.url}**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: 'server callback' }));
    const page = await context.newPage();
    await page.goto(flow.authUri);
    await completeLogin(page, { login: 'carol' });
    await page.waitForURL((url) => url.href.startsWith(e2e.app.url) && url.searchParams.has('code'));
    const authResponse = Object.fromEntries(new URL(page.url()).searchParams);
    await context.close();

    e2e.idp.reset();
    const result = await web.acquireTokenByAuthCodeFlow(flow, authResponse);
    if (!('accessToken' in result)) throw new Error(`token error ${result.error}`);
    expect(result.account).toMatchObject({ username: 'carol@contoso.onmicrosoft.com', tenantId: TENANT_A });
    const [code] = tokenRequestsOf(e2e.idp, 'authorization_code');
    expect(code).toMatchObject({ status: 200, client_id: 'daemon-secret' });
    expect(code!.body.client_secret).toBe('[redacted]');
    expect(code!.body.code_verifier).toBeDefined();

    const [account] = await web.getAccounts();
    expect(account?.homeAccountId).toBe(result.account.homeAccountId);
    const refreshed = await web.acquireTokenSilent(['api://demo/read'], account!, { forceRefresh: true });
    expect(refreshed).toMatchObject({ fromCache: false });
    const [refresh] = tokenRequestsOf(e2e.idp, 'refresh_token');
    expect(refresh).toMatchObject({ status: 200, client_id: 'daemon-secret' });
    expect(refresh!.body.client_secret).toBe('[redacted]');

    await web.removeAccount(account!);
    expect(await web.getAccounts()).toEqual([]);
  });
});
