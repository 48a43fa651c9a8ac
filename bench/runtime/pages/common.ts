/**
 * The uniform in-page API every SDK page exposes as `window.bench`. The harness
 * (bench/runtime/index.mjs) drives it through Playwright; every timing that matters is
 * taken here, in the page, with performance.now() (5 µs resolution: the pages are served
 * cross-origin isolated, see README.md).
 */
export interface BenchConfig {
  issuer: string;
  clientId: string;
  scopes: string[];
  /** keyward only: DPoP-bound sign-in. */
  dpop?: boolean;
  /** The protected API (PoP/DPoP measurement). */
  api?: string;
}

export interface Sdk {
  name: string;
  /** What an app does on every page load before it knows who is signed in; resolves the number of accounts. */
  boot(): Promise<number>;
  /**
   * Only where `boot()` can know the accounts before their id_token claims (keyward's
   * synchronous account index): resolves once the claims are there too. The others' `boot()`
   * already gives claims (msal idTokenClaims, oidc-client-ts and auth0 the User's profile).
   */
  bootClaims?(): Promise<void>;
  /** Finishes a redirect sign-in when the URL carries one; resolves true when it did. */
  handleRedirect(): Promise<boolean>;
  /** Starts a redirect sign-in (navigates away). */
  signIn(): Promise<void>;
  /** The SDK's cache-hit token call; resolves the access token. */
  silent(): Promise<string>;
  /** A forced renewal through the refresh token (one token-endpoint request, the answer stored); resolves the new access token. */
  refresh?(): Promise<string>;
  /** Puts `count` extra cached access tokens (distinct scopes) in the persisted cache through the SDK's own API or format. */
  seedTokens?(count: number): Promise<number>;
  /** `accounts` accounts with `tokensPerAccount` access tokens each. */
  seedAccounts?(accounts: number, tokensPerAccount: number): Promise<number>;
  /** Anything else the harness may call (PoP/DPoP etc.). */
  extra?: Record<string, (...args: never[]) => Promise<unknown>>;
}

declare global {
  interface Window {
    __BENCH__: BenchConfig;
    bench: ReturnType<typeof install>;
  }
}

export const config = (): BenchConfig => window.__BENCH__;

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function install(sdk: Sdk) {
  const scriptStart = performance.now();
  const booted = (async () => {
    const redirected = await sdk.handleRedirect();
    const accounts = await sdk.boot();
    const accountsKnown = performance.now();
    performance.mark('accounts-known');
    if (sdk.bootClaims) await sdk.bootClaims();
    const claimsKnown = performance.now();
    // Script start → first token: what an app waits for before its first API call.
    let firstToken: number | null = null;
    if (accounts > 0) {
      try {
        await sdk.silent();
        firstToken = performance.now();
      } catch {
        firstToken = null;
      }
    }
    return { redirected, accounts, accountsKnown, claimsKnown, firstToken, scriptStart, crossOriginIsolated: self.crossOriginIsolated };
  })();
  const bench = {
    name: sdk.name,
    booted: booted.catch((error: unknown) => ({ error: describe(error) })),
    signIn: () => sdk.signIn(),
    silent: () => sdk.silent(),
    /**
     * `n` sequential calls after `warmup` unmeasured ones. performance.now() has 5 µs
     * resolution here (cross-origin isolated), too coarse for a single cache hit, so calls
     * are timed in batches of `batch`: `batches` holds each batch's duration / `batch` (ms);
     * `times` the single-call durations as measured (5 µs steps).
     */
    async silentLoop(n: number, warmup: number, batch = 10) {
      for (let i = 0; i < warmup; i++) await sdk.silent();
      const times = new Float64Array(n);
      const batches = new Float64Array(Math.floor(n / batch));
      let last = '';
      const started = performance.now();
      for (let b = 0; b < batches.length; b++) {
        const t = performance.now();
        for (let i = 0; i < batch; i++) last = await sdk.silent();
        batches[b] = (performance.now() - t) / batch;
      }
      const total = performance.now() - started;
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        last = await sdk.silent();
        times[i] = performance.now() - t;
      }
      return { times: Array.from(times), batches: Array.from(batches), totalMs: total, tokenLength: last.length };
    },
    /**
     * `n` sequential forced refreshes after `warmup` unmeasured ones. Each call's client-side time
     * is its duration minus the token request's own (Resource Timing `duration` of the token
     * endpoint entries that started during the call: network and the provider's work), so the
     * figure is what the SDK itself adds: building the request, validating and storing the answer.
     */
    async refreshLoop(n: number, warmup: number) {
      if (!sdk.refresh) throw new Error('not supported');
      for (let i = 0; i < warmup; i++) await sdk.refresh();
      const client: number[] = [];
      const total: number[] = [];
      let tokenRequests = 0;
      for (let i = 0; i < n; i++) {
        performance.clearResourceTimings();
        const t = performance.now();
        await sdk.refresh();
        const ms = performance.now() - t;
        const requests = performance.getEntriesByType('resource').filter((e) => e.name.includes('/oauth/token') && e.startTime >= t);
        tokenRequests += requests.length;
        client.push(ms - requests.reduce((sum, e) => sum + e.duration, 0));
        total.push(ms);
      }
      return { client, total, tokenRequests };
    },
    /** `n` calls started at once; how many failed, how many distinct tokens came back. */
    async concurrent(n: number) {
      const started = performance.now();
      const settled = await Promise.allSettled(Array.from({ length: n }, () => sdk.silent()));
      const ms = performance.now() - started;
      const tokens = new Set(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])));
      const errors = settled.flatMap((s) => (s.status === 'rejected' ? [describe(s.reason)] : []));
      return { ms, errors: errors.length, firstError: errors[0] ?? null, distinctTokens: tokens.size };
    },
    async settle<T>(promise: Promise<T>) {
      try {
        return { result: await promise };
      } catch (error) {
        return { error: describe(error) };
      }
    },
    seedTokens: (count: number) => (sdk.seedTokens ? sdk.seedTokens(count) : Promise.reject(new Error('not supported'))),
    seedAccounts: (accounts: number, perAccount: number) =>
      sdk.seedAccounts ? sdk.seedAccounts(accounts, perAccount) : Promise.reject(new Error('not supported')),
    extra: sdk.extra ?? {},
  };
  window.bench = bench;
  return bench;
}

const floorKeys = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
} as const;
const floorSign = { RS256: { name: 'RSASSA-PKCS1-v1_5' }, ES256: { name: 'ECDSA', hash: 'SHA-256' } } as const;

/**
 * `n` sequential awaited calls of `call` after `warmup` unmeasured ones: calls per second, and
 * how many distinct strings came back (every proof must be fresh: `distinct` = `n`).
 *
 * With `floor`, batches of 25 calls alternate with batches of 25 bare `crypto.subtle.sign`
 * calls (a key of that algorithm generated here, non-extractable, over an input of the proof's
 * size): the floor any signer of that algorithm sits on, measured under the same load, and
 * `ownUs`, the time per call above it (what the SDK itself does: building, encoding, lookups).
 */
export async function proofRate(call: () => Promise<string>, n: number, warmup: number, floor?: 'RS256' | 'ES256') {
  const first = await call();
  for (let i = 0; i < warmup; i++) await call();
  const seen = new Set<string>();
  if (!floor) {
    const started = performance.now();
    for (let i = 0; i < n; i++) seen.add(await call());
    const ms = performance.now() - started;
    return { ms, perSecond: (n / ms) * 1000, distinct: seen.size, length: first.length, first: first.slice(0, 24) };
  }
  const { privateKey } = (await crypto.subtle.generateKey(floorKeys[floor], false, ['sign', 'verify'])) as CryptoKeyPair;
  const data = new TextEncoder().encode(first.slice(0, first.lastIndexOf('.')));
  const bare = () => crypto.subtle.sign(floorSign[floor], privateKey, data);
  for (let i = 0; i < warmup; i++) await bare();
  let ms = 0;
  let floorMs = 0;
  const batch = 25;
  for (let done = 0; done < n; done += batch) {
    let t = performance.now();
    for (let i = 0; i < batch; i++) seen.add(await call());
    ms += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < batch; i++) await bare();
    floorMs += performance.now() - t;
  }
  const calls = Math.ceil(n / batch) * batch;
  return {
    ms,
    perSecond: (calls / ms) * 1000,
    floorPerSecond: (calls / floorMs) * 1000,
    ownUs: ((ms - floorMs) / calls) * 1000,
    distinct: seen.size,
    length: first.length,
    first: first.slice(0, 24),
  };
}

/** A JWT-shaped string with these claims and no valid signature (only for SDKs that never verify a stored id_token again). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const b64 = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'RS256', typ: 'JWT', kid: 'seed' })}.${b64(claims)}.c2ln`;
}
