// Sign-out revokes at the provider's revocation_endpoint (RFC 7009): the request's exact wire
// format, what is revoked (revokeTokenTypes), and that a refusal or an unreachable endpoint
// does not stop the sign-out but becomes a `warning` event.
import { describe, expect, it } from 'vitest';
import { SerializableTokenCache } from '../../src/cache/serializableTokenCache.js';
import { ErrorCode, ServerError } from '../../src/errors.js';
import type { HttpRequest, HttpResponse } from '../../src/http/httpClient.js';
import type { AuthEvent, PublicClientApplicationOptions } from '../../src/index.js';
import { buildRevocationRequest, checkRevocationResponse } from '../../src/protocol/revocation.js';
import { observeExchange } from '../support/errorSweep.js';
import { expectThrows } from './support/expectError.js';
import { FakeProvider } from './support/fakeProvider.js';
import { json } from './support/scriptedHttp.js';
import { clientOf, signIn } from './support/signIn.js';

/** The fake provider with an RFC 7009 endpoint; `revocation` decides each answer. */
class RevokingProvider extends FakeProvider {
  revocations: HttpRequest[] = [];
  revocation: (request: HttpRequest) => Promise<HttpResponse> | HttpResponse = () => ({ status: 200, headers: {}, body: '' });
  advertise = true;

  override get metadata(): Record<string, unknown> {
    return { ...super.metadata, ...(this.advertise && { revocation_endpoint: `${this.issuer}/revoke` }) };
  }

  override async send(request: HttpRequest): Promise<HttpResponse> {
    if (request.url !== `${this.issuer}/revoke`) return super.send(request);
    this.revocations.push(request);
    const response = await this.revocation(request);
    observeExchange(request.body, response.body);
    return response;
  }

  static async make(): Promise<RevokingProvider> {
    const base = await FakeProvider.create();
    const provider = new RevokingProvider(base.issuer);
    provider.signingKey = base.signingKey;
    provider.keys = base.keys;
    return provider;
  }
}

async function signedIn(options: Partial<PublicClientApplicationOptions> = {}) {
  const provider = await RevokingProvider.make();
  const cache = new SerializableTokenCache();
  const app = clientOf(provider, { tokenCache: cache, ...options });
  const result = await signIn(app, provider);
  const data = cache.read();
  const tokens = { refreshToken: Object.values(data.RefreshToken)[0]!.secret, accessToken: Object.values(data.AccessToken)[0]!.secret };
  const events: AuthEvent[] = [];
  app.addEventCallback((event) => events.push(event));
  return { provider, app, result, tokens, events };
}

describe('the revocation request (RFC 7009 2.1)', () => {
  it('is a form POST of token, token_type_hint and client_id, nothing else', () => {
    const request = buildRevocationRequest('https://idp.example.test/revoke', 'spa', 'rt+/=&x', 'refresh_token');
    expect(request).toEqual({
      url: 'https://idp.example.test/revoke',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=rt%2B%2F%3D%26x&token_type_hint=refresh_token&client_id=spa',
    });
    expect(buildRevocationRequest('https://idp.example.test/revoke', 'spa', 'at', 'access_token').body).toBe(
      'token=at&token_type_hint=access_token&client_id=spa',
    );
  });

  it('200 (revoked, or already invalid: RFC 7009 2.2) is success; anything else is revocation_failed', () => {
    expect(() => checkRevocationResponse({ status: 200, headers: {}, body: '' }, 'refresh_token')).not.toThrow();
    const refused = expectThrows(
      () => checkRevocationResponse(json(400, { error: 'unsupported_token_type' }), 'access_token'),
      ServerError,
      ErrorCode.revocationFailed,
    );
    expect(refused.status).toBe(400);
    expect(refused.errorDescription).toBe('unsupported_token_type');
    const unavailable = expectThrows(
      () => checkRevocationResponse({ status: 503, headers: { 'retry-after': '5' }, body: '<html>down</html>' }, 'refresh_token'),
      ServerError,
      ErrorCode.revocationFailed,
    );
    expect(unavailable.status).toBe(503);
  });
});

describe('logout revokes', () => {
  it('the refresh token by default: one request, exact body, before the sign-out resolves', async () => {
    const { provider, app, tokens } = await signedIn();
    await app.logout({ interaction: 'none' });
    expect(provider.revocations).toHaveLength(1);
    const [request] = provider.revocations;
    expect(request!.method).toBe('POST');
    expect(request!.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(request!.body).toBe(new URLSearchParams({ token: tokens.refreshToken, token_type_hint: 'refresh_token', client_id: 'spa' }).toString());
    expect(await app.getAccounts()).toEqual([]);
  });

  it("revokeTokenTypes ['refresh_token', 'access_token'] revokes the access tokens too; [] revokes nothing", async () => {
    const both = await signedIn({ revokeTokenTypes: ['refresh_token', 'access_token'] });
    await both.app.logout({ interaction: 'none' });
    const sent = both.provider.revocations.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
    expect(sent).toEqual(
      expect.arrayContaining([
        { token: both.tokens.refreshToken, token_type_hint: 'refresh_token', client_id: 'spa' },
        { token: both.tokens.accessToken, token_type_hint: 'access_token', client_id: 'spa' },
      ]),
    );
    expect(sent).toHaveLength(2);

    const none = await signedIn({ revokeTokenTypes: [] });
    await none.app.logout({ interaction: 'none' });
    expect(none.provider.revocations).toEqual([]);
  });

  it('nothing when the provider advertises no revocation_endpoint (Entra ID has none)', async () => {
    const provider = await RevokingProvider.make();
    provider.advertise = false;
    const app = clientOf(provider);
    await signIn(app, provider);
    await app.logout({ interaction: 'none' });
    expect(provider.revocations).toEqual([]);
    expect(await app.getAccounts()).toEqual([]);
  });

  it('removeAccount never revokes (it only forgets, here)', async () => {
    const { provider, app, result } = await signedIn();
    await app.removeAccount(result.account);
    expect(provider.revocations).toEqual([]);
  });

  for (const [what, answer] of [
    ['refuses (400 unsupported_token_type)', () => json(400, { error: 'unsupported_token_type' })],
    ['fails (500, HTML)', () => ({ status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>oops</h1>' })],
    [
      'is unreachable',
      () => {
        throw new TypeError('Failed to fetch');
      },
    ],
  ] as const) {
    it(`a revocation endpoint that ${what} does not stop the sign-out: a warning event, revocation_failed`, async () => {
      const { provider, app, events, tokens } = await signedIn();
      provider.revocation = answer;
      await app.logout({ interaction: 'none' });
      expect(await app.getAccounts()).toEqual([]);
      const warnings = events.filter((e) => e.type === 'warning');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ type: 'warning', operation: 'signOut', error: { errorCode: 'revocation_failed' } });
      const error = (warnings[0] as Extract<AuthEvent, { type: 'warning' }>).error;
      expect(error.message).not.toContain(tokens.refreshToken);
      expect(JSON.stringify(error)).not.toContain(tokens.refreshToken);
    });
  }
});
