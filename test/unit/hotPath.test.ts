// The cache-hit hot path (issue 7): indexed cache lookups, memoized id_token claims and pooled
// correlation ids must answer exactly as the plain versions did.
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccessTokenEntity, AccountEntity, CacheData, IdTokenEntity } from '../../src/cache/entities.js';
import { emptyCacheData } from '../../src/cache/entities.js';
import { findAccessTokens, findAccount, findIdToken } from '../../src/cache/queries.js';
import { applyChange } from '../../src/cache/tokenCache.js';
import { accountInfoFrom, accountsFrom } from '../../src/client/token/results.js';
import { randomUuid } from '../../src/util/random.js';

const jwt = (claims: Record<string, unknown>): string =>
  `${base64url.encode(JSON.stringify({ alg: 'RS256' }))}.${base64url.encode(JSON.stringify(claims))}.sig`;

const account = (home: string, realm = ''): AccountEntity => ({
  home_account_id: home,
  environment: 'Login.Example',
  realm,
  local_account_id: home,
  username: `${home}@example.test`,
  authority_type: 'Generic',
});
const idToken = (home: string, clientId = 'spa', claims: Record<string, unknown> = { sub: home, name: home }): IdTokenEntity => ({
  credential_type: 'IdToken',
  home_account_id: home,
  environment: 'login.example',
  realm: '',
  client_id: clientId,
  secret: jwt(claims),
});
const accessToken = (home: string, target: string, extra: Partial<AccessTokenEntity> = {}): AccessTokenEntity => ({
  credential_type: 'AccessToken',
  home_account_id: home,
  environment: 'login.example',
  realm: '',
  client_id: 'spa',
  secret: `at-${home}-${target}`,
  target,
  cached_at: '1',
  expires_on: '9999999999',
  ...extra,
});

function data(): CacheData {
  const d = emptyCacheData();
  d.Account = { a: account('Alice'), b: account('bob'), b2: account('bob', 'tenant-2') };
  d.IdToken = { other: idToken('alice', 'other-client'), a: idToken('alice'), b: idToken('bob') };
  d.AccessToken = {
    one: accessToken('alice', 'api://demo/read api://demo/write'),
    two: accessToken('alice', 'API://demo/Read'),
    pop: accessToken('alice', 'api://demo/read', { credential_type: 'AccessToken_With_AuthScheme', token_type: 'pop', key_id: 'kid-1' }),
    bob: accessToken('bob', 'api://demo/read'),
  };
  return d;
}

describe('indexed cache lookups', () => {
  it('match case-insensitively on account fields, in insertion order, like a scan', () => {
    const d = data();
    expect(findAccount(d, { homeAccountId: 'ALICE', environment: 'login.example', tenantId: '' })).toBe(d.Account.a);
    expect(findAccount(d, { homeAccountId: 'bob', environment: 'LOGIN.EXAMPLE', tenantId: 'Tenant-2' })).toBe(d.Account.b2);
    expect(findAccount(d, { homeAccountId: 'carol', environment: 'login.example', tenantId: '' })).toBeUndefined();
    // client_id stays case-sensitive and picks the entry of that client, not the first of the account.
    expect(findIdToken(d, { homeAccountId: 'alice', environment: 'login.example', tenantId: '' }, 'spa')).toBe(d.IdToken.a);
    expect(findIdToken(d, { homeAccountId: 'alice', environment: 'login.example', tenantId: '' }, 'SPA')).toBeUndefined();
    const ref = { homeAccountId: 'alice', environment: 'login.example', tenantId: '' };
    expect(findAccessTokens(d, ref, 'spa', ['api://demo/read']).map(([key]) => key)).toEqual(['one', 'two']);
    expect(findAccessTokens(d, ref, 'spa', ['API://demo/WRITE', 'openid']).map(([key]) => key)).toEqual(['one']);
    expect(findAccessTokens(d, ref, 'spa', ['api://demo/read'], 'pop', 'kid-1').map(([key]) => key)).toEqual(['pop']);
    expect(findAccessTokens(d, ref, 'spa', ['api://demo/read'], 'pop', 'kid-2')).toEqual([]);
    expect(findAccessTokens(d, ref, 'other', ['api://demo/read'])).toEqual([]);
  });

  it('see every change: a changed section is a new object with its own index', () => {
    const before = data();
    const ref = { homeAccountId: 'alice', environment: 'login.example', tenantId: '' };
    expect(findAccessTokens(before, ref, 'spa', ['api://demo/read'])).toHaveLength(2);
    const after = applyChange(before, {
      remove: { AccessToken: ['two'], Account: ['a'] },
      set: { AccessToken: { three: accessToken('alice', 'api://demo/read') } },
    });
    expect(findAccessTokens(after, ref, 'spa', ['api://demo/read']).map(([key]) => key)).toEqual(['one', 'three']);
    expect(findAccount(after, ref)).toBeUndefined();
    // The old snapshot still answers as it did.
    expect(findAccessTokens(before, ref, 'spa', ['api://demo/read']).map(([key]) => key)).toEqual(['one', 'two']);
    expect(findAccount(before, ref)).toBe(before.Account.a);
  });
});

describe('memoized id_token claims', () => {
  it('every caller gets its own copy of the same claims', () => {
    const d = data();
    const first = accountInfoFrom(d.Account.a!, d, 'spa');
    const second = accountInfoFrom(d.Account.a!, d, 'spa');
    expect(first.idTokenClaims).toEqual({ sub: 'alice', name: 'alice' });
    expect(second.idTokenClaims).toEqual(first.idTokenClaims);
    expect(second.idTokenClaims).not.toBe(first.idTokenClaims);
    first.idTokenClaims!.name = 'changed by a caller';
    expect(accountInfoFrom(d.Account.a!, d, 'spa').idTokenClaims!.name).toBe('alice');
  });

  it('a new id_token brings its claims; an unreadable one gives none', () => {
    const d = data();
    expect(accountsFrom(d, 'spa').find((a) => a.homeAccountId === 'Alice')!.idTokenClaims!.name).toBe('alice');
    const renamed = applyChange(d, { set: { IdToken: { a: idToken('alice', 'spa', { sub: 'alice', name: 'Alice L.' }) } } });
    expect(accountInfoFrom(renamed.Account.a!, renamed, 'spa').idTokenClaims!.name).toBe('Alice L.');
    const broken = applyChange(d, { set: { IdToken: { a: { ...idToken('alice'), secret: 'not-a-jwt' } } } });
    expect(accountInfoFrom(broken.Account.a!, broken, 'spa').idTokenClaims).toBeUndefined();
  });
});

describe('randomUuid (pooled random bytes)', () => {
  it('are RFC 4122 version 4 UUIDs and do not repeat', () => {
    const ids = Array.from({ length: 5000 }, () => randomUuid());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
