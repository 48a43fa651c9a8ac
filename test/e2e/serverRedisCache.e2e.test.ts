// keyward/server's token cache shared by two server processes through one real Redis
// (redis-server started here on a free port, no persistence, stopped at the end): the
// distributedCachePlugin + redisCacheStore recipe, partitioned per tenant (app tokens) and
// per user assertion (on-behalf-of), with compare-and-set writes.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicClientApplication } from '../../src/index.js';
import { cachePartition, SerializableTokenCache, userAssertionHash } from '../../src/server/index.js';
import { createEntraIdp, TENANT_A, TENANT_B, type EntraIdp } from '../idp/entra/createEntraIdp.mjs';
import { makeTestPki } from '../server/testCredentials';
import { AUTHORITY, SECRET, confidentialClients, idpHttpClient } from './serverFixtures';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** redis-server as the Debian package installs it, in memory only. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return child;
}

async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

type Reply = { id: number; ok: true; accessToken: string; fromCache: boolean } | { id: number; ok: false; name: string; errorCode: string; message: string };

/** One server process (test/e2e/redis/cacheWorker.ts) and a way to send it commands. */
class Worker {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (message: Record<string, unknown>) => void>();
  readonly #gated = new Map<number, (cachedAt: number) => void>();
  #next = 0;
  readonly ready: Promise<void>;

  constructor(script: string, env: Record<string, string>) {
    this.#child = fork(script, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve) => {
      this.#child.on('message', (message: Record<string, unknown>) => {
        if (message.op === 'ready') return resolve();
        const id = message.id as number;
        if (message.op === 'gated') return this.#gated.get(id)?.(message.cachedAt as number);
        this.#waiting.get(id)?.(message);
        this.#waiting.delete(id);
      });
    });
  }

  send(command: Record<string, unknown>): { id: number; reply: Promise<Reply> } {
    const id = ++this.#next;
    const reply = new Promise<Reply>((resolve) => this.#waiting.set(id, resolve as never));
    this.#child.send({ ...command, id });
    return { id, reply };
  }

  /** Starts a forced-refresh app token request whose Redis write waits for {@link release}; resolves when the token is fetched. */
  async gatedApp(tenant: string): Promise<{ id: number; cachedAt: number; reply: Promise<Reply> }> {
    const id = this.#next + 1;
    const gated = new Promise<number>((resolve) => this.#gated.set(id, resolve));
    const { reply } = this.send({ op: 'app', tenant, forceRefresh: true, gate: true });
    return { id, cachedAt: await gated, reply };
  }

  release(id: number): void {
    this.#child.send({ op: 'release', id });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }
}

let idp: EntraIdp;
let redisPort: number;
let redisServer: ChildProcess | undefined;
let redis: Redis;
let workers: Worker[] = [];
const assertions: Record<string, string> = {};

beforeAll(async () => {
  idp = await createEntraIdp({ redirectUris: ['http://127.0.0.1:9/'], confidentialClients: confidentialClients(makeTestPki()) });
  redisPort = await freePort();
  redisServer = await startRedis(redisPort);
  redis = new Redis({ host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on('error', () => {});
  // Node 20 runs no TypeScript: the worker and the keyward source it imports are bundled; packages stay external.
  mkdirSync(`${root}.tmp`, { recursive: true });
  const script = `${root}.tmp/redis-cache-worker-${process.pid}.mjs`;
  await build({
    entryPoints: [`${root}test/e2e/redis/cacheWorker.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: script,
    logLevel: 'error',
  });
  const env = { REDIS_PORT: String(redisPort), IDP_PORT: String(idp.port), IDP_CA: idp.certificate.cert, CLIENT_SECRET: SECRET };
  workers = [new Worker(script, env), new Worker(script, env)];
  await Promise.all(workers.map((worker) => worker.ready));
  // Two people's access tokens for the middle tier (api://demo), by the password grant.
  for (const login of ['uma', 'ulf']) {
    const pca = new PublicClientApplication({
      clientId: 'spa',
      authority: AUTHORITY,
      httpClient: idpHttpClient(idp),
      tokenCache: new SerializableTokenCache(),
    });
    assertions[login] = (await pca.acquireTokenByUsernamePassword(login, `pw-${login}`, ['api://demo/read'])).accessToken;
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  redis?.disconnect();
  await stopRedis(redisServer);
  await idp?.close();
});

const ok = (reply: Reply): Extract<Reply, { ok: true }> => {
  if (!reply.ok) throw new Error(`worker failed: ${reply.name} ${reply.errorCode} ${reply.message}`);
  return reply;
};

/** A partition's entries as stored, parsed. */
async function partition(key: string): Promise<Array<{ field: string; entry: Record<string, string> }>> {
  return Object.entries(await redis.hgetall(key)).map(([field, value]) => ({ field, entry: JSON.parse(value) as Record<string, string> }));
}

describe('two server processes, one Redis', () => {
  it('acquire app and on-behalf-of tokens concurrently; each partition holds only its own tokens; a token one process stored serves the other', async () => {
    const [one, two] = workers as [Worker, Worker];
    const replies = await Promise.all([
      one.send({ op: 'app', tenant: TENANT_A }).reply,
      two.send({ op: 'app', tenant: TENANT_B }).reply,
      one.send({ op: 'obo', tenant: TENANT_A, assertion: assertions.uma }).reply,
      two.send({ op: 'obo', tenant: TENANT_A, assertion: assertions.ulf }).reply,
    ]);
    const [appA, appB, oboUma, oboUlf] = replies.map(ok);
    expect(decodeJwt(appA!.accessToken)).toMatchObject({ tid: TENANT_A, idtyp: 'app' });
    expect(decodeJwt(appB!.accessToken)).toMatchObject({ tid: TENANT_B, idtyp: 'app' });
    expect(decodeJwt(oboUma!.accessToken).oid).toBe(decodeJwt(assertions.uma!).oid);
    expect(decodeJwt(oboUlf!.accessToken).oid).toBe(decodeJwt(assertions.ulf!).oid);

    const umaHash = await userAssertionHash(assertions.uma!);
    const ulfHash = await userAssertionHash(assertions.ulf!);
    const keys = (await redis.keys('keyward:*')).sort();
    expect(keys).toEqual(
      [
        cachePartition.app('daemon-secret', TENANT_A),
        cachePartition.app('daemon-secret', TENANT_B),
        cachePartition.onBehalfOf('middle-tier', umaHash),
        cachePartition.onBehalfOf('middle-tier', ulfHash),
      ].sort(),
    );
    for (const [key, tenant] of [
      [cachePartition.app('daemon-secret', TENANT_A), TENANT_A],
      [cachePartition.app('daemon-secret', TENANT_B), TENANT_B],
    ] as const) {
      const tokens = (await partition(key)).filter(({ field }) => field.startsWith('AccessToken|'));
      expect(tokens).toHaveLength(1);
      expect(tokens[0]!.entry).toMatchObject({ realm: tenant, client_id: 'daemon-secret', home_account_id: '' });
      expect(tokens[0]!.entry.user_assertion_hash).toBeUndefined();
    }
    for (const [key, hash] of [
      [cachePartition.onBehalfOf('middle-tier', umaHash), umaHash],
      [cachePartition.onBehalfOf('middle-tier', ulfHash), ulfHash],
    ] as const) {
      const entries = await partition(key);
      const tokens = entries.filter(({ field }) => field.startsWith('AccessToken|'));
      expect(tokens).toHaveLength(1);
      expect(tokens[0]!.entry).toMatchObject({ user_assertion_hash: hash, client_id: 'middle-tier' });
      expect(entries.every(({ field }) => field.startsWith('AccessToken|') || field.startsWith('AppMetadata|'))).toBe(true);
    }

    // The other process finds them: served from Redis, no token request.
    const before = idp.tokenRequests.length;
    const [crossA, crossUma] = (
      await Promise.all([two.send({ op: 'app', tenant: TENANT_A }).reply, two.send({ op: 'obo', tenant: TENANT_A, assertion: assertions.uma }).reply])
    ).map(ok);
    expect(crossA).toMatchObject({ fromCache: true, accessToken: appA!.accessToken });
    expect(crossUma).toMatchObject({ fromCache: true, accessToken: oboUma!.accessToken });
    expect(idp.tokenRequests.length).toBe(before);
  });

  it("no write loses a newer token: the older token's write lands after the newer one (forced race, 20 runs)", async () => {
    const [one, two] = workers as [Worker, Worker];
    const key = cachePartition.app('daemon-secret', TENANT_A);
    for (let run = 0; run < 20; run++) {
      // Process one fetches a token and holds its write...
      const older = await one.gatedApp(TENANT_A);
      // ...process two fetches a strictly newer one (cached_at counts seconds) and stores it...
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, (older.cachedAt + 1) * 1000 - Date.now() + 20)));
      const newer = ok(await two.send({ op: 'app', tenant: TENANT_A, forceRefresh: true }).reply);
      // ...then one's write of the older token goes through.
      one.release(older.id);
      const olderReply = ok(await older.reply);
      expect(olderReply.accessToken).not.toBe(newer.accessToken);
      const tokens = (await partition(key)).filter(({ field }) => field.startsWith('AccessToken|'));
      expect(tokens, `run ${run}`).toHaveLength(1);
      expect(tokens[0]!.entry.secret, `run ${run}: the newer token is kept`).toBe(newer.accessToken);
    }
  }, 90_000);

  it('survives Redis restarting: a typed cache_unavailable error while it is down, then it recovers', async () => {
    const [one] = workers as [Worker];
    await stopRedis(redisServer);
    const down = await one.send({ op: 'app', tenant: TENANT_A }).reply;
    expect(down).toMatchObject({ ok: false, name: 'CacheError', errorCode: 'cache_unavailable' });

    redisServer = await startRedis(redisPort);
    let reply: Reply = down;
    for (let attempt = 0; attempt < 50 && !reply.ok; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      reply = await one.send({ op: 'app', tenant: TENANT_A }).reply;
    }
    // The restarted Redis is empty (no persistence): a fresh token, stored again.
    expect(ok(reply).fromCache).toBe(false);
    const tokens = (await partition(cachePartition.app('daemon-secret', TENANT_A))).filter(({ field }) => field.startsWith('AccessToken|'));
    expect(tokens.map(({ entry }) => entry.secret)).toEqual([ok(reply).accessToken]);
  }, 60_000);
});
