/**
 * `keyward/cache`: the token caches and MSAL's unified cache schema, for apps that bring
 * their own storage (a cache plugin), import or export an MSAL cache, or inspect entries.
 * Apps that only sign people in need nothing from here: the default cache is IndexedDB.
 * @packageDocumentation
 */
export type { TokenCache, CacheChange } from './tokenCache.js';
export type { CacheData, AccountEntity, AccessTokenEntity, RefreshTokenEntity, IdTokenEntity, AppMetadataEntity } from './entities.js';
export { SerializableTokenCache } from './serializableTokenCache.js';
export type { CacheAccessContext, CachePlugin, CacheWarning, SerializableTokenCacheOptions } from './serializableTokenCache.js';
export { IndexedDbTokenCache, cacheSchemaVersion } from './indexedDbTokenCache.js';
export type { IndexedDbTokenCacheOptions, SyncOptions } from './indexedDbTokenCache.js';
