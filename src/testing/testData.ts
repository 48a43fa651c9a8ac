import type { AccountInfo, AuthenticationResult, IdTokenClaims } from '../types.js';

/**
 * An account for {@link createTestClient}: only `username` is required; every other field of
 * {@link AccountInfo} gets a default derived from it. `idTokenClaims` may be partial: the
 * claims given are merged over the defaults (handy for `roles` or `groups`).
 */
export type TestAccount = Partial<Omit<AccountInfo, 'idTokenClaims'>> & {
  /** The account's username (e.g. `ada@contoso.com`); ids and claims are derived from it. */
  username: string;
  /** Claims merged over the defaults (`name`, `preferred_username`, `oid`, `tid`, ...). */
  idTokenClaims?: Partial<IdTokenClaims>;
};

/** A token for {@link createTestClient}: the access token string, or any fields of the result. */
export type TestToken = string | Partial<AuthenticationResult>;

/** Host every test account and token claims to come from. */
export const testEnvironment = 'test.keyward';
/** Authority of every test token. */
export const testAuthority = `https://${testEnvironment}/`;
const testClientId = 'test-client';
// Fixed, so that accounts (and snapshots of them) are the same from one run to the next.
const issuedAt = 1_767_225_600; // 2026-01-01T00:00:00Z
const expiresAt = 4_102_444_800; // 2100-01-01T00:00:00Z
const tokenLifetimeMs = 60 * 60 * 1000;

/** `ann.lee@contoso.test` → `Ann Lee`. */
function displayName(username: string): string {
  const local = username.split('@')[0] ?? username;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join(' ');
}

/**
 * A complete {@link AccountInfo} from a {@link TestAccount}, shaped like one a generic OpenID
 * Connect provider would give: `homeAccountId` and `localAccountId` are the lowercased
 * username (the `sub`), environment `test.keyward`, no tenant, `authorityType: 'Generic'`.
 */
export function testAccount(account: TestAccount | string): AccountInfo {
  const given: TestAccount = typeof account === 'string' ? { username: account } : account;
  const { idTokenClaims: claims, ...fields } = given;
  const sub = given.homeAccountId ?? given.username.toLowerCase();
  const name = given.name ?? displayName(given.username);
  const info: AccountInfo = {
    homeAccountId: sub,
    environment: testEnvironment,
    tenantId: '',
    localAccountId: sub,
    name,
    authorityType: 'Generic',
    ...fields,
    idTokenClaims: {
      iss: testAuthority,
      sub,
      aud: testClientId,
      iat: issuedAt,
      exp: expiresAt,
      name,
      preferred_username: given.username,
      ...claims,
    },
  };
  info.tenantProfiles ??= [{ tenantId: info.tenantId, localAccountId: info.localAccountId, name, isHomeTenant: true }];
  return info;
}

/** True when both refer to the same person (what the real cache keys accounts by). */
export function sameAccount(a: Pick<AccountInfo, 'homeAccountId' | 'environment'>, b: Pick<AccountInfo, 'homeAccountId' | 'environment'>): boolean {
  return a.homeAccountId === b.homeAccountId && a.environment === b.environment;
}

/** Scopes as a set key: lowercased, de-duplicated, sorted. */
function scopeSet(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((s) => s.toLowerCase()).filter(Boolean))].sort();
}

/**
 * The configured token for `scopes`: the entry whose scope string names the same scopes,
 * else one that covers them all (as the real cache serves a token whose scopes include the
 * requested ones). `undefined` when none does.
 */
export function findToken(tokens: Readonly<Record<string, TestToken>>, scopes: readonly string[]): { scopes: string[]; token: TestToken } | undefined {
  const wanted = scopeSet(scopes);
  const entries = Object.entries(tokens).map(([key, token]) => ({ scopes: key.split(/\s+/).filter(Boolean), token }));
  const exact = entries.find((entry) => scopeSet(entry.scopes).join(' ') === wanted.join(' '));
  if (exact) return exact;
  return entries.find((entry) => {
    const held = new Set(scopeSet(entry.scopes));
    return wanted.every((scope) => held.has(scope));
  });
}

let correlation = 0;

/**
 * A complete {@link AuthenticationResult} for `account`: a Bearer token valid for an hour,
 * with a deterministic access token string, overridden by whatever `token` gives.
 */
export function testResult(account: AccountInfo, scopes: readonly string[], token: TestToken | undefined, fromCache: boolean): AuthenticationResult {
  const fields = typeof token === 'string' ? { accessToken: token } : (token ?? {});
  const expiresOn = new Date(Date.now() + tokenLifetimeMs);
  return {
    accessToken: `test-access-token.${account.homeAccountId}.${scopes.join('+')}`,
    tokenType: 'Bearer',
    scopes: [...scopes],
    expiresOn,
    extExpiresOn: expiresOn,
    account,
    fromCache,
    correlationId: `test-correlation-${++correlation}`,
    authority: testAuthority,
    ...(account.idTokenClaims && { idTokenClaims: account.idTokenClaims }),
    ...fields,
  };
}
