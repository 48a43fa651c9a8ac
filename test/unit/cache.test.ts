import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseAuthority, parseOidcAuthority } from '../../src/authority/authority.js';
import { type AccessTokenEntity, type CacheData, emptyCacheData } from '../../src/cache/entities.js';
import { type CacheWriteInput, cacheWriteFor } from '../../src/cache/fromTokenResponse.js';
import { accessTokenKey } from '../../src/cache/keys.js';
import { SerializableTokenCache } from '../../src/cache/serializableTokenCache.js';
import { credentialKeysOf, findAccessTokens } from '../../src/cache/queries.js';
import type { IdTokenClaims } from '../../src/types.js';

const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const clientInfo = (value: unknown): string => base64url.encode(JSON.stringify(value));
const requestedAt = 1_700_000_000;

const idTokenClaims: IdTokenClaims = {
  iss: `https://login.microsoftonline.com/${tid}/v2.0`,
  sub: 'Sub-Value',
  aud: 'Client-Id',
  exp: requestedAt + 3600,
  iat: requestedAt,
  tid,
  oid: 'oid-1',
  name: 'Ada Lovelace',
  preferred_username: 'ada@contoso.com',
};

function input(overrides: Partial<CacheWriteInput> = {}): CacheWriteInput {
  return {
    clientId: 'Client-Id',
    authority: parseAuthority('https://login.microsoftonline.com/common'),
    environment: 'login.microsoftonline.com',
    response: {
      access_token: 'at-secret',
      token_type: 'Bearer',
      expires_in: 3600,
      ext_expires_in: 7200,
      refresh_in: 1800,
      refresh_token: 'rt-secret',
      id_token: 'id-token-jwt',
      scope: 'User.Read Mail.Read',
      client_info: clientInfo({ uid: 'UID-1', utid: tid }),
    },
    idTokenClaims,
    account: undefined,
    requestedScopes: ['User.Read', 'Mail.Read', 'openid', 'profile', 'offline_access'],
    requestedAt,
    ...overrides,
  };
}

function at(overrides: Partial<AccessTokenEntity>): AccessTokenEntity {
  return {
    credential_type: 'AccessToken',
    secret: 'old',
    home_account_id: `uid-1.${tid}`,
    environment: 'login.microsoftonline.com',
    client_id: 'Client-Id',
    realm: tid,
    target: 'User.Read',
    cached_at: String(requestedAt - 100),
    expires_on: String(requestedAt + 3000),
    extended_expires_on: String(requestedAt + 3000),
    token_type: 'Bearer',
    ...overrides,
  };
}

function withAccessTokens(...tokens: AccessTokenEntity[]): CacheData {
  const data = emptyCacheData();
  for (const token of tokens) data.AccessToken[accessTokenKey(token)] = token;
  return data;
}

describe('cacheWriteFor', () => {
  it('builds MSAL-schema entries with exact keys and string epoch times', () => {
    const hai = `UID-1.${tid}`;
    const { change, account, accessToken } = cacheWriteFor(input(), emptyCacheData());
    const lowerHai = hai.toLowerCase();

    expect(account).toEqual({
      home_account_id: hai,
      environment: 'login.microsoftonline.com',
      realm: tid,
      local_account_id: 'oid-1',
      username: 'ada@contoso.com',
      authority_type: 'MSSTS',
      name: 'Ada Lovelace',
      client_info: input().response.client_info,
      last_modification_time: '1700000000',
    });
    expect(accessToken).toEqual({
      credential_type: 'AccessToken',
      secret: 'at-secret',
      home_account_id: hai,
      environment: 'login.microsoftonline.com',
      client_id: 'Client-Id',
      realm: tid,
      target: 'User.Read Mail.Read',
      cached_at: '1700000000',
      expires_on: '1700003600',
      extended_expires_on: '1700010800',
      refresh_on: '1700001800',
      token_type: 'Bearer',
    });
    expect(change.set).toEqual({
      Account: { [`${lowerHai}-login.microsoftonline.com-${tid}`]: account },
      AccessToken: { [`${lowerHai}-login.microsoftonline.com-accesstoken-client-id-${tid}-user.read mail.read`]: accessToken },
      IdToken: {
        [`${lowerHai}-login.microsoftonline.com-idtoken-client-id-${tid}-`]: {
          credential_type: 'IdToken',
          secret: 'id-token-jwt',
          home_account_id: hai,
          environment: 'login.microsoftonline.com',
          client_id: 'Client-Id',
          realm: tid,
        },
      },
      RefreshToken: {
        [`${lowerHai}-login.microsoftonline.com-refreshtoken-client-id--`]: {
          credential_type: 'RefreshToken',
          secret: 'rt-secret',
          home_account_id: hai,
          environment: 'login.microsoftonline.com',
          client_id: 'Client-Id',
          last_modification_time: '1700000000',
        },
      },
    });
    expect(change.remove).toEqual({ AccessToken: [] });
  });

  it('uses the requested scopes when the response does not echo scope', () => {
    const response = { ...input().response };
    delete response.scope;
    expect(cacheWriteFor(input({ response }), emptyCacheData()).accessToken.target).toBe('User.Read Mail.Read openid profile offline_access');
  });

  it('keys the account on sub when there is no client_info', () => {
    const response = { ...input().response };
    delete response.client_info;
    const { account } = cacheWriteFor(input({ response }), emptyCacheData());
    expect(account.home_account_id).toBe('Sub-Value');
    expect(account.realm).toBe(tid);
    expect(account.client_info).toBeUndefined();
  });

  it('falls back to sub when client_info is malformed', () => {
    for (const bad of ['%%%not-base64%%%', clientInfo('just a string'), clientInfo({ uid: 'only-uid' }), base64url.encode('{not json')]) {
      const { account, change } = cacheWriteFor(input({ response: { ...input().response, client_info: bad } }), emptyCacheData());
      expect(account.home_account_id).toBe('Sub-Value');
      expect(Object.keys(change.set!.Account!)).toEqual([`sub-value-login.microsoftonline.com-${tid}`]);
    }
  });

  it('sets family_id from foci and uses it in the refresh token key', () => {
    const { change } = cacheWriteFor(input({ response: { ...input().response, foci: '1' } }), emptyCacheData());
    expect(change.set!.RefreshToken).toEqual({
      [`uid-1.${tid}-login.microsoftonline.com-refreshtoken-1--`]: expect.objectContaining({ family_id: '1', client_id: 'Client-Id' }),
    });
  });

  it('marks non-Bearer tokens AccessToken_With_AuthScheme', () => {
    const { accessToken } = cacheWriteFor(input({ response: { ...input().response, token_type: 'DPoP' } }), emptyCacheData());
    expect(accessToken.credential_type).toBe('AccessToken_With_AuthScheme');
    expect(accessTokenKey(accessToken)).toBe(`uid-1.${tid}-login.microsoftonline.com-accesstoken_with_authscheme-client-id-${tid}-user.read mail.read`);
  });

  it('types accounts by authority kind', () => {
    expect(cacheWriteFor(input({ authority: parseAuthority('https://sts.contoso.com/adfs') }), emptyCacheData()).account.authority_type).toBe('ADFS');
    expect(cacheWriteFor(input({ authority: parseOidcAuthority('https://idp.example.com') }), emptyCacheData()).account.authority_type).toBe('Generic');
  });

  it('keeps the given account when the response has no id_token', () => {
    const first = cacheWriteFor(input(), emptyCacheData());
    const response = { ...input().response };
    delete response.id_token;
    const { account, change } = cacheWriteFor(input({ response, idTokenClaims: undefined, account: first.account }), emptyCacheData());
    expect(account).toBe(first.account);
    expect(change.set!.IdToken).toBeUndefined();
  });

  it('removes superseded access tokens with overlapping scopes and keeps the others', () => {
    const hai = `UID-1.${tid}`;
    const overlapping = at({ home_account_id: hai, target: 'user.read Calendars.Read' });
    const oidcOnlyOverlap = at({ home_account_id: hai, target: 'openid profile Files.Read' });
    const otherRealm = at({ home_account_id: hai, realm: 'other-tenant', target: 'User.Read' });
    const otherClient = at({ home_account_id: hai, client_id: 'other-client', target: 'User.Read' });
    const current = withAccessTokens(overlapping, oidcOnlyOverlap, otherRealm, otherClient);

    const { change } = cacheWriteFor(input(), current);
    expect(change.remove).toEqual({ AccessToken: [accessTokenKey(overlapping)] });
  });
});

describe('SerializableTokenCache', () => {
  it('applies changes copy-on-write and notifies subscribers', async () => {
    const cache = new SerializableTokenCache();
    await cache.load();
    const before = cache.read();
    let calls = 0;
    const unsubscribe = cache.subscribe(() => calls++);

    const { change } = cacheWriteFor(input(), before);
    await cache.apply(change);
    const after = cache.read();

    expect(calls).toBe(1);
    expect(after).not.toBe(before);
    expect(before).toEqual(emptyCacheData());
    expect(Object.keys(after.AccessToken)).toHaveLength(1);
    expect(Object.keys(after.Account)).toHaveLength(1);

    const [atKey] = Object.keys(after.AccessToken);
    await cache.apply({ remove: { AccessToken: [atKey!] } });
    expect(calls).toBe(2);
    expect(after.AccessToken[atKey!]).toBeDefined();
    expect(cache.read().AccessToken).toEqual({});
    // Untouched sections are shared, not copied.
    expect(cache.read().Account).toBe(after.Account);

    unsubscribe();
    await cache.apply({ remove: { Account: Object.keys(after.Account) } });
    expect(calls).toBe(2);
  });
});

describe('cache queries', () => {
  const ref = { homeAccountId: `UID-1.${tid}`, environment: 'login.microsoftonline.com', tenantId: tid };

  it('findAccessTokens matches scopes regardless of order and case, supersets only', () => {
    const token = at({ home_account_id: `uid-1.${tid}`, target: 'User.Read Mail.Read' });
    const data = withAccessTokens(token);
    expect(findAccessTokens(data, ref, 'Client-Id', ['mail.read', 'USER.READ'])).toEqual([[accessTokenKey(token), token]]);
    expect(findAccessTokens(data, ref, 'Client-Id', ['openid', 'profile', 'Mail.Read'])).toHaveLength(1);
    expect(findAccessTokens(data, ref, 'Client-Id', ['User.Read', 'Files.Read'])).toEqual([]);
    expect(findAccessTokens(data, ref, 'other-client', ['User.Read'])).toEqual([]);
    expect(findAccessTokens(data, { ...ref, tenantId: 'other' }, 'Client-Id', ['User.Read'])).toEqual([]);
    expect(findAccessTokens(data, ref, 'Client-Id', ['User.Read'], 'dpop')).toEqual([]);
  });

  it("credentialKeysOf lists only that account's entries", async () => {
    const mine = cacheWriteFor(input(), emptyCacheData()).change;
    const theirs = cacheWriteFor(
      input({
        response: { ...input().response, access_token: 'theirs', client_info: clientInfo({ uid: 'UID-2', utid: tid }) },
        idTokenClaims: { ...idTokenClaims, sub: 'other-sub', oid: 'oid-2' },
      }),
      emptyCacheData(),
    ).change;
    const elsewhere = cacheWriteFor(input({ environment: 'login.windows.net' }), emptyCacheData()).change;
    const cache = new SerializableTokenCache();
    for (const change of [mine, theirs, elsewhere]) await cache.apply(change);
    expect(Object.keys(cache.read().AccessToken)).toHaveLength(3);
    expect(credentialKeysOf(cache.read(), `UID-1.${tid}`, 'LOGIN.microsoftonline.com')).toEqual({
      Account: Object.keys(mine.set!.Account!),
      IdToken: Object.keys(mine.set!.IdToken!),
      AccessToken: Object.keys(mine.set!.AccessToken!),
      RefreshToken: Object.keys(mine.set!.RefreshToken!),
    });
  });
});
