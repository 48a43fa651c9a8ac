// Token responses a provider may send that the RFC does not pin down (RFC 6749 5.1):
// every odd expires_in gets a documented rule, a missing scope means the requested ones,
// and an oversized body is refused before it is parsed.
import { describe, expect, it } from 'vitest';
import { ErrorCode, ServerError } from '../../src/errors.js';
import { maxExpiresInSeconds, maxResponseBytes } from '../../src/protocol/tokenResponse.js';
import { parseTokenResponse } from '../../src/protocol/tokenResponse.js';
import { expectRejects, expectThrows } from './support/expectError.js';
import { FakeProvider } from './support/fakeProvider.js';
import { json } from './support/scriptedHttp.js';
import { appScopes, clientOf, signIn } from './support/signIn.js';

const tokenUrl = 'https://idp.example.test/token';
const expiresInOf = (value: unknown): number =>
  parseTokenResponse(json(200, { access_token: 'at-odd-answers', token_type: 'Bearer', expires_in: value }), tokenUrl, 'c').expires_in;

describe('odd expires_in values', () => {
  it('a negative expires_in means already expired, never the 3600 s default', () => {
    expect(expiresInOf(-5)).toBe(0);
    expect(expiresInOf('-3600')).toBe(0);
  });

  it('zero and non-numeric values mean expired at once (MSAL: parseInt, then || 0)', () => {
    expect(expiresInOf(0)).toBe(0);
    expect(expiresInOf('soon')).toBe(0);
    expect(expiresInOf({})).toBe(0);
  });

  it('a numeric string counts as its number; fractions are cut; absent is the 3600 s default', () => {
    expect(expiresInOf('1800')).toBe(1800);
    expect(expiresInOf(59.9)).toBe(59);
    expect(expiresInOf(undefined)).toBe(3600);
  });

  it('an absurdly large expires_in is capped', () => {
    expect(expiresInOf(10 ** 12)).toBe(maxExpiresInSeconds);
    expect(expiresInOf('1e300')).toBe(maxExpiresInSeconds);
    expect(maxExpiresInSeconds).toBe(24 * 60 * 60);
  });

  it('a token that came back already expired is handed out once but never served from the cache', async () => {
    const provider = await FakeProvider.create();
    provider.tokenFields = { expires_in: -120 };
    const app = clientOf(provider);
    const first = await signIn(app, provider);
    expect(first.expiresOn!.getTime()).toBeLessThanOrEqual(Date.now());
    const before = provider.requestsTo('/token').length;
    provider.tokenFields = {};
    const again = await app.acquireTokenSilent(['api://demo/read'], first.account);
    expect(again?.fromCache).toBe(false);
    expect(provider.requestsTo('/token').length).toBe(before + 1);
  });
});

describe('missing scope', () => {
  it('means the scopes that were requested (RFC 6749 5.1)', async () => {
    const provider = await FakeProvider.create();
    provider.tokenFields = { scope: undefined };
    const app = clientOf(provider);
    const result = await signIn(app, provider);
    expect(result.scopes).toEqual(appScopes);
    const cached = await app.acquireTokenSilent(['api://demo/read'], result.account);
    expect(cached?.fromCache).toBe(true);
  });
});

describe('oversized responses', () => {
  it('a token response larger than the limit is refused with response_too_large, and nothing is stored', async () => {
    const provider = await FakeProvider.create();
    const app = clientOf(provider);
    const account = (await signIn(app, provider)).account;
    provider.tokenHandler = async (form, p) => {
      const response = await p.tokenResponse(form);
      const body = JSON.parse(response.body) as Record<string, unknown>;
      return { ...response, body: JSON.stringify({ ...body, padding: 'x'.repeat(maxResponseBytes) }) };
    };
    await expectRejects(app.acquireTokenSilent(['api://demo/read'], account, { forceRefresh: true }), ServerError, ErrorCode.responseTooLarge);
  });

  it('the limit applies to every JSON answer, counted in UTF-8 bytes', () => {
    const body = JSON.stringify({ access_token: 'at', pad: 'é'.repeat(Math.ceil(maxResponseBytes / 2) + 1) });
    expect(body.length).toBeLessThan(maxResponseBytes + 100);
    expectThrows(
      () => parseTokenResponse({ status: 200, headers: { 'content-type': 'application/json' }, body }, tokenUrl, 'c'),
      ServerError,
      ErrorCode.responseTooLarge,
    );
  });
});
