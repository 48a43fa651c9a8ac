// Entra-specific SDK logic that needs no network: instance discovery decisions (over the
// public httpClient extension point), throttling, claims challenges, tenant profiles.
import { describe, expect, it, vi, afterEach } from 'vitest';
import { parseAuthority } from '../../src/authority/authority.js';
import { discoverInstance } from '../../src/authority/instanceDiscovery.js';
import { accountsFrom } from '../../src/client/token/results.js';
import { emptyCacheData } from '../../src/cache/entities.js';
import { ConfigurationError, ErrorCode, InteractionRequiredError, ServerError } from '../../src/errors.js';
import { Throttle, throttleKey } from '../../src/http/throttle.js';
import { parseClaimsChallenge } from '../../src/protocol/claimsChallenge.js';
import { PublicClientApplication } from '../../src/index.js';
import { expectRejects, expectThrows } from './support/expectError.js';
import { json, scriptedHttpClient } from './support/scriptedHttp.js';

afterEach(() => vi.useRealTimers());

/** The real response shape of Entra's instance discovery (docs/protocol.md A2). */
const discoveryResponse = {
  tenant_discovery_endpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
  'api-version': '1.1',
  metadata: [
    {
      preferred_network: 'login.microsoftonline.com',
      preferred_cache: 'login.windows.net',
      aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    },
    {
      preferred_network: 'login.partner.microsoftonline.cn',
      preferred_cache: 'login.partner.microsoftonline.cn',
      aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
    },
  ],
};
const invalidInstance = { error: 'invalid_instance', error_description: 'AADSTS50049: Unknown or invalid instance.', error_codes: [50049] };

describe('instance discovery', () => {
  it('asks Entra once, maps every alias to one cache environment, and caches through httpCache', async () => {
    const http = scriptedHttpClient([json(200, discoveryResponse)]);
    const cache = new Map<string, unknown>();
    const authority = parseAuthority('https://login.windows.net/contoso.onmicrosoft.com');
    const cloud = await discoverInstance(authority, {}, { httpClient: http, timeout: 1000 }, cache);
    expect(cloud).toEqual({
      preferredNetwork: 'login.microsoftonline.com',
      preferredCache: 'login.windows.net',
      aliases: discoveryResponse.metadata[0]!.aliases,
    });
    const url = new URL(http.requests[0]!.url);
    expect(url.origin + url.pathname).toBe('https://login.windows.net/common/discovery/instance');
    expect(url.searchParams.get('api-version')).toBe('1.1');
    expect(url.searchParams.get('authorization_endpoint')).toBe('https://login.windows.net/contoso.onmicrosoft.com/oauth2/v2.0/authorize');
    // Second time: from httpCache, no request (the script has no second step).
    expect(await discoverInstance(authority, {}, { httpClient: http, timeout: 1000 }, cache)).toEqual(cloud);
  });

  it('refuses an unknown instance with invalid_instance when validating, trusts it otherwise', async () => {
    const authority = parseAuthority('https://login.contoso-unknown.example/tenant');
    const refused = scriptedHttpClient([json(400, invalidInstance)]);
    const error = await expectRejects(
      discoverInstance(authority, {}, { httpClient: refused, timeout: 1000 }, new Map()),
      ConfigurationError,
      ErrorCode.invalidInstance,
    );
    expect(error.message).toContain('login.contoso-unknown.example');
    expect(new URL(refused.requests[0]!.url).host).toBe('login.microsoftonline.com');
    const trusted = await discoverInstance(
      authority,
      { validateAuthority: false },
      { httpClient: scriptedHttpClient([json(400, invalidInstance)]), timeout: 1000 },
      new Map(),
    );
    expect(trusted.preferredCache).toBe('login.contoso-unknown.example');
  });

  it('skips the network for knownAuthorities, instanceDiscovery: false, B2C, ADFS and CIAM', async () => {
    const none = scriptedHttpClient([]);
    const transport = { httpClient: none, timeout: 1000 };
    expect(
      (await discoverInstance(parseAuthority('https://custom.example/t'), { knownAuthorities: ['custom.example'] }, transport, new Map())).preferredNetwork,
    ).toBe('custom.example');
    expect(await discoverInstance(parseAuthority('https://login.microsoftonline.com/t'), { instanceDiscovery: false }, transport, new Map())).toMatchObject({
      preferredCache: 'login.windows.net',
    });
    for (const url of ['https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin', 'https://sts.contoso.com/adfs', 'https://contoso.ciamlogin.com/']) {
      expect((await discoverInstance(parseAuthority(url), {}, transport, new Map())).aliases).toEqual([new URL(url).host]);
    }
    expect(none.requests).toEqual([]);
  });

  it('treats a host the answer does not list as a custom domain, and falls back to the built-in groups when discovery is unreachable', async () => {
    const custom = await discoverInstance(
      parseAuthority('https://login.contoso.example/t'),
      {},
      { httpClient: scriptedHttpClient([json(200, discoveryResponse)]), timeout: 1000 },
      new Map(),
    );
    expect(custom.preferredNetwork).toBe('login.contoso.example');
    const offline = await discoverInstance(
      parseAuthority('https://login.microsoftonline.com/t'),
      {},
      { httpClient: scriptedHttpClient([new TypeError('Failed to fetch'), new TypeError('Failed to fetch')]), timeout: 1000 },
      new Map(),
    );
    expect(offline).toMatchObject({ preferredNetwork: 'login.microsoftonline.com', preferredCache: 'login.windows.net' });
  });
});

describe('throttling', () => {
  const key = throttleKey({ clientId: 'c', authority: 'https://a/', grantType: 'refresh_token', scopes: ['B', 'a'], homeAccountId: 'h' });

  it('after a 429 with Retry-After: 5 fails fast with throttled until it passes', () => {
    vi.useFakeTimers();
    const throttle = new Throttle();
    throttle.record(key, new ServerError('too_many_requests', 'x', { status: 429, retryAfter: 5 }), 'h', true);
    const error = expectThrows(() => throttle.check(key), ServerError, ErrorCode.throttled);
    expect(error.retryAfter).toBe(5);
    vi.advanceTimersByTime(4_000);
    expectThrows(() => throttle.check(key), ServerError, ErrorCode.throttled);
    vi.advanceTimersByTime(1_001);
    expect(() => throttle.check(key)).not.toThrow();
  });

  it('caps Retry-After at an hour, defaults a 429 without one to 60 s, and lets a bare 5xx through', () => {
    vi.useFakeTimers();
    const throttle = new Throttle();
    throttle.record(key, new ServerError('e', 'x', { status: 503, retryAfter: 86_400 }), 'h', false);
    expect(expectThrows(() => throttle.check(key), ServerError, ErrorCode.throttled).retryAfter).toBe(3600);
    const other = `${key}x`;
    throttle.record(other, new ServerError('e', 'x', { status: 429 }), 'h', false);
    expect(expectThrows(() => throttle.check(other), ServerError, ErrorCode.throttled).retryAfter).toBe(60);
    const bare = `${key}y`;
    throttle.record(bare, new ServerError('server_error', 'x', { status: 500 }), 'h', false);
    expect(() => throttle.check(bare)).not.toThrow();
  });

  it('answers a silent request that needed interaction from memory, until the account gets a token', () => {
    const throttle = new Throttle();
    const refusal = new InteractionRequiredError('interaction_required', 'x', { status: 400, suberror: 'basic_action' });
    throttle.record(key, refusal, 'h', true);
    expect(() => throttle.check(key)).toThrow(refusal);
    throttle.clearAccount('h');
    expect(() => throttle.check(key)).not.toThrow();
  });

  it('keys requests order- and case-insensitively by scope', () => {
    expect(throttleKey({ clientId: 'c', authority: 'https://a/', grantType: 'refresh_token', scopes: ['a', 'b'], homeAccountId: 'h' })).toBe(key);
  });
});

describe('parseClaimsChallenge', () => {
  // learn.microsoft.com/entra/identity-platform/claims-challenge
  const header =
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiY3AxIn19fQ=="';

  it('decodes the claims of an insufficient_claims challenge', () => {
    expect(parseClaimsChallenge(header)).toBe('{"access_token":{"acrs":{"essential":true,"value":"cp1"}}}');
  });

  it('returns undefined when there is no claims challenge', () => {
    expect(parseClaimsChallenge(undefined)).toBeUndefined();
    expect(parseClaimsChallenge('Bearer realm="api", error="invalid_token"')).toBeUndefined();
  });

  it('throws invalid_claims for a claims value that is not base64 JSON (no retry loop)', () => {
    expectThrows(() => parseClaimsChallenge('Bearer error="insufficient_claims", claims="%%%"'), ConfigurationError, ErrorCode.invalidClaims);
    expectThrows(() => parseClaimsChallenge(`Bearer error="insufficient_claims", claims="${btoa('[1,2]')}"`), ConfigurationError, ErrorCode.invalidClaims);
  });
});

describe('public client configuration', () => {
  it('refuses azureRegion, a confidential-client feature, instead of ignoring it', () => {
    const error = expectThrows(
      () => new PublicClientApplication({ clientId: 'c', azureRegion: 'westus2' } as never),
      ConfigurationError,
      ErrorCode.invalidConfiguration,
    );
    expect(error.message).toContain('keyward/server');
  });
});

describe('tenant profiles', () => {
  it('groups one person signed in to two tenants into one account with two profiles', () => {
    const data = emptyCacheData();
    const base = { home_account_id: 'uid-1.home-tid', environment: 'login.windows.net', username: 'p@contoso.com', authority_type: 'MSSTS' as const };
    data.Account.a = { ...base, realm: 'home-tid', local_account_id: 'oid-home' };
    data.Account.b = { ...base, realm: 'guest-tid', local_account_id: 'oid-guest' };
    const [account, ...rest] = accountsFrom(data, 'client');
    expect(rest).toEqual([]);
    expect(account).toMatchObject({ homeAccountId: 'uid-1.home-tid', tenantId: 'home-tid', localAccountId: 'oid-home' });
    expect(account!.tenantProfiles).toEqual([
      { tenantId: 'home-tid', localAccountId: 'oid-home', isHomeTenant: true },
      { tenantId: 'guest-tid', localAccountId: 'oid-guest', isHomeTenant: false },
    ]);
  });
});
