// Signing-key rotation (OIDC Core 10.1.1): an unknown kid refetches the key set once the
// last fetch is older than jose's 30 s cooldown; concurrent fetches are shared.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeySetSource } from '../../src/authority/jwks.js';
import { loadMetadata } from '../../src/authority/metadata.js';
import { parseOidcAuthority } from '../../src/authority/authority.js';
import { ErrorCode, IdTokenError } from '../../src/errors.js';
import { expectRejects } from './support/expectError.js';
import { FakeProvider, providerKey } from './support/fakeProvider.js';
import { clientOf, signIn } from './support/signIn.js';

afterEach(() => vi.useRealTimers());

describe('key rotation', () => {
  it('a sign-in 45 s after the first key fetch, right after the provider rotated, refetches and succeeds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const provider = await FakeProvider.create();
    const app = clientOf(provider);
    await signIn(app, provider);
    expect(provider.requestsTo('/jwks')).toHaveLength(1);
    vi.setSystemTime(Date.now() + 45_000);
    const rotated = await providerKey('key-2');
    provider.keys = [rotated];
    provider.signingKey = rotated;
    const second = await signIn(app, provider);
    expect(second.idToken).toBeTruthy();
    expect(provider.requestsTo('/jwks')).toHaveLength(2);
  });

  it('an unknown kid within 30 s of the last fetch does not refetch (no request flood from forged kids)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const provider = await FakeProvider.create();
    const app = clientOf(provider);
    await signIn(app, provider);
    vi.setSystemTime(Date.now() + 20_000);
    const forged = await providerKey('forged-kid');
    provider.signingKey = forged; // signs, but is not published
    const flow = await app.initiateAuthCodeFlow(['openid']);
    await expectRejects(app.acquireTokenByAuthCodeFlow(flow, provider.authorize(flow.authUri)), IdTokenError, ErrorCode.idTokenKeyNotFound);
    expect(provider.requestsTo('/jwks')).toHaveLength(1);
  });

  it('concurrent key-set fetches share one request', async () => {
    const provider = await FakeProvider.create();
    const source = new KeySetSource({ httpClient: provider, timeout: 1000 });
    const sets = await Promise.all([source.get(`${provider.issuer}/jwks`), source.get(`${provider.issuer}/jwks`), source.get(`${provider.issuer}/jwks`)]);
    expect(sets[1]).toEqual(sets[0]);
    expect(provider.requestsTo('/jwks')).toHaveLength(1);
  });

  it('concurrent metadata fetches share one request', async () => {
    const provider = await FakeProvider.create();
    const cache = new Map<string, unknown>();
    const authority = parseOidcAuthority(provider.issuer);
    const transport = { httpClient: provider, timeout: 1000 };
    const [a, b] = await Promise.all([loadMetadata(authority, transport, cache), loadMetadata(authority, transport, cache)]);
    expect(b).toEqual(a);
    expect(provider.requestsTo('/.well-known/openid-configuration')).toHaveLength(1);
  });
});
