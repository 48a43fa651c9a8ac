import type { CacheData, CacheSection } from './entities.js';

/** Fields every entry of a section must have as strings (MSAL's unified schema, PROTOCOL.md A5). */
const requiredFields: Record<CacheSection, readonly string[]> = {
  Account: ['home_account_id', 'environment', 'realm', 'local_account_id', 'username', 'authority_type'],
  IdToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id', 'realm'],
  AccessToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id', 'realm', 'target', 'cached_at', 'expires_on'],
  RefreshToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id'],
  AppMetadata: ['client_id', 'environment'],
};

/**
 * Returns the entry in keyward's normalized form, or `undefined` when it cannot be an
 * entry of that section. MSAL writers disagree on a few optional fields; those get MSAL's
 * defaults (`token_type` Bearer, `extended_expires_on` = `expires_on`).
 */
export function normalizeEntry<S extends CacheSection>(section: S, value: unknown): CacheData[S][string] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entry = value as Record<string, unknown>;
  if (!requiredFields[section].every((field) => typeof entry[field] === 'string')) return undefined;
  if (section === 'AccessToken') {
    const normalized = { ...entry };
    normalized.token_type ??= 'Bearer';
    normalized.extended_expires_on ??= entry.expires_on;
    if (!/^\d+$/.test(String(normalized.expires_on)) || !/^\d+$/.test(String(normalized.cached_at))) return undefined;
    return normalized as unknown as CacheData[S][string];
  }
  return entry as unknown as CacheData[S][string];
}
