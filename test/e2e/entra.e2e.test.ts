// keyward against Microsoft Entra ID's wire format (the local Entra-compatible authority on
// oidc-provider): instance discovery and alias environments, client_info accounts, tenant
// profiles, claims with client capabilities, throttling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_A, TENANT_B } from '../idp/entra/createEntraIdp.mjs';
import { LOGIN_HOST, openEntraApp, startEntraE2E, type EntraE2E } from './entraFixtures';
import { accounts, popupSignIn, SCOPES, silent } from './fixtures';
import { recordRequests } from './harness/harness';

let e2e: EntraE2E;
beforeAll(async () => {
  e2e = await startEntraE2E({ guestLogins: ['gus'] });
});
afterAll(() => e2e?.close());

const tenantA = `${LOGIN_HOST}/${TENANT_A}`;

describe('instance discovery and aliases', () => {
  it('signs in through login.microsoftonline.com with discovery on; tokens cached under login.windows.net are found through another alias', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA });
    e2e.idp.reset();
    const signIn = await popupSignIn(page, { login: 'ada' });
    expect(signIn.error).toBeUndefined();

    const discovery = e2e.idp.discoveryRequests.filter((r) => r.kind === 'instance');
    expect(discovery).toHaveLength(1);
    expect(discovery[0]!.params['api-version']).toBe('1.1');
    expect(discovery[0]!.params.authorization_endpoint).toBe(`${tenantA}/oauth2/v2.0/authorize`);

    const expected = e2e.idp.account('ada', TENANT_A);
    expect(signIn.result!.account).toMatchObject({
      homeAccountId: `${expected.uid}.${expected.utid}`,
      localAccountId: expected.oid,
      tenantId: TENANT_A,
      environment: 'login.windows.net',
      authorityType: 'MSSTS',
      username: expected.preferred_username,
    });
    // client_info=1 went out on both legs.
    expect(e2e.idp.authorizeRequests.at(-1)!.params.client_info).toBe('1');
    expect(e2e.idp.tokenRequests.at(-1)!.body.client_info).toBe('1');

    // The same cached token through another alias of the same cloud: no request at all.
    const requests = recordRequests(context, 'https://');
    const viaAlias = await page.evaluate(
      async ({ scopes, authority }) => {
        const [account] = await window.app.getAccounts();
        return window.settle(window.app.acquireTokenSilent(scopes, account!, { authority }));
      },
      { scopes: SCOPES, authority: `https://login.windows.net/${TENANT_A}` },
    );
    expect(viaAlias.result).toMatchObject({ fromCache: true, accessToken: signIn.result!.accessToken });
    expect(requests).toEqual([]);

    // A new client on the next page load reuses the cached discovery (httpCache): no second discovery call.
    const again = await openEntraApp(e2e, context, { authority: tenantA });
    await again.evaluate(() => window.app.getAuthorizationRequestUrl(['api://demo/read']));
    expect(e2e.idp.discoveryRequests.filter((r) => r.kind === 'instance')).toHaveLength(1);
    await context.close();
  });

  it('an unknown host with validation on fails with invalid_instance before any credential is sent', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: `https://unknown-instance.example/${TENANT_A}` });
    e2e.idp.reset();
    const outcome = await page.evaluate((scopes) => window.settle(window.app.acquireTokenInteractive({ scopes, interaction: 'popup' })), SCOPES);
    expect(outcome.error).toMatchObject({ name: 'ConfigurationError', errorCode: 'invalid_instance' });
    expect(e2e.idp.discoveryRequests.map((r) => [r.kind, r.host])).toEqual([['instance', 'login.microsoftonline.com']]);
    expect(e2e.idp.authorizeRequests).toEqual([]);
    expect(e2e.idp.tokenRequests).toEqual([]);
    await expect.poll(() => context.pages().length).toBe(1); // the popup opened for the click was closed again

    // validateAuthority: false trusts it as given (it then fails later for other reasons, but not invalid_instance).
    const trusting = await openEntraApp(e2e, context, { authority: `https://unknown-instance.example/${TENANT_A}`, validateAuthority: false });
    const url = await trusting.evaluate((scopes) => window.settle(window.app.getAuthorizationRequestUrl(scopes)), SCOPES);
    expect(url.error?.errorCode).not.toBe('invalid_instance');
    await context.close();
  });
});

describe('accounts from client_info', () => {
  it('one person signed in to two tenants is one account with two tenant profiles', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA });
    const home = await popupSignIn(page, { login: 'gus' });
    expect(home.error).toBeUndefined();
    // Tenant B has its own session: the person signs in there too (as a guest from tenant A).
    const guest = await popupSignIn(page, { login: 'gus', authority: `${LOGIN_HOST}/${TENANT_B}` });
    expect(guest.error).toBeUndefined();

    const inA = e2e.idp.account('gus', TENANT_A);
    const inB = e2e.idp.account('gus', TENANT_B);
    const list = await accounts(page);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ homeAccountId: `${inA.uid}.${inA.utid}`, tenantId: TENANT_A, localAccountId: inA.oid });
    expect(list[0]!.tenantProfiles).toEqual([
      { tenantId: TENANT_A, localAccountId: inA.oid, name: inA.name, isHomeTenant: true },
      { tenantId: TENANT_B, localAccountId: inB.oid, name: inB.name, isHomeTenant: false },
    ]);
    expect(guest.result!.account.homeAccountId).toBe(list[0]!.homeAccountId);

    // Each tenant's token is served from the cache by asking with that tenant's authority.
    for (const [tenant, token] of [
      [TENANT_A, home.result!.accessToken],
      [TENANT_B, guest.result!.accessToken],
    ] as const) {
      const hit = await page.evaluate(
        async ({ scopes, authority }) => {
          const [account] = await window.app.getAccounts();
          return window.app.acquireTokenSilent(scopes, account!, { authority });
        },
        { scopes: SCOPES, authority: `${LOGIN_HOST}/${tenant}` },
      );
      expect(hit).toMatchObject({ fromCache: true, accessToken: token });
    }
    await context.close();
  });
});

describe('claims and client capabilities', () => {
  const challenge = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
  const merged = '{"access_token":{"acrs":{"essential":true,"value":"c1"},"xms_cc":{"values":["CP1"]}}}';

  it('CP1 and a claims challenge reach the authorize and token requests as the exact JSON', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA, clientCapabilities: ['CP1'] });
    e2e.idp.reset();
    expect((await popupSignIn(page, { login: 'cleo', claimsChallenge: challenge })).error).toBeUndefined();
    expect(e2e.idp.authorizeRequests.at(-1)!.params.claims).toBe(merged);
    expect(e2e.idp.tokenRequests.at(-1)!.body.claims).toBe(merged);

    // Capabilities alone on a plain silent refresh.
    const refreshed = await silent(page, { forceRefresh: true });
    expect(refreshed.error).toBeUndefined();
    expect(e2e.idp.tokenRequests.at(-1)!.body.claims).toBe('{"access_token":{"xms_cc":{"values":["CP1"]}}}');
    await context.close();
  });

  it('a resource demanding claims: the refusal carries them; passing them back as claimsChallenge forces a network call that succeeds', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA });
    expect((await popupSignIn(page, { login: 'cora' })).error).toBeUndefined();
    e2e.idp.demandClaims({ claims: challenge });
    const refused = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      try {
        await window.app.acquireTokenSilent(scopes, account!, { forceRefresh: true });
        return null;
      } catch (error) {
        const e = error as { name: string; errorCode: string; claims?: string; suberror?: string; errorCodes?: number[]; correlationId?: string };
        return { name: e.name, errorCode: e.errorCode, claims: e.claims, suberror: e.suberror, errorCodes: e.errorCodes, correlationId: e.correlationId };
      }
    }, SCOPES);
    expect(refused).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'interaction_required', claims: challenge });
    expect(refused!.errorCodes?.length).toBeGreaterThan(0);
    expect(refused!.correlationId).toMatch(/^[0-9a-f-]{36}$/);

    // The same silent request again is answered from memory, not sent in a tight loop.
    const before = e2e.idp.tokenRequests.length;
    const repeated = await silent(page, { forceRefresh: true });
    expect(repeated.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'interaction_required' });
    expect(e2e.idp.tokenRequests.length).toBe(before);

    // The claims challenge is a different request: it goes out, and succeeds.
    const withClaims = await silent(page, { claimsChallenge: refused!.claims! });
    expect(withClaims.error).toBeUndefined();
    expect(withClaims.result?.fromCache).toBe(false);
    expect(e2e.idp.tokenRequests.length).toBe(before + 1);
    expect(e2e.idp.tokenRequests.at(-1)!.body.claims).toBe(challenge);
    await context.close();
  });
});

describe('throttling', () => {
  it('429 with Retry-After: 5: the next silent call within 5 s fails fast with throttled, without a request', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA });
    expect((await popupSignIn(page, { login: 'tess' })).error).toBeUndefined();
    e2e.idp.failNext({ status: 429, retryAfter: 5, endpoint: 'token' });
    const requestsBefore = e2e.idp.tokenRequests.length;

    const limited = await silent(page, { forceRefresh: true });
    expect(limited.error).toMatchObject({ name: 'ServerError', status: 429 });
    expect(e2e.idp.tokenRequests.length).toBe(requestsBefore + 1);

    const started = Date.now();
    const throttled = await page.evaluate(async (scopes) => {
      const [account] = await window.app.getAccounts();
      try {
        await window.app.acquireTokenSilent(scopes, account!, { forceRefresh: true });
        return null;
      } catch (error) {
        const e = error as { name: string; errorCode: string; retryAfter?: number };
        return { name: e.name, errorCode: e.errorCode, retryAfter: e.retryAfter };
      }
    }, SCOPES);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(throttled).toMatchObject({ name: 'ServerError', errorCode: 'throttled' });
    expect(throttled!.retryAfter).toBeGreaterThan(0);
    expect(throttled!.retryAfter).toBeLessThanOrEqual(5);
    expect(e2e.idp.tokenRequests.length).toBe(requestsBefore + 1); // no request went out

    // The cached token is still served while throttled.
    expect((await silent(page)).result?.fromCache).toBe(true);
    await context.close();
  });
});

describe('silent sign-in and the session deadline, Entra shape', () => {
  // The app (127.0.0.1) and login.microsoftonline.com are different sites, as for every real
  // Entra SPA: Chromium does not send the provider's session cookie into the hidden frame, and
  // Entra answers prompt=none with login_required (AADSTS50058), the third-party-cookie case.
  it('ssoSilent after a popup sign-in: login_required (AADSTS50058) as InteractionRequiredError, then remembered: no second /authorize', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA });
    expect((await popupSignIn(page, { login: 'ada' })).error).toBeUndefined();
    e2e.idp.reset();
    const sso = () => page.evaluate((scopes) => window.settle(window.app.ssoSilent({ scopes, loginHint: 'ada@contoso.test' })), SCOPES);
    const first = await sso();
    expect(first.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'login_required' });
    const silentAuthorize = () => e2e.idp.authorizeRequests.filter((r) => r.params.prompt === 'none');
    expect(silentAuthorize()).toHaveLength(1);
    expect(silentAuthorize()[0]!.params).toMatchObject({ login_hint: 'ada@contoso.test', client_info: '1' });
    const second = await sso();
    expect(second.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'frame_sso_unavailable' });
    expect(silentAuthorize()).toHaveLength(1);
    expect(e2e.idp.tokenRequests).toEqual([]);
    expect(await page.evaluate(() => document.querySelectorAll('iframe').length)).toBe(0);
    await context.close();
  });

  it("the account's session deadline is Entra's 24 hours for single-page-app refresh tokens", async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA });
    const before = Date.now();
    expect((await popupSignIn(page, { login: 'ada' })).error).toBeUndefined();
    const [account] = await accounts(page);
    const deadline = account?.sessionExpiresOn?.getTime();
    expect(deadline).toBeGreaterThanOrEqual(before + 24 * 3600_000 - 60_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 24 * 3600_000 + 60_000);
    await context.close();
  });
});

describe('sign-out', () => {
  it('Entra advertises no revocation_endpoint: a sign-out revokes nothing and downloads no chunk (RFC 7009 code stays on the server)', async () => {
    const context = await e2e.newContext();
    const page = await openEntraApp(e2e, context, { authority: tenantA });
    expect((await popupSignIn(page, { login: 'ada' })).error).toBeUndefined();
    // Any script the sign-out fetches, whatever the bundler names it.
    const chunks = recordRequests(context, `${e2e.app.origin}/assets/`);
    await page.evaluate(() => window.app.logout({ interaction: 'none' }));
    expect(await accounts(page)).toEqual([]);
    expect(chunks).toEqual([]);
    await context.close();
  });
});
