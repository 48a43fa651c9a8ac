// Pushed authorization requests (RFC 9126) against oidc-provider's own PAR endpoint: the
// browser client (public) against a provider that requires PAR, and keyward/server
// (confidential, client secret) opting in, including a request_uri that expired.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfidentialClientApplication } from '../../src/server/index.js';
import { parseAuthResponseUrl } from '../../src/protocol/authResponse.js';
import { createIdp, type Idp } from '../idp/createIdp.mjs';
import { completeLogin } from './harness/login';
import { openApp, popupSignIn, SCOPES } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';
import { rejection } from './serverFixtures';

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ idpOptions: { requirePushedAuthorizationRequests: true } });
});
afterAll(() => e2e?.close());

describe('public client (browser), provider requires PAR', () => {
  it('refuses a plain authorization request, so the provider really requires PAR', async () => {
    const discovery = (await (await fetch(`${e2e.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({ require_pushed_authorization_requests: true, pushed_authorization_request_endpoint: `${e2e.idp.issuer}/request` });
    const plain = new URL(`${e2e.idp.issuer}/auth`);
    for (const [name, value] of Object.entries({
      client_id: 'spa',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: e2e.app.url,
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }))
      plain.searchParams.set(name, value);
    const response = await fetch(plain, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? 'http://none/');
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('signs in without any configuration: the browser pushes the parameters, /authorize gets only client_id and request_uri', async () => {
    const context = await e2e.newContext();
    const page = await openApp(e2e, context);
    const authorize = recordRequests(context, `${e2e.idp.issuer}/auth?`);
    e2e.idp.reset();

    const outcome = await popupSignIn(page, { login: 'paula' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.result!.account.username).toBe('paula@example.test');
    expect(outcome.result!.accessToken).toBeTruthy();

    expect(authorize).toHaveLength(1);
    const query = new URL(authorize[0]!.url).searchParams;
    expect([...query.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(query.get('client_id')).toBe('spa');
    expect(query.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);

    const [pushed, ...more] = e2e.idp.pushedRequests;
    expect(more).toEqual([]);
    expect(pushed).toMatchObject({ status: 201, origin: e2e.app.origin, request_uri: query.get('request_uri') });
    expect(pushed!.body).toMatchObject({ client_id: 'spa', response_type: 'code', redirect_uri: e2e.app.url, code_challenge_method: 'S256' });
    expect(pushed!.body.scope!.split(' ')).toEqual(expect.arrayContaining([...SCOPES, 'openid']));
    expect(pushed!.body.state).toMatch(/.{32}/);
    expect(pushed!.body.client_secret).toBeUndefined();
    await context.close();
  });
});

describe('confidential client (keyward/server), pushedAuthorizationRequests: true', () => {
  let redirectUri = '';
  let idp: Idp;
  let webApp: Server;
  beforeAll(async () => {
    // The web app's callback page; the test reads the response from the URL the browser lands on.
    webApp = createServer((_req, res) => res.end('back at the web app'));
    await new Promise<void>((resolve) => webApp.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(webApp.address() as AddressInfo).port}/callback`;
    idp = await createIdp({
      redirectUris: [],
      corsOrigins: [],
      // One registered redirect URI: oidc-provider then sends errors it cannot tie to a request (an unknown request_uri) back to it.
      clients: [
        {
          client_id: 'web',
          client_secret: 'web-secret',
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [redirectUri],
        },
      ],
      pushedRequestTtl: 2,
    });
  });
  afterAll(async () => {
    await idp?.close();
    webApp?.closeAllConnections();
    await new Promise((resolve) => webApp?.close(resolve));
  });
  const app = () =>
    new ConfidentialClientApplication({
      clientId: 'web',
      clientCredential: 'web-secret',
      oidcAuthority: idp.issuer,
      redirectUri,
      pushedAuthorizationRequests: true,
    });

  it('pushes with its client secret; the person signs in through /authorize?client_id&request_uri; the code is redeemed', async () => {
    const web = app();
    const flow = await web.initiateAuthCodeFlow(['openid', 'profile'], { loginHint: 'wes' });
    const authUri = new URL(flow.authUri);
    expect(authUri.origin + authUri.pathname).toBe(`${idp.issuer}/auth`);
    expect([...authUri.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(flow.requestUriExpiresAt).toBeGreaterThan(Date.now() / 1000);
    const [pushed] = idp.pushedRequests;
    // Sent (the log redacts it), with everything the authorization request needs.
    expect(pushed).toMatchObject({ status: 201, origin: undefined });
    expect(pushed!.body).toMatchObject({
      client_id: 'web',
      client_secret: '[redacted]',
      state: flow.state,
      nonce: flow.nonce,
      login_hint: 'wes',
      redirect_uri: redirectUri,
    });

    const context = await e2e.newContext();
    const page = await context.newPage();
    await page.goto(flow.authUri);
    await completeLogin(page, { login: 'wes' });
    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    const response = parseAuthResponseUrl(page.url())!;
    await context.close();

    const result = await web.acquireTokenByAuthCodeFlow(flow, response);
    expect(result).toMatchObject({ account: { username: 'wes@example.test' }, fromCache: false });
    const redemption = idp.tokenRequests.find((r) => r.grant_type === 'authorization_code');
    expect(redemption).toMatchObject({ status: 200, client_id: 'web' });
  });

  it('an expired request_uri is a typed error (request_uri_expired), and nothing is redeemed', async () => {
    idp.reset();
    const web = app();
    const flow = await web.initiateAuthCodeFlow(['openid']);
    expect(flow.requestUriExpiresAt! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 2_600));

    // What the person's browser gets from /authorize now: the provider's error, sent back to the one redirect URI.
    const answer = await fetch(flow.authUri, { redirect: 'manual' });
    const location = answer.headers.get('location')!;
    expect(location.startsWith(redirectUri)).toBe(true);
    const response = parseAuthResponseUrl(location)!;
    expect(response.error).toBe('invalid_request_uri');
    expect(response.state).toBeUndefined(); // the provider could not read the pushed request, state included

    const error = await rejection(web.acquireTokenByAuthCodeFlow(flow, response));
    expect(error).toMatchObject({ name: 'ClientAuthError', errorCode: 'request_uri_expired' });
    expect(idp.tokenRequests).toEqual([]);
  });

  it('pushedAuthorizationRequests: true against a provider without a PAR endpoint is a configuration error', async () => {
    const plain = await createIdp({
      redirectUris: [redirectUri],
      corsOrigins: [],
      pushedAuthorizationRequests: false,
      clients: [{ client_id: 'web', client_secret: 'web-secret', token_endpoint_auth_method: 'client_secret_post', redirect_uris: [redirectUri] }],
    });
    try {
      const web = new ConfidentialClientApplication({
        clientId: 'web',
        clientCredential: 'web-secret',
        oidcAuthority: plain.issuer,
        redirectUri,
        pushedAuthorizationRequests: true,
      });
      const error = await rejection(web.initiateAuthCodeFlow(['openid']));
      expect(error).toMatchObject({ name: 'ConfigurationError', errorCode: 'par_unsupported' });
    } finally {
      await plain.close();
    }
  });
});
