import type { CacheData, CacheSection } from './entities.js';

/** Fields every entry of a section must have as strings (MSAL's unified schema, docs/protocol.md A5). */
const requiredFields: Record<CacheSection, readonly string[]> = {
  Account: ['home_account_id', 'environment', 'realm', 'local_account_id', 'username', 'authority_type'],
  IdToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id', 'realm'],
  AccessToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id', 'realm', 'target', 'cached_at', 'expires_on'],
  RefreshToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id'],
  AppMetadata: ['client_id', 'environment'],
};

/**
 * Returns the entry unchanged when it is a valid entry of that section, else `undefined`.
 * Entries are kept exactly as written (fields keyward does not know included), so a cache
 * round-trips losslessly between keyward and MSAL; defaults for optional fields are applied
 * where entries are read.
 */
export function normalizeEntry<S extends CacheSection>(section: S, value: unknown): CacheData[S][string] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entry = value as Record<string, unknown>;
  if (!requiredFields[section].every((field) => typeof entry[field] === 'string')) return undefined;
  if (section === 'AccessToken' && (!/^\d+$/.test(String(entry.expires_on)) || !/^\d+$/.test(String(entry.cached_at)))) return undefined;
  return entry as unknown as CacheData[S][string];
}
