// The refresh-token deadline (docs/protocol.md, refresh-token deadline): recorded in MSAL's
// schema (`expires_on` on the refresh-token entry), from what the provider says or the
// lifetime assumed, carried over by refreshes, and shown on the account.
import { describe, expect, it } from 'vitest';
import { parseAuthority } from '../../src/authority/authority.js';
import { type CacheWriteInput, cacheWriteFor } from '../../src/cache/fromTokenResponse.js';
import { emptyCacheData } from '../../src/cache/entities.js';
import { refreshTokenExpired, sessionRenewalAt } from '../../src/cache/freshness.js';
import { parseTokenResponse } from '../../src/protocol/tokenResponse.js';
import { accountInfoFrom } from '../../src/client/token/results.js';

const requestedAt = 1_800_000_000;
const claims = { iss: 'https://issuer.test', sub: 'sub-1', aud: 'spa', exp: requestedAt + 3600, iat: requestedAt, preferred_username: 'ada@test' };

function input(overrides: Partial<CacheWriteInput> = {}): CacheWriteInput {
  return {
    clientId: 'spa',
    authority: parseAuthority('https://login.microsoftonline.com/common'),
    environment: 'login.microsoftonline.com',
    response: { access_token: 'at', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1', id_token: 'jwt', scope: 'User.Read' },
    idTokenClaims: claims,
    account: undefined,
    requestedScopes: ['User.Read'],
    requestedAt,
    ...overrides,
  };
}

const refreshTokenOf = (write: ReturnType<typeof cacheWriteFor>) => Object.values(write.change.set?.RefreshToken ?? {})[0]!;

describe('refresh-token deadline', () => {
  it("records the provider's refresh_token_expires_in from the request time", () => {
    const write = cacheWriteFor(input({ response: { ...input().response, refresh_token_expires_in: 86_399 } }), emptyCacheData());
    expect(refreshTokenOf(write).expires_on).toBe(String(requestedAt + 86_399));
  });

  it('parses refresh_token_expires_in only as a positive number of seconds', () => {
    const parse = (value: unknown) =>
      parseTokenResponse(
        { status: 200, headers: {}, body: JSON.stringify({ access_token: 'a', token_type: 'Bearer', refresh_token: 'r', refresh_token_expires_in: value }) },
        'https://t',
        'c',
      ).refresh_token_expires_in;
    expect([parse(3600), parse('7200'), parse(-5), parse('soon'), parse(null)]).toEqual([3600, 7200, undefined, undefined, undefined]);
  });

  it('assumes the given lifetime from the sign-in, and a refreshed token keeps its predecessor deadline (Entra SPA rule)', () => {
    const signIn = cacheWriteFor(input({ refreshTokenLifetime: 86_400 }), emptyCacheData());
    expect(refreshTokenOf(signIn).expires_on).toBe(String(requestedAt + 86_400));
    const data = emptyCacheData();
    Object.assign(data.RefreshToken, signIn.change.set?.RefreshToken);
    Object.assign(data.Account, signIn.change.set?.Account);
    const refreshed = cacheWriteFor(
      input({
        requestedAt: requestedAt + 3600,
        refreshTokenLifetime: 86_400,
        fromRefreshToken: true,
        response: { ...input().response, refresh_token: 'rt-2' },
      }),
      data,
    );
    expect(refreshTokenOf(refreshed)).toMatchObject({ secret: 'rt-2', expires_on: String(requestedAt + 86_400) });
    // A new sign-in (code grant) starts a new deadline.
    const again = cacheWriteFor(input({ requestedAt: requestedAt + 3600, refreshTokenLifetime: 86_400 }), data);
    expect(refreshTokenOf(again).expires_on).toBe(String(requestedAt + 3600 + 86_400));
  });

  it('records no deadline when nothing says one', () => {
    expect(refreshTokenOf(cacheWriteFor(input(), emptyCacheData())).expires_on).toBeUndefined();
  });

  it('shows the deadline on the account as sessionExpiresOn', () => {
    const write = cacheWriteFor(input({ refreshTokenLifetime: 600 }), emptyCacheData());
    const data = emptyCacheData();
    Object.assign(data.RefreshToken, write.change.set?.RefreshToken);
    Object.assign(data.Account, write.change.set?.Account);
    expect(accountInfoFrom(write.account, data, 'spa').sessionExpiresOn).toEqual(new Date((requestedAt + 600) * 1000));
  });

  it('treats a refresh token as expired shortly before its deadline, and renews a session before it', () => {
    expect(refreshTokenExpired({ expires_on: String(requestedAt + 100) }, requestedAt)).toBe(false);
    expect(refreshTokenExpired({ expires_on: String(requestedAt + 3) }, requestedAt)).toBe(true);
    expect(refreshTokenExpired({}, requestedAt + 1e9)).toBe(false);
    // Five minutes before a day-long deadline, a quarter of the life before a short one.
    expect(sessionRenewalAt(requestedAt + 86_400, requestedAt)).toBe(requestedAt + 86_400 - 300);
    expect(sessionRenewalAt(requestedAt + 40, requestedAt)).toBe(requestedAt + 30);
  });
});
