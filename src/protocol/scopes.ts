/** Scopes keyward adds to every authorization and token request (MSAL's default set). */
export const defaultOidcScopes = ['openid', 'profile', 'offline_access'] as const;

/** OIDC scopes ignored when matching cached access tokens (msal-common `ScopeSet`). */
const oidcScopes = new Set(['openid', 'profile', 'offline_access', 'email']);

/**
 * The scope list sent on the wire: the caller's scopes plus the defaults, minus
 * `excludeScopes` (`openid` cannot be excluded: without it there is no id_token to
 * build an account from). Order is kept; duplicates are dropped case-insensitively.
 */
export function requestScopes(scopes: readonly string[], excludeScopes: readonly string[] = []): string[] {
  const excluded = new Set(excludeScopes.map((scope) => scope.toLowerCase()));
  excluded.delete('openid');
  const seen = new Set<string>();
  const result: string[] = [];
  for (const scope of [...scopes, ...defaultOidcScopes]) {
    const trimmed = scope.trim();
    const key = trimmed.toLowerCase();
    if (!trimmed || seen.has(key) || excluded.has(key)) continue;
    seen.add(key);
    result.push(trimmed);
  }
  return result;
}

/** Scopes as compared against cache entries: lower-case, OIDC scopes dropped unless only OIDC scopes were asked. */
export function lookupScopes(scopes: readonly string[]): Set<string> {
  const all = new Set(scopes.map((scope) => scope.trim().toLowerCase()).filter(Boolean));
  const resource = [...all].filter((scope) => !oidcScopes.has(scope));
  return resource.length > 0 ? new Set(resource) : all;
}

/**
 * Each cached `target` split once: a cache hit asks this for every candidate token, and a
 * target string never changes (a changed token is a new entry with a new string). Bounded,
 * since targets come and go with tokens.
 */
const targetSets = new Map<string, Set<string>>();

/** True when a cached token's `target` (space-separated) covers every requested scope. */
export function targetCovers(target: string, requested: ReadonlySet<string>): boolean {
  let have = targetSets.get(target);
  if (!have) {
    if (targetSets.size >= 4096) targetSets.clear();
    have = new Set(target.toLowerCase().split(' ').filter(Boolean));
    targetSets.set(target, have);
  }
  for (const scope of requested) if (!have.has(scope)) return false;
  return true;
}

/** Splits a wire scope string. */
export function splitScopes(value: string | undefined): string[] {
  return (value ?? '').split(' ').filter(Boolean);
}
