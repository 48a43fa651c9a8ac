// The default httpCache is localStorage, writable by every script of the origin. One such
// script run must not send later codes, verifiers or refresh tokens elsewhere, nor make
// forged id_tokens pass, beyond what keyward would accept from a fresh answer.
import { describe, expect, it } from 'vitest';
import { discoverInstance } from '../../src/authority/instanceDiscovery.js';
import { parseAuthority } from '../../src/authority/authority.js';
import { ErrorCode, IdTokenError } from '../../src/errors.js';
import { expectRejects } from './support/expectError.js';
import { FakeProvider, providerKey } from './support/fakeProvider.js';
import { json, scriptedHttpClient } from './support/scriptedHttp.js';
import { clientOf, signIn } from './support/signIn.js';

const farFuture = Date.now() + 10 * 365 * 24 * 60 * 60 * 1000;
/** What an attacker script writes: the entry shape of StorageHttpCache, as far in the future as it likes. */
const planted = (body: unknown, storedAt = Date.now()) => ({ body, expiresAt: farFuture, storedAt });

describe('a poisoned httpCache', () => {
  it('a cached discovery document pointing token_endpoint elsewhere is not used: the code goes to the real provider', async () => {
    const provider = await FakeProvider.create();
    const httpCache = new Map<string, unknown>();
    httpCache.set(
      `keyward.metadata|${provider.issuer}/.well-known/openid-configuration`,
      planted({ ...provider.metadata, token_endpoint: 'https://evil.example/token' }),
    );
    const app = clientOf(provider, { httpCache });
    await signIn(app, provider);
    expect(provider.requests.filter((request) => request.url.startsWith('https://evil.example'))).toEqual([]);
    expect(provider.requestsTo('/token')).toHaveLength(1);
  });

  it('a far-future expiresAt is capped by the TTL keyward would have given', async () => {
    const provider = await FakeProvider.create();
    const httpCache = new Map<string, unknown>();
    const twoDaysAgo = Date.now() - 2 * 24 * 60 * 60 * 1000;
    httpCache.set(`keyward.metadata|${provider.issuer}/.well-known/openid-configuration`, planted(provider.metadata, twoDaysAgo));
    await signIn(clientOf(provider, { httpCache }), provider);
    expect(provider.requestsTo('/.well-known/openid-configuration')).toHaveLength(1);
    // An entry "written in the future" is not trusted either.
    const later = new Map<string, unknown>([[`keyward.metadata|${provider.issuer}/.well-known/openid-configuration`, planted(provider.metadata, farFuture)]]);
    await signIn(clientOf(provider, { httpCache: later }), provider);
    expect(provider.requestsTo('/.well-known/openid-configuration')).toHaveLength(2);
  });

  it('a cached key set cannot make a forged id_token pass: key sets are not read from httpCache', async () => {
    const provider = await FakeProvider.create();
    const attacker = await providerKey('attacker-key');
    const httpCache = new Map<string, unknown>();
    httpCache.set(`keyward.jwks|${provider.issuer}/jwks`, planted({ keys: [attacker.jwk, provider.signingKey.jwk] }));
    provider.signingKey = attacker; // the token endpoint now hands out tokens signed by the attacker's key
    const app = clientOf(provider, { httpCache });
    const flow = await app.initiateAuthCodeFlow(['openid']);
    await expectRejects(app.acquireTokenByAuthCodeFlow(flow, provider.authorize(flow.authUri)), IdTokenError, ErrorCode.idTokenKeyNotFound);
  });

  it('cached Entra instance metadata naming another preferred network is not used', async () => {
    const authority = parseAuthority('https://login.microsoftonline.com/contoso.onmicrosoft.com');
    const httpCache = new Map<string, unknown>();
    httpCache.set(
      'keyward.instance|login.microsoftonline.com',
      planted({ preferredNetwork: 'evil.example', preferredCache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'evil.example'] }),
    );
    const answer = {
      metadata: [
        {
          preferred_network: 'login.microsoftonline.com',
          preferred_cache: 'login.windows.net',
          aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
        },
      ],
    };
    const http = scriptedHttpClient([json(200, answer)]);
    const cloud = await discoverInstance(authority, {}, { httpClient: http, timeout: 1000 }, httpCache);
    expect(cloud.preferredNetwork).toBe('login.microsoftonline.com');
    expect(http.requests).toHaveLength(1);
    // Hosts the app listed in knownAuthorities may be a preferred network.
    httpCache.set(
      'keyward.instance|login.microsoftonline.com',
      planted({ preferredNetwork: 'login.contoso.example', preferredCache: 'login.contoso.example', aliases: ['login.microsoftonline.com'] }),
    );
    expect(
      (await discoverInstance(authority, { knownAuthorities: ['login.contoso.example'] }, { httpClient: scriptedHttpClient([]), timeout: 1000 }, httpCache))
        .preferredNetwork,
    ).toBe('login.contoso.example');
  });

  it('a fresh instance-discovery answer naming a foreign preferred network falls back to the built-in cloud', async () => {
    const authority = parseAuthority('https://login.microsoftonline.com/contoso.onmicrosoft.com');
    const answer = {
      metadata: [{ preferred_network: 'evil.example', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'evil.example'] }],
    };
    const cloud = await discoverInstance(authority, {}, { httpClient: scriptedHttpClient([json(200, answer)]), timeout: 1000 }, new Map());
    expect(cloud.preferredNetwork).toBe('login.microsoftonline.com');
  });

  it('a cached Entra discovery document with a token endpoint off Microsoft hosts is fetched again', async () => {
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const provider = await FakeProvider.create(`https://login.microsoftonline.com/${tenant}/v2.0`);
    provider.claims = { ...provider.claims, tid: tenant, oid: '00000000-0000-0000-66f3-3332eca7ea81' };
    const httpCache = new Map<string, unknown>();
    httpCache.set(
      `keyward.metadata|${provider.issuer}/.well-known/openid-configuration`,
      planted({ ...provider.metadata, token_endpoint: 'https://evil.example/token' }),
    );
    const app = clientOf(provider, {
      oidcAuthority: undefined,
      authority: `https://login.microsoftonline.com/${tenant}`,
      knownAuthorities: ['login.microsoftonline.com'],
      httpCache,
    });
    await signIn(app, provider);
    expect(provider.requests.filter((request) => request.url.startsWith('https://evil.example'))).toEqual([]);
  });
});
