import { lookupScopes, targetCovers } from '../protocol/scopes.js';
import type { AccessTokenEntity, AccountEntity, CacheData, IdTokenEntity, RefreshTokenEntity } from './entities.js';

/** Identifies one account in the cache. */
export interface AccountRef {
  homeAccountId: string;
  environment: string;
  tenantId: string;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/*
 * Lookup indexes for the hot path (a cache hit). The TokenCache contract is that a section
 * is replaced, never mutated, when it changes (copy-on-write, see applyChange), so an index
 * built for one section object stays right for as long as that object is the section; the
 * next change brings a new object and a new index. Each index keeps the section's
 * insertion order, so a lookup returns what the linear scan it replaces returned.
 */
const SEP = '\u0000';
const refKey = (home: string, environment: string, realm: string): string => `${home}${SEP}${environment}${SEP}${realm}`.toLowerCase();

function indexed<T>(indexes: WeakMap<object, Map<string, [string, T][]>>, section: Record<string, T>, keyOf: (entry: T) => string): Map<string, [string, T][]> {
  let index = indexes.get(section);
  if (!index) {
    index = new Map();
    for (const [key, entry] of Object.entries(section)) {
      const k = keyOf(entry);
      const bucket = index.get(k);
      if (bucket) bucket.push([key, entry]);
      else index.set(k, [[key, entry]]);
    }
    indexes.set(section, index);
  }
  return index;
}

const accountIndexes = new WeakMap<object, Map<string, [string, AccountEntity][]>>();
const idTokenIndexes = new WeakMap<object, Map<string, [string, IdTokenEntity][]>>();
const accessTokenIndexes = new WeakMap<object, Map<string, [string, AccessTokenEntity][]>>();

export function findAccount(data: Readonly<CacheData>, ref: AccountRef): AccountEntity | undefined {
  const index = indexed(accountIndexes, data.Account, (a) => refKey(a.home_account_id, a.environment, a.realm));
  return index.get(refKey(ref.homeAccountId, ref.environment, ref.tenantId))?.[0]?.[1];
}

export function findIdToken(data: Readonly<CacheData>, ref: AccountRef, clientId: string): IdTokenEntity | undefined {
  const index = indexed(idTokenIndexes, data.IdToken, (t) => refKey(t.home_account_id, t.environment, t.realm));
  return index.get(refKey(ref.homeAccountId, ref.environment, ref.tenantId))?.find(([, t]) => t.client_id === clientId)?.[1];
}

export function findRefreshToken(data: Readonly<CacheData>, ref: AccountRef, clientId: string): [string, RefreshTokenEntity] | undefined {
  return Object.entries(data.RefreshToken).find(
    ([, t]) => same(t.home_account_id, ref.homeAccountId) && same(t.environment, ref.environment) && t.client_id === clientId,
  );
}

/** Access tokens of one account, client and tenant whose target covers `scopes` (order-free, case-insensitive). */
export function findAccessTokens(
  data: Readonly<CacheData>,
  ref: AccountRef,
  clientId: string,
  scopes: readonly string[],
  tokenType = 'bearer',
  keyId?: string,
): [string, AccessTokenEntity][] {
  const wanted = wantedScopes(scopes);
  const index = indexed(accessTokenIndexes, data.AccessToken, (t) => refKey(t.home_account_id, t.environment, t.realm));
  const candidates = index.get(refKey(ref.homeAccountId, ref.environment, ref.tenantId));
  if (!candidates) return [];
  return candidates.filter(
    ([, t]) => t.client_id === clientId && schemeOf(t) === tokenType && (keyId === undefined || t.key_id === keyId) && targetCovers(t.target, wanted),
  );
}

/** lookupScopes, remembered per distinct scope list (apps ask for a handful). */
const wantedCache = new Map<string, Set<string>>();
function wantedScopes(scopes: readonly string[]): ReadonlySet<string> {
  const key = scopes.join(SEP);
  let wanted = wantedCache.get(key);
  if (!wanted) {
    if (wantedCache.size >= 256) wantedCache.clear();
    wanted = lookupScopes(scopes);
    wantedCache.set(key, wanted);
  }
  return wanted;
}

const credentialClientIndexes = new WeakMap<object, Map<string, Set<string>>>();

/** For one credential section: account group (`home|environment`, lower-case) → the client ids holding an entry of it. */
function credentialClients(section: Record<string, { home_account_id: string; environment: string; client_id: string }>): Map<string, Set<string>> {
  let index = credentialClientIndexes.get(section);
  if (!index) {
    index = new Map();
    for (const entry of Object.values(section)) {
      const group = refKey(entry.home_account_id, entry.environment, '');
      const clients = index.get(group);
      if (clients) clients.add(entry.client_id);
      else index.set(group, new Set([entry.client_id]));
    }
    credentialClientIndexes.set(section, index);
  }
  return index;
}

/** The client ids holding a credential (id, refresh or access token) for the account in that environment. */
export function credentialHolders(data: Readonly<CacheData>, homeAccountId: string, environment: string): Set<string> {
  const group = refKey(homeAccountId, environment, '');
  const holders = new Set<string>();
  for (const section of [data.IdToken, data.RefreshToken, data.AccessToken])
    for (const clientId of credentialClients(section).get(group) ?? []) holders.add(clientId);
  return holders;
}

/**
 * True when the account in that environment is `clientId`'s to list: the cache holds a
 * credential of that client for it, or no credential of any client (an account entity
 * alone, e.g. imported). The Account entity of MSAL's unified schema has no client id: two
 * apps of one provider share it, and each owns it through its own credentials.
 */
export function accountOwnedBy(data: Readonly<CacheData>, homeAccountId: string, environment: string, clientId: string): boolean {
  const holders = credentialHolders(data, homeAccountId, environment);
  return holders.size === 0 || holders.has(clientId);
}

/** Keys of every credential of an account (all tenants of it in that environment). */
export function credentialKeysOf(
  data: Readonly<CacheData>,
  homeAccountId: string,
  environment: string,
  clientId?: string,
): { IdToken: string[]; AccessToken: string[]; RefreshToken: string[]; Account: string[] } {
  // With `clientId`, only that client's credentials: the Account entity has no client id (it is shared), so none of it.
  const owned = (t: { home_account_id: string; environment: string; client_id?: string }): boolean =>
    same(t.home_account_id, homeAccountId) && same(t.environment, environment) && (clientId === undefined || t.client_id === clientId);
  const keys = <T extends { home_account_id: string; environment: string; client_id?: string }>(section: Record<string, T>): string[] =>
    Object.entries(section)
      .filter(([, t]) => owned(t))
      .map(([key]) => key);
  return { Account: keys(data.Account), IdToken: keys(data.IdToken), AccessToken: keys(data.AccessToken), RefreshToken: keys(data.RefreshToken) };
}

/**
 * The lower-case scheme of a cached access token. A plain `AccessToken` is Bearer even when
 * an older writer left `token_type` out; an `AccessToken_With_AuthScheme` never is, so a
 * Bearer request can never be handed a proof-of-possession token or the reverse.
 */
export function schemeOf(token: AccessTokenEntity): string {
  if (token.credential_type === 'AccessToken') return (token.token_type ?? 'Bearer').toLowerCase() === 'bearer' ? 'bearer' : 'invalid';
  const scheme = (token.token_type ?? '').toLowerCase();
  return scheme === 'bearer' || scheme === '' ? 'invalid' : scheme;
}
