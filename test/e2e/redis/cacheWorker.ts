// One server process of the shared-cache test: keyward/server clients whose cache partitions
// live in Redis (distributedCachePlugin + redisCacheStore), driven over IPC by
// serverRedisCache.e2e.test.ts. Bundled with esbuild by the test (Node 20 cannot run .ts).
import { request } from 'node:https';
import { Redis } from 'ioredis';
import type { HttpClient } from '../../../src/index.js';
import {
  cachePartition,
  ConfidentialClientApplication,
  type DistributedCacheStore,
  distributedCachePlugin,
  type KeywardError,
  redisCacheStore,
  SerializableTokenCache,
  userAssertionHash,
} from '../../../src/server/index.js';

const { REDIS_PORT, IDP_PORT, IDP_CA, CLIENT_SECRET } = process.env as Record<string, string>;

/** Entra hosts go to the local authority, TLS checked against its certificate (what idp.fetch does in the test process). */
const httpClient: HttpClient = {
  send(req) {
    const url = new URL(req.url);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: '127.0.0.1',
          port: Number(IDP_PORT),
          servername: url.hostname,
          ca: IDP_CA,
          method: req.method,
          path: `${url.pathname}${url.search}`,
          headers: { ...req.headers, host: url.host },
          agent: false,
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 500,
              headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
              body: Buffer.concat(parts).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  },
};

// Fail fast while Redis is down (no offline queue, one attempt), reconnect by itself.
const redis = new Redis({ host: '127.0.0.1', port: Number(REDIS_PORT), enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
redis.on('error', () => {
  /* reconnects; commands meanwhile fail with a typed cache error */
});
const store = redisCacheStore(redis);
const httpCache = new Map<string, unknown>();
const releases = new Map<number, () => void>();

/** The store, except that the write waits for the test's go-ahead (the forced race). */
function gated(id: number): DistributedCacheStore {
  return {
    read: (partition) => store.read(partition),
    async write(partition, change) {
      const token = Object.entries(change.set).find(([field]) => field.startsWith('AccessToken|'))?.[1];
      await new Promise<void>((resolve) => {
        releases.set(id, resolve);
        process.send!({ id, op: 'gated', cachedAt: token ? Number(JSON.parse(token).cached_at) : undefined });
      });
      return store.write(partition, change);
    },
  };
}

type Command =
  | { id: number; op: 'app'; tenant: string; forceRefresh?: boolean; gate?: boolean }
  | { id: number; op: 'obo'; tenant: string; assertion: string }
  | { id: number; op: 'release' };

async function run(command: Exclude<Command, { op: 'release' }>) {
  if (command.op === 'app') {
    const cache = new SerializableTokenCache({
      plugin: distributedCachePlugin(command.gate ? gated(command.id) : store, cachePartition.app('daemon-secret', command.tenant)),
    });
    const app = new ConfidentialClientApplication({
      clientId: 'daemon-secret',
      clientCredential: CLIENT_SECRET!,
      authority: `https://login.microsoftonline.com/${command.tenant}`,
      httpClient,
      httpCache,
      tokenCache: cache,
    });
    return app.acquireTokenForClient(['api://demo/.default'], { forceRefresh: command.forceRefresh ?? false });
  }
  const partition = cachePartition.onBehalfOf('middle-tier', await userAssertionHash(command.assertion));
  const cache = new SerializableTokenCache({ plugin: distributedCachePlugin(store, partition) });
  const api = new ConfidentialClientApplication({
    clientId: 'middle-tier',
    clientCredential: CLIENT_SECRET!,
    authority: `https://login.microsoftonline.com/${command.tenant}`,
    httpClient,
    httpCache,
    tokenCache: cache,
  });
  return api.acquireTokenOnBehalfOf(command.assertion, ['api://downstream/read']);
}

process.on('message', (command: Command) => {
  if (command.op === 'release') {
    releases.get(command.id)?.();
    releases.delete(command.id);
    return;
  }
  run(command).then(
    (result) => process.send!({ id: command.id, ok: true, accessToken: result.accessToken, fromCache: result.fromCache }),
    (error: KeywardError) => process.send!({ id: command.id, ok: false, name: error?.name, errorCode: error?.errorCode, message: String(error?.message) }),
  );
});

redis.once('ready', () => process.send!({ op: 'ready', pid: process.pid }));
