import { base64url } from 'jose';
import { cacheSections } from '../cache/entities.js';
import type { CacheAccessContext, CachePlugin } from '../cache/serializableTokenCache.js';
import { CacheError, ErrorCode } from '../errors.js';

/**
 * One partition's change, as the plugin computed it from what it loaded: entries to write
 * (field → entry JSON) and entries to delete, each with the value it had when loaded.
 */
export interface PartitionChange {
  /** Entries to write: field → entry JSON. */
  set: Record<string, string>;
  /** Entries to delete: field → the entry JSON it had when loaded (deleted only if unchanged). */
  remove: Record<string, string>;
}

/**
 * Where partitions live. {@link redisCacheStore} makes one from a Redis client; any store
 * that can apply a {@link PartitionChange} atomically with the same rules works.
 */
export interface DistributedCacheStore {
  /** Every entry of a partition (field → entry JSON); empty when there is none. */
  read(partition: string): Promise<Record<string, string>>;
  /**
   * Applies a change atomically: an entry is written unless the stored one is newer
   * (`cached_at`, then `expires_on`); an entry is deleted only if it is still the value the
   * change was computed from, so a token another process wrote meanwhile survives.
   */
  write(partition: string, change: PartitionChange): Promise<void>;
}

/** The two commands of a Redis client the store uses, in ioredis's shape (node-redis: see the README recipe). */
export interface RedisCommands {
  /** Redis `HGETALL`: every field of a hash. */
  hgetall(key: string): Promise<Record<string, string>>;
  /** Redis `EVAL`: runs the compare-and-set script atomically. */
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * Compare-and-set in one Lua script, so it runs atomically in Redis (EVAL: "no other script
 * or Redis command will be executed while a script is being executed"). ARGV: number of
 * writes, field/value pairs, number of deletes, field/expected pairs, TTL seconds (0: none).
 */
const applyScript = `
local key = KEYS[1]
local i = 1
local function newer(old, new)
  local ok1, a = pcall(cjson.decode, old)
  local ok2, b = pcall(cjson.decode, new)
  if not (ok1 and ok2) or type(a) ~= 'table' or type(b) ~= 'table' then return false end
  local ac, bc = tonumber(a.cached_at), tonumber(b.cached_at)
  if ac == nil or bc == nil then return false end
  if ac ~= bc then return ac > bc end
  local ae, be = tonumber(a.expires_on), tonumber(b.expires_on)
  return ae ~= nil and be ~= nil and ae > be
end
local writes = tonumber(ARGV[i]); i = i + 1
for _ = 1, writes do
  local field, value = ARGV[i], ARGV[i + 1]; i = i + 2
  local current = redis.call('HGET', key, field)
  if not current or not newer(current, value) then redis.call('HSET', key, field, value) end
end
local deletes = tonumber(ARGV[i]); i = i + 1
for _ = 1, deletes do
  local field, expected = ARGV[i], ARGV[i + 1]; i = i + 2
  if redis.call('HGET', key, field) == expected then redis.call('HDEL', key, field) end
end
local ttl = tonumber(ARGV[i])
if ttl and ttl > 0 and redis.call('EXISTS', key) == 1 then redis.call('EXPIRE', key, ttl) end
return 1
`;

/** Options of {@link redisCacheStore}. */
export interface RedisCacheStoreOptions {
  /** Seconds a partition lives after its last write (Redis `EXPIRE`). Default: no expiry. */
  ttlSeconds?: number;
}

/** A {@link DistributedCacheStore} on Redis: one hash per partition, one field per cache entry. */
export function redisCacheStore(redis: RedisCommands, options: RedisCacheStoreOptions = {}): DistributedCacheStore {
  return {
    read: (partition) => redis.hgetall(partition),
    async write(partition, change) {
      const sets = Object.entries(change.set);
      const removes = Object.entries(change.remove);
      await redis.eval(applyScript, 1, partition, sets.length, ...sets.flat(), removes.length, ...removes.flat(), options.ttlSeconds ?? 0);
    },
  };
}

/**
 * Partition keys, as MSAL's distributed-cache guidance partitions a confidential client's
 * cache (learn.microsoft.com/entra/msal/dotnet/how-to/token-cache-serialization): app tokens
 * per tenant, on-behalf-of tokens per user assertion, a web app's user tokens per account.
 * A client (cheap to create; share its `httpCache`) is made per request with the plugin of
 * the one partition that request touches, so it never reads another partition.
 */
export const cachePartition = {
  /** `acquireTokenForClient` tokens of one tenant. */
  app: (clientId: string, tenantId: string): string => `keyward:${clientId}:app:${tenantId.toLowerCase()}`,
  /** `acquireTokenOnBehalfOf` tokens of one incoming assertion (see {@link userAssertionHash}). */
  onBehalfOf: (clientId: string, assertionHash: string): string => `keyward:${clientId}:obo:${assertionHash}`,
  /** A signed-in person's tokens (`account.homeAccountId`). */
  user: (clientId: string, homeAccountId: string): string => `keyward:${clientId}:user:${homeAccountId.toLowerCase()}`,
};

/** The `user_assertion_hash` keyward (and MSAL) key on-behalf-of tokens with: base64url SHA-256 of the assertion. */
export async function userAssertionHash(userAssertion: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(userAssertion))));
}

/** Fields of one cache JSON: `Section|key` → entry JSON. */
function fieldsOf(serialized: string): Map<string, string> {
  const parsed = JSON.parse(serialized) as Record<string, Record<string, unknown> | undefined>;
  const fields = new Map<string, string>();
  for (const section of cacheSections) {
    for (const [key, entry] of Object.entries(parsed[section] ?? {})) fields.set(`${section}|${key}`, JSON.stringify(entry));
  }
  return fields;
}

function cacheJsonOf(entries: Record<string, string>): string {
  const data: Record<string, Record<string, unknown>> = Object.fromEntries(cacheSections.map((section) => [section, {}]));
  for (const [field, value] of Object.entries(entries)) {
    const bar = field.indexOf('|');
    const section = data[field.slice(0, bar)];
    if (!section) continue;
    try {
      section[field.slice(bar + 1)] = JSON.parse(value);
    } catch {
      // An unreadable entry is left out; deserialize drops invalid entries the same way.
    }
  }
  return JSON.stringify(data);
}

/**
 * A {@link CachePlugin} that keeps one partition of keyward/server's cache in a shared
 * store: before each access it loads the partition; after a change it writes only what this
 * access changed, through the store's compare-and-set, so two processes writing the same
 * partition never overwrite each other's newer token. A store failure is a
 * {@link CacheError} `cache_unavailable` (the client works again once the store does).
 */
export function distributedCachePlugin(store: DistributedCacheStore, partition: string): CachePlugin {
  let loaded = new Map<string, string>();
  // As stored: a delete compares against these exact bytes.
  let stored: Record<string, string> = {};
  const unavailable = (cause: unknown): CacheError =>
    new CacheError(
      ErrorCode.cacheUnavailable,
      'The shared token cache is unavailable (its store did not answer). Nothing was changed; retry once it is back.',
      { cause },
    );
  return {
    async beforeCacheAccess(context: CacheAccessContext) {
      let entries: Record<string, string>;
      try {
        entries = await store.read(partition);
      } catch (cause) {
        throw unavailable(cause);
      }
      await context.tokenCache.deserialize(cacheJsonOf(entries));
      stored = entries;
      loaded = fieldsOf(context.tokenCache.serialize());
    },
    async afterCacheAccess(context: CacheAccessContext) {
      if (!context.cacheHasChanged) return;
      const now = fieldsOf(context.tokenCache.serialize());
      const change: PartitionChange = { set: {}, remove: {} };
      for (const [field, value] of now) if (loaded.get(field) !== value) change.set[field] = value;
      for (const [field, value] of loaded) if (!now.has(field)) change.remove[field] = stored[field] ?? value;
      if (Object.keys(change.set).length === 0 && Object.keys(change.remove).length === 0) return;
      try {
        await store.write(partition, change);
      } catch (cause) {
        throw unavailable(cause);
      }
      loaded = now;
      stored = Object.fromEntries(now);
    },
  };
}
