// Runtime benchmarks (issue 7, items 2-7): keyward against @azure/msal-browser,
// oidc-client-ts and @auth0/auth0-spa-js, each in its own production-built page, in real
// Chromium, against one local oidc-provider. Method notes: bench/runtime/README.md.
//
//   node bench/runtime/index.mjs [--runs=3] [--only=cachehit,concurrency,tabs,coldstart,pop,memory] [--sdks=keyward,msal]
//
// or `import { runRuntimeBenchmarks } from './runtime/index.mjs'` (bench/run.mjs does).
import { readFile, writeFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { generate as generateCertificate } from 'selfsigned';
import { createIdp } from '../../test/idp/createIdp.mjs';
import { createResourceServer } from '../../test/resource/createResourceServer.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const pagesDir = `${repoRoot}/bench/runtime/pages`;
const outDir = process.env.BENCH_OUT_DIR ?? `${repoRoot}/.tmp/bench-runtime`;
export const SDKS = ['keyward', 'msal', 'oidc-client-ts', 'auth0'];
const COLUMN = { keyward: 'keyward', msal: 'msal', 'oidc-client-ts': 'oidcClientTs', auth0: 'auth0' };
const SCOPES = ['api://demo/read'];
const ALL = ['cachehit', 'concurrency', 'tabs', 'coldstart', 'react', 'refresh', 'pop', 'memory'];

/** The Chromium flags the tests use, read from vite.config.ts (one source of truth; it is TypeScript, so not imported). */
async function chromiumArgs() {
  const source = await readFile(`${repoRoot}/vite.config.ts`, 'utf8');
  const match = source.match(/export const chromiumArgs = (\[[\s\S]*?\]);/);
  if (!match) throw new Error('chromiumArgs not found in vite.config.ts');
  return new Function(`return ${match[1]}`)();
}
const chromiumPath = process.env.KEYWARD_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// ---------- build and serve the pages ----------

async function buildPages() {
  await build({
    configFile: false,
    root: pagesDir,
    base: './',
    logLevel: 'warn',
    // Exact matches: a plain `keyward` alias would also rewrite `keyward/cache` to `src/index.ts/cache`.
    resolve: {
      alias: [
        { find: /^keyward$/, replacement: `${repoRoot}/src/index.ts` },
        { find: /^keyward\/(cache|react)$/, replacement: `${repoRoot}/src/$1/index.ts` },
      ],
    },
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      // BENCH_MINIFY=0 keeps names readable for a CPU profile.
      minify: process.env.BENCH_MINIFY !== '0',
      rolldownOptions: {
        input: Object.fromEntries(SDKS.flatMap((sdk) => [`${sdk}`, `react-${sdk}`].map((name) => [name, `${pagesDir}/${name}.html`]))),
      },
    },
  });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' };

/** Static server on 127.0.0.1, cross-origin isolated (COOP + COEP): performance.now() then has 5 µs resolution instead of 100 µs. */
async function serve(dir) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(root, path);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    try {
      if (!file.startsWith(`${root}/`) || !(await stat(file)).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

// ---------- browser helpers ----------

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

export async function newContext(env, sdk, extra = {}) {
  const context = await env.browser.newContext({ ignoreHTTPSErrors: true });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return !web || LOOPBACK.has(url.hostname) ? route.fallback() : route.abort('blockedbyclient');
  });
  await context.addInitScript(
    (config) => {
      window.__BENCH__ = config;
    },
    { issuer: env.idp.issuer, clientId: sdk, scopes: SCOPES, api: env.apiUrl, ...extra },
  );
  return context;
}

async function booted(page) {
  await page.waitForFunction(() => typeof window.bench === 'object', null, { timeout: 30_000 });
  const state = await page.evaluate(() => window.bench.booted);
  if (state.error) throw new Error(`${page.url()}: boot failed: ${state.error}`);
  return state;
}

async function openPage(env, context, sdk) {
  const page = await context.newPage();
  page.on('pageerror', (error) => env.log(`  [${sdk} pageerror] ${error.message}`));
  await page.goto(`${env.app.origin}/${sdk}.html`);
  await booted(page);
  return page;
}

/** The dev login form and, when shown, the consent page of oidc-provider. */
async function completeLogin(page, login) {
  const input = page.locator('input[name="login"]');
  await input.waitFor({ timeout: 30_000 });
  await input.fill(login);
  await page.locator('input[name="password"]').fill('pw');
  await page.locator('form:has(input[name="prompt"][value="login"]) button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.includes('/interaction/') || url.pathname.includes('consent') || true, { waitUntil: 'commit' });
  for (let i = 0; i < 50; i++) {
    if (page.url().startsWith('http://127.0.0.1') && !page.url().includes('/interaction/')) return;
    const consent = page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
    if (await consent.count().catch(() => 0)) {
      await consent.click();
      return;
    }
    await page.waitForTimeout(100);
  }
}

/** A real redirect sign-in in a fresh page of `context`; returns the page, booted, signed in. */
export async function signIn(env, context, sdk, login = 'alice') {
  const page = await openPage(env, context, sdk);
  await page.evaluate(() => {
    void window.bench.signIn();
  });
  await completeLogin(page, login);
  await page.waitForURL((url) => url.origin === env.app.origin, { timeout: 30_000 });
  const state = await booted(page);
  if (state.accounts < 1) throw new Error(`${sdk}: not signed in after the redirect (${JSON.stringify(state)})`);
  return page;
}

/** The page's clock jumps `seconds` ahead (Playwright clock); the provider keeps real time. */
async function clockAhead(page, seconds) {
  await page.clock.install();
  await page.clock.setSystemTime(new Date(Date.now() + seconds * 1000));
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const round = (x, digits = 0) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

/** Token-endpoint requests and refresh-token replays of one client since the last reset. */
function idpCounts(idp, clientId) {
  const requests = idp.tokenRequests.filter((r) => r.client_id === clientId || r.body?.client_id === clientId);
  const seen = new Map();
  for (const r of requests) if (r.grant_type === 'refresh_token' && r.refresh_token) seen.set(r.refresh_token, (seen.get(r.refresh_token) ?? 0) + 1);
  return {
    tokenRequests: requests.length,
    refreshRequests: requests.filter((r) => r.grant_type === 'refresh_token').length,
    failed: requests.filter((r) => r.status !== 200).length,
    replays: [...seen.values()].reduce((n, count) => n + (count - 1), 0),
    grantsRevoked: idp.events.filter((e) => e.type === 'grant.revoked').length,
  };
}

// ---------- the measurements ----------

/** (2) 2,000 sequential cache hits after a real sign-in (200 unmeasured warm-up calls first). */
async function cacheHit(env, sdk, { calls = 2000, warmup = 200 } = {}) {
  const context = await newContext(env, sdk);
  try {
    const page = await signIn(env, context, sdk);
    env.idp.reset();
    const loop = await page.evaluate(({ calls, warmup }) => window.bench.silentLoop(calls, warmup), { calls, warmup });
    const sorted = [...loop.times].sort((a, b) => a - b);
    const batches = [...loop.batches].sort((a, b) => a - b);
    const network = idpCounts(env.idp, sdk).tokenRequests;
    return {
      p50us: quantile(batches, 0.5) * 1000,
      p95us: quantile(batches, 0.95) * 1000,
      meanUs: (loop.totalMs / calls) * 1000,
      singleCallP50us: quantile(sorted, 0.5) * 1000,
      singleCallP95us: quantile(sorted, 0.95) * 1000,
      batch: loop.times.length / loop.batches.length,
      calls,
      warmup,
      tokenRequestsDuringLoop: network,
    };
  } finally {
    await context.close();
  }
}

/** (3) 1,000 concurrent silent calls once the access token has expired (page clock +2 h; the provider's next tokens live 4 h). */
async function concurrency(env, sdk, { calls = 1000 } = {}) {
  const context = await newContext(env, sdk);
  try {
    const page = await signIn(env, context, sdk);
    await page.evaluate(() => window.bench.silent());
    env.setAccessTokenTtl(4 * 3600);
    await clockAhead(page, 2 * 3600);
    env.idp.reset();
    const started = performance.now();
    const outcome = await page.evaluate((calls) => window.bench.concurrent(calls), calls);
    const wallMs = performance.now() - started;
    return {
      wallMs,
      pageMs: outcome.ms,
      ...idpCounts(env.idp, sdk),
      errors: outcome.errors,
      firstError: outcome.firstError,
      distinctTokens: outcome.distinctTokens,
    };
  } finally {
    env.setAccessTokenTtl(3600);
    await context.close();
  }
}

/** (4) Five pages of one context, all past the access token's expiry, calling silent at the same instant. */
async function tabs(env, sdk, { count = 5 } = {}) {
  const context = await newContext(env, sdk);
  try {
    const first = await signIn(env, context, sdk);
    const pages = [first];
    for (let i = 1; i < count; i++) pages.push(await openPage(env, context, sdk));
    const known = await Promise.all(pages.map((p) => p.evaluate(() => window.bench.booted.then((s) => s.accounts))));
    env.setAccessTokenTtl(4 * 3600);
    await Promise.all(pages.map((p) => clockAhead(p, 2 * 3600)));
    env.idp.reset();
    const outcomes = await Promise.all(pages.map((p) => p.evaluate(() => window.bench.settle(window.bench.silent()))));
    // Let late writes and revocations land.
    await new Promise((ok) => setTimeout(ok, 500));
    return {
      pages: count,
      accountsPerPage: known,
      ...idpCounts(env.idp, sdk),
      errors: outcomes.filter((o) => o.error).map((o) => o.error),
      distinctTokens: new Set(outcomes.map((o) => o.result)).size,
    };
  } finally {
    env.setAccessTokenTtl(3600);
    await context.close();
  }
}

/** (5) Reload → accounts known, with `sizes` cached access tokens; median of `reloads` reloads each. */
async function coldStart(env, sdk, { sizes = [1, 100, 1000], reloads = 5 } = {}) {
  const out = {};
  for (const size of sizes) {
    const context = await newContext(env, sdk);
    try {
      const page = await signIn(env, context, sdk);
      await page.evaluate(() => window.bench.silent());
      if (size > 1) {
        const seeded = await page.evaluate((n) => window.bench.settle(window.bench.seedTokens(n)), size - 1);
        if (seeded.error) {
          out[size] = { error: seeded.error };
          continue;
        }
      }
      const samples = [];
      for (let i = 0; i < reloads; i++) {
        await page.reload();
        const state = await booted(page);
        samples.push({
          accountsKnownMs: state.accountsKnown,
          sdkMs: state.accountsKnown - state.scriptStart,
          claimsMs: state.claimsKnown - state.scriptStart,
          firstTokenMs: typeof state.firstToken === 'number' ? state.firstToken - state.scriptStart : null,
          accounts: state.accounts,
        });
      }
      // The seeded cache still answers: one more token call after the last reload.
      const check = await page.evaluate(() => window.bench.settle(window.bench.silent()));
      out[size] = {
        accountsKnownMs: median(samples.map((s) => s.accountsKnownMs)),
        sdkMs: median(samples.map((s) => s.sdkMs)),
        firstTokenMs: median(samples.map((s) => s.firstTokenMs)),
        claimsMs: median(samples.map((s) => s.claimsMs)),
        min: Math.min(...samples.map((s) => s.accountsKnownMs)),
        max: Math.max(...samples.map((s) => s.accountsKnownMs)),
        samples,
        silentAfter: check.error ?? 'ok',
      };
    } finally {
      await context.close();
    }
  }
  return out;
}

/**
 * React cold start: sign in on the SDK's plain page, then load its React page (the SDK's own
 * provider and the token-in-a-component pattern its docs give, react-*.tsx) and reload it 5
 * times; per load, page script start → the first commit showing the token, and navigation →
 * that commit. One cached token.
 */
async function reactStart(env, sdk, { reloads = 5 } = {}) {
  const context = await newContext(env, sdk);
  try {
    const page = await signIn(env, context, sdk);
    await page.evaluate(() => window.bench.silent());
    const samples = [];
    for (let i = 0; i < reloads; i++) {
      await page.goto(`${env.app.origin}/react-${sdk}.html`);
      await page.waitForFunction(() => window.benchReact !== undefined, null, { timeout: 30_000 });
      const state = await page.evaluate(() =>
        Promise.race([window.benchReact, new Promise((ok) => setTimeout(() => ok({ error: 'no token in 15 s' }), 15_000))]),
      );
      if (state.error) throw new Error(`${sdk} React page: ${state.error}`);
      samples.push({ sdkMs: state.tokenAt - state.scriptStart, navigationMs: state.tokenAt });
    }
    return {
      sdkMs: median(samples.map((s) => s.sdkMs)),
      navigationMs: median(samples.map((s) => s.navigationMs)),
      samples,
    };
  } finally {
    await context.close();
  }
}

/**
 * Forced refresh, client side: with 1 and with 1,000 cached tokens, sign in, seed, reload (the
 * cache as a new page finds it), then 20 sequential forced refreshes after 3 warm-up ones; per
 * call its duration minus the token request's own (Resource Timing), so only the SDK's work
 * counts: building the request, validating the answer, storing it. The same figure at 1,000
 * tokens as at 1 is issue 13's "writes cost the same at any size".
 */
async function refresh(env, sdk, { sizes = [1, 1000], n = 20, warmup = 3 } = {}) {
  const out = {};
  for (const size of sizes) {
    const context = await newContext(env, sdk);
    try {
      const page = await signIn(env, context, sdk);
      await page.evaluate(() => window.bench.silent());
      if (size > 1) {
        const seeded = await page.evaluate((count) => window.bench.settle(window.bench.seedTokens(count)), size - 1);
        if (seeded.error) {
          out[size] = { error: seeded.error };
          continue;
        }
        await page.reload();
        await booted(page);
      }
      const before = idpCounts(env.idp, sdk);
      const result = await page.evaluate(({ n, warmup }) => window.bench.settle(window.bench.refreshLoop(n, warmup)), { n, warmup });
      if (result.error) {
        out[size] = { error: result.error };
        continue;
      }
      const after = idpCounts(env.idp, sdk);
      out[size] = {
        clientMs: median(result.result.client),
        totalMs: median(result.result.total),
        tokenRequestsSeen: result.result.tokenRequests,
        replays: after.replays - before.replays,
        client: result.result.client,
      };
    } finally {
      await context.close();
    }
  }
  return out;
}

/**
 * (6) Proofs per second, and the added latency per authenticated fetch. Same work for both SDKs
 * in `popSigner`: one RS256 Signed HTTP Request for the same request (GET on the API) over a
 * cached access token, key already loaded (msal `SignedHttpRequest.signRequest`, keyward its SHR
 * signer). `pop`: keyward through its public path (acquireTokenSilent cache hit + SHR). Each
 * alternates batches with bare crypto.subtle.sign calls in the same page (`floorPerSecond`,
 * and `ownUs`: the SDK's own time per proof above that floor, under the same load).
 */
async function proofs(env, sdk, { n = 500, warmup = 50, fetches = 60 } = {}) {
  if (sdk !== 'keyward' && sdk !== 'msal') return null;
  const out = {};
  const context = await newContext(env, sdk);
  try {
    const page = await signIn(env, context, sdk);
    const rate = (type) => page.evaluate(({ type, n, warmup }) => window.bench.extra.proofs(type, n, warmup), { type, n, warmup });
    out.popSigner = await rate(sdk === 'msal' ? 'pop' : 'pop-signer');
    if (sdk === 'msal') return out;
    out.pop = await rate('pop');
    out.bearer = await rate('bearer');
    for (const type of ['bearer', 'pop']) {
      const r = await page.evaluate(({ type, fetches }) => window.bench.extra.fetches(type, fetches), { type, fetches });
      out[`fetch_${type}`] = {
        addedMs: median(r.deltas),
        plainMs: median(r.plainTimes),
        authMs: median(r.authTimes),
        plainStatus: r.plainStatus,
        authStatus: r.authStatus,
      };
    }
  } finally {
    await context.close();
  }
  const dpopContext = await newContext(env, sdk, { dpop: true });
  try {
    const page = await signIn(env, dpopContext, sdk);
    out.dpop = await page.evaluate(({ n, warmup }) => window.bench.extra.proofs('dpop', n, warmup), { n, warmup });
    out.dpopSigner = await page.evaluate(({ n, warmup }) => window.bench.extra.proofs('dpop-signer', n, warmup), { n, warmup });
    const r = await page.evaluate((fetches) => window.bench.extra.fetches('dpop', fetches), fetches);
    out.fetch_dpop = {
      addedMs: median(r.deltas),
      plainMs: median(r.plainTimes),
      authMs: median(r.authTimes),
      plainStatus: r.plainStatus,
      authStatus: r.authStatus,
    };
  } finally {
    await dpopContext.close();
  }
  return out;
}

/** (7) JS heap after a reload with 100 accounts × 10 access tokens in the persisted cache (CDP: GC, then Runtime.getHeapUsage). */
async function memory(env, sdk, { accounts = 100, perAccount = 10 } = {}) {
  if (sdk !== 'keyward' && sdk !== 'msal') return null;
  const context = await newContext(env, sdk);
  try {
    const page = await signIn(env, context, sdk);
    await page.evaluate(() => window.bench.silent());
    const heap = async () => {
      const cdp = await context.newCDPSession(page);
      try {
        for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
        return await cdp.send('Runtime.getHeapUsage');
      } finally {
        await cdp.detach();
      }
    };
    await page.reload();
    const baseState = await booted(page);
    const baseline = await heap();
    const seeded = await page.evaluate(({ accounts, perAccount }) => window.bench.settle(window.bench.seedAccounts(accounts, perAccount)), {
      accounts,
      perAccount,
    });
    if (seeded.error) return { error: seeded.error };
    await page.reload();
    const state = await booted(page);
    const loaded = await heap();
    const tokensBeforeUse = await page.evaluate(() => window.bench.extra.tokenCount?.());
    // keyward unseals an account's tokens on its first use; msal-browser decrypts its whole cache
    // in initialize(). Every account used: every token in memory, for both.
    await page.evaluate(() => window.bench.extra.useAll?.());
    const used = await heap();
    const tokens = await page.evaluate(() => window.bench.extra.tokenCount?.());
    // usedSize is the V8 heap; strings Blink hands to V8 (localStorage values, decoded text) may live
    // outside it as external strings, so the embedder and backing-store figures are kept as well.
    const all = (h) => h.usedSize + (h.embedderHeapUsedSize ?? 0) + (h.backingStorageSize ?? 0);
    return {
      tokensInMemory: tokens,
      heapBefore: baseline,
      heapAfter: loaded,
      baselineBytes: baseline.usedSize,
      loadedBytes: loaded.usedSize,
      deltaBytes: loaded.usedSize - baseline.usedSize,
      allBytes: all(loaded),
      allDeltaBytes: all(loaded) - all(baseline),
      tokensBeforeUse,
      usedDeltaBytes: used.usedSize - baseline.usedSize,
      usedAllDeltaBytes: all(used) - all(baseline),
      accountsBefore: baseState.accounts,
      accountsAfter: state.accounts,
      seeded: seeded.result,
    };
  } finally {
    await context.close();
  }
}

// ---------- orchestration ----------

export async function startEnv(log = console.error) {
  await buildPages();
  const app = await serve(outDir);
  const certificate = await generateCertificate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  let accessTokenTtl = 3600;
  // HTTPS because msal-browser refuses an http authority; Auth0's fixed paths so auth0-spa-js finds them.
  const idp = await createIdp({
    tls: { key: certificate.private, cert: certificate.cert },
    routes: { authorization: '/authorize', token: '/oauth/token' },
    redirectUris: [],
    corsOrigins: [app.origin],
    accessTokenTtl: () => accessTokenTtl,
    clients: SDKS.map((sdk) => ({
      client_id: sdk,
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [`${app.origin}/${sdk}.html`],
      post_logout_redirect_uris: [`${app.origin}/${sdk}.html`],
    })),
  });
  const api = await createResourceServer({ issuers: [{ issuer: idp.issuer, jwks: idp.jwks, audience: 'api://demo' }], corsOrigins: [app.origin] });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: await chromiumArgs(), headless: true });
  return {
    app,
    idp,
    api,
    browser,
    log,
    apiUrl: api.url('/api/profile'),
    setAccessTokenTtl: (seconds) => {
      accessTokenTtl = seconds;
    },
    async close() {
      await browser.close();
      await Promise.all([idp.close(), app.close(), api.close()]);
    },
  };
}

const MEASURES = {
  cachehit: cacheHit,
  concurrency,
  tabs,
  coldstart: coldStart,
  react: reactStart,
  refresh,
  pop: proofs,
  memory,
};

/** Runs each measurement `runs` times per SDK; returns `{ table, raw, … }` (JSON-serializable). */
export async function runRuntimeBenchmarks(options = {}) {
  const runs = options.runs ?? 3;
  const only = options.only ?? ALL;
  const sdks = options.sdks ?? SDKS;
  const log = options.log ?? ((line) => console.error(line));
  const env = await startEnv(log);
  const raw = Object.fromEntries(only.map((m) => [m, Object.fromEntries(sdks.map((s) => [s, []]))]));
  try {
    for (let run = 0; run < runs; run++) {
      for (const measure of only) {
        // Memory is deterministic enough for one run; the rest get all runs (PoP too: signing
        // rates move with the shared machine's load, and runs alternate keyward and msal).
        if (measure === 'memory' && run > 0 && !options.repeatAll) continue;
        for (const sdk of sdks) {
          const started = performance.now();
          try {
            raw[measure][sdk].push(await MEASURES[measure](env, sdk));
          } catch (error) {
            raw[measure][sdk].push({ error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
          }
          log(
            `run ${run + 1}/${runs} ${measure} ${sdk}: ${JSON.stringify(summaryOf(raw[measure][sdk].at(-1))).slice(0, 300)} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
          );
        }
      }
      // Partial results after every run (a long run cut short still leaves its figures).
      await options.onRun?.({ completedRuns: run + 1, runs, table: tableFrom(raw, sdks), raw });
    }
  } finally {
    await env.close();
  }
  const versions = await sdkVersions();
  return { date: new Date().toISOString(), runs, versions, chromium: env.browser.version?.() ?? null, table: tableFrom(raw, sdks), raw };
}

const summaryOf = (r) => {
  if (!r || typeof r !== 'object') return r;
  const { samples, ...rest } = r;
  return Object.fromEntries(
    Object.entries(rest)
      .map(([k, v]) => [k, v && typeof v === 'object' && !Array.isArray(v) ? summaryOf(v) : v])
      .filter(([k]) => k !== 'samples'),
  );
};

async function sdkVersions() {
  const version = async (name) => JSON.parse(await readFile(`${repoRoot}/node_modules/${name}/package.json`, 'utf8')).version;
  return {
    keyward: JSON.parse(await readFile(`${repoRoot}/package.json`, 'utf8')).version,
    '@azure/msal-browser': await version('@azure/msal-browser'),
    'oidc-client-ts': await version('oidc-client-ts'),
    '@auth0/auth0-spa-js': await version('@auth0/auth0-spa-js'),
  };
}

/** Notes for values an SDK cannot produce, or that need reading with care. */
const NOTES = {
  'oidc-client-ts': {
    cachehit: 'no cached silent-token call: getUser() (reads + parses the stored User from localStorage) and its access_token',
    coldstart100: 'one User per authority+client by design: cannot hold 100 access tokens',
    memory: 'one User per authority+client by design: cannot hold 100 accounts',
    pop: 'not measured: its DPoP support (3.x) was not wired into the bench page',
  },
  auth0: {
    memory: 'one user per client by design: cannot hold 100 accounts',
    pop: 'not measured: its useDpop option was not wired into the bench page',
  },
  msal: {
    dpop: 'not measured against this provider',
    popSilent:
      'not measured (its acquireTokenSilent with authenticationScheme POP against this provider was not wired in; the signer row above is the like-for-like comparison)',
    fetch: 'not measured: msal-browser has no authenticated fetch',
  },
};

function tableFrom(raw, sdks) {
  const pick = (measure, sdk, fn) => {
    const values = (raw[measure]?.[sdk] ?? [])
      .filter((r) => r && !r.error)
      .map(fn)
      .filter((v) => typeof v === 'number');
    return values;
  };
  const spread = (values, digits) => (values.length > 1 ? `${round(Math.min(...values), digits)}–${round(Math.max(...values), digits)}` : null);
  const row = (metric, unit, measure, fn, digits = 0, note) => {
    if (!raw[measure]) return null;
    const out = { metric, unit };
    const spreads = [];
    for (const sdk of SDKS) {
      if (!sdks.includes(sdk)) {
        out[COLUMN[sdk]] = null;
        continue;
      }
      const values = pick(measure, sdk, fn);
      out[COLUMN[sdk]] = values.length ? round(median(values), digits) : null;
      const s = spread(values, digits);
      if (s) spreads.push(`${sdk} ${s}`);
      const errors = (raw[measure]?.[sdk] ?? []).filter((r) => r?.error).map((r) => r.error);
      if (!values.length && errors.length) spreads.push(`${sdk}: ${errors[0].slice(0, 140)}`);
    }
    // keyward ÷ each other SDK in the same run (below 1: keyward is smaller or faster, for time and bytes).
    const ratios = SDKS.filter((sdk) => sdk !== 'keyward' && typeof out[COLUMN[sdk]] === 'number' && out[COLUMN[sdk]] !== 0)
      .filter(() => typeof out.keyward === 'number')
      .map((sdk) => `${sdk} ${round(out.keyward / out[COLUMN[sdk]], 2)}×`);
    if (ratios.length) out.ratio = ratios.join(', ');
    const notes = [note, spreads.length ? `runs: ${raw[measure][sdks[0]]?.length ?? 0}; range ${spreads.join(', ')}` : null].filter(Boolean);
    if (notes.length) out.note = notes.join('; ');
    return out;
  };
  return [
    row(
      'cache-hit silent token p50',
      'µs',
      'cachehit',
      (r) => r.p50us,
      0,
      `2,000 sequential calls after 200 warm-up, timed in batches of 10 (p50/p95 over the 200 batch means; performance.now() is 5 µs-coarse even cross-origin isolated); oidc-client-ts: ${NOTES['oidc-client-ts'].cachehit}`,
    ),
    row('cache-hit silent token p95', 'µs', 'cachehit', (r) => r.p95us, 0),
    row('1,000 concurrent silent calls, expired AT: wall time', 'ms', 'concurrency', (r) => r.wallMs, 0),
    row('1,000 concurrent silent calls, expired AT: token-endpoint requests', 'requests', 'concurrency', (r) => r.tokenRequests, 0),
    row('1,000 concurrent silent calls: failed calls', 'calls', 'concurrency', (r) => r.errors, 0),
    row('5 tabs refreshing at once: token-endpoint requests', 'requests', 'tabs', (r) => r.tokenRequests, 0),
    row('5 tabs refreshing at once: refresh-token replays', 'replays', 'tabs', (r) => r.replays, 0),
    row('5 tabs refreshing at once: grants revoked by the provider', 'grants', 'tabs', (r) => r.grantsRevoked, 0),
    row(
      'cold start, 1 cached token: navigation → accounts known',
      'ms',
      'coldstart',
      (r) => r[1]?.accountsKnownMs,
      1,
      'median of 5 reloads per run; navigationStart (performance.timeOrigin) → accounts known',
    ),
    row('cold start, 100 cached tokens', 'ms', 'coldstart', (r) => r[100]?.accountsKnownMs, 1, `oidc-client-ts: ${NOTES['oidc-client-ts'].coldstart100}`),
    row('cold start, 1,000 cached tokens', 'ms', 'coldstart', (r) => r[1000]?.accountsKnownMs, 1),
    row(
      'cold start, 1 cached token: SDK part (page script start → accounts known)',
      'ms',
      'coldstart',
      (r) => r[1]?.sdkMs,
      1,
      'excludes loading the page and its bundle, which dominates the navigation figure on this shared machine; keyward: getAllAccounts() (synchronous, from its clear account index: accounts without id_token claims), msal initialize() + getAllAccounts(), oidc-client-ts getUser(), auth0 getUser()',
    ),
    row('cold start, 100 cached tokens: SDK part', 'ms', 'coldstart', (r) => r[100]?.sdkMs, 1),
    row('cold start, 1,000 cached tokens: SDK part', 'ms', 'coldstart', (r) => r[1000]?.sdkMs, 1),
    row(
      'cold start, 1 cached token: page script start → accounts with their id_token claims',
      'ms',
      'coldstart',
      (r) => r[1]?.claimsMs,
      1,
      "keyward: getAccounts() (waits for IndexedDB and unseals the id_tokens; the SDK-part rows above use getAllAccounts(), which answers from a clear account index without claims); the others' accounts-known call already gives claims, so their figure is the same",
    ),
    row('cold start, 1,000 cached tokens: page script start → accounts with their id_token claims', 'ms', 'coldstart', (r) => r[1000]?.claimsMs, 1),
    row(
      'cold start, 1 cached token: page script start → first token',
      'ms',
      'coldstart',
      (r) => r[1]?.firstTokenMs,
      1,
      "after accounts are known, the SDK's cache-hit token call for the first account (keyward acquireTokenSilent, msal acquireTokenSilent, oidc-client-ts getUser, auth0 getTokenSilently)",
    ),
    row('cold start, 100 cached tokens: page script start → first token', 'ms', 'coldstart', (r) => r[100]?.firstTokenMs, 1),
    row('cold start, 1,000 cached tokens: page script start → first token', 'ms', 'coldstart', (r) => r[1000]?.firstTokenMs, 1),
    row(
      'React, 1 cached token: page script start → token in a component',
      'ms',
      'react',
      (r) => r.sdkMs,
      1,
      "each SDK's provider and its documented token-in-a-component pattern (keyward useToken, react-oidc-context useAuth().user, msal-react useMsal + acquireTokenSilent, auth0-react getAccessTokenSilently); first commit showing the token; median of 5 loads",
    ),
    row('React, 1 cached token: navigation → token in a component', 'ms', 'react', (r) => r.navigationMs, 1),
    row(
      'forced refresh, client side, 1 cached token',
      'ms',
      'refresh',
      (r) => r[1]?.clientMs,
      2,
      "median of 20 sequential forced refreshes (refresh-token grant) after 3 warm-up; each call's duration minus its token request's Resource Timing duration (network and provider excluded)",
    ),
    row(
      'forced refresh, client side, 1,000 cached tokens (write cost at size)',
      'ms',
      'refresh',
      (r) => r[1000]?.clientMs,
      2,
      `same, after seeding 999 more access tokens and reloading; oidc-client-ts: ${NOTES['oidc-client-ts'].coldstart100}`,
    ),
    row(
      'AT-PoP Signed HTTP Requests per second, signer alone (same work for both)',
      'proofs/s',
      'pop',
      (r) => r.popSigner?.perSecond,
      0,
      "one RS256 SHR for GET on the API over a cached access token, key loaded, fresh per call: msal SignedHttpRequest.signRequest, keyward its SHR signer (createSignedHttpRequest with the key store's key); median of the runs, which alternate keyward and msal",
    ),
    row(
      'RS256 crypto.subtle.sign alone, same page (the floor)',
      'signs/s',
      'pop',
      (r) => r.popSigner?.floorPerSecond,
      0,
      "batches of 25 bare signs (2048-bit RSASSA-PKCS1-v1_5 key generated in the page, over the SHR's signing input) alternating with batches of 25 SHRs: what a signer could reach at most under the same load",
    ),
    row(
      'AT-PoP Signed HTTP Request, signer alone: share of the bare-sign floor reached',
      '%',
      'pop',
      (r) => (r.popSigner?.floorPerSecond ? (100 * r.popSigner.perSecond) / r.popSigner.floorPerSecond : undefined),
      1,
      "signer rate ÷ floor rate in the same page and run: 100% would be a signer that costs nothing but the signature; higher is better (the ratio column's meaning flips here)",
    ),
    row(
      "AT-PoP Signed HTTP Request, signer alone: the SDK's own time above crypto.subtle.sign",
      'µs/proof',
      'pop',
      (r) => r.popSigner?.ownUs,
      1,
      'per proof: the signer row minus the floor row (same page, same load); the comparison the machine load moves least',
    ),
    row(
      'AT-PoP Signed HTTP Requests per second through acquireTokenSilent',
      'proofs/s',
      'pop',
      (r) => r.pop?.perSecond,
      0,
      `keyward: acquireTokenSilent cache hit with authScheme pop (token lookup + fresh SHR per call); msal: ${NOTES.msal.popSilent}`,
    ),
    row(
      'DPoP proofs per second',
      'proofs/s',
      'pop',
      (r) => r.dpop?.perSecond,
      0,
      `keyward: acquireTokenSilent cache hit with authScheme dpop (fresh proof per call); msal: ${NOTES.msal.dpop}; oidc-client-ts: ${NOTES['oidc-client-ts'].pop}; auth0: ${NOTES.auth0.pop}`,
    ),
    row(
      'DPoP proofs per second, signer alone',
      'proofs/s',
      'pop',
      (r) => r.dpopSigner?.perSecond,
      0,
      'keyward createDpopProof with ath, key loaded; msal has no DPoP',
    ),
    row(
      "DPoP proof, signer alone: the SDK's own time above crypto.subtle.sign",
      'µs/proof',
      'pop',
      (r) => r.dpopSigner?.ownUs,
      1,
      'ES256 (P-256) floor measured the same way as the RS256 one',
    ),
    row(
      'added latency per authenticated fetch, Bearer (createAuthFetch vs fetch with a fixed header)',
      'ms',
      'pop',
      (r) => r.fetch_bearer?.addedMs,
      2,
      `median over 60 alternating pairs; ${NOTES.msal.fetch}`,
    ),
    row('added latency per authenticated fetch, AT-PoP', 'ms', 'pop', (r) => r.fetch_pop?.addedMs, 2, 'includes the resource server verifying the SHR (RS256)'),
    row(
      'added latency per authenticated fetch, DPoP',
      'ms',
      'pop',
      (r) => r.fetch_dpop?.addedMs,
      2,
      'includes the resource server verifying the proof; the plain fetch sends the DPoP-bound token as Bearer (the server refuses it after verifying it: 401)',
    ),
    row(
      'JS heap after loading 1,000 access tokens for 100 accounts',
      'MB',
      'memory',
      (r) => r.loadedBytes / 1e6,
      2,
      `GC'd used heap of the whole page; auth0: ${NOTES.auth0.memory}; oidc-client-ts: ${NOTES['oidc-client-ts'].memory}`,
    ),
    row('JS heap growth from those 1,000 tokens / 100 accounts', 'MB', 'memory', (r) => r.deltaBytes / 1e6, 2),
    row(
      'JS heap growth from those 1,000 tokens / 100 accounts, after every account is used',
      'MB',
      'memory',
      (r) => (typeof r.usedDeltaBytes === 'number' ? r.usedDeltaBytes / 1e6 : undefined),
      2,
      "keyward unseals an account's tokens on its first use (the row above is before any use: only the first account's); msal-browser decrypts its whole cache in initialize()",
    ),
    row(
      'V8 + embedder + backing stores growth, after every account is used',
      'MB',
      'memory',
      (r) => (typeof r.usedAllDeltaBytes === 'number' ? r.usedAllDeltaBytes / 1e6 : undefined),
      2,
    ),
    row(
      'V8 heap + embedder heap + backing stores growth from those 1,000 tokens / 100 accounts, before use',
      'MB',
      'memory',
      (r) => (typeof r.allDeltaBytes === 'number' ? r.allDeltaBytes / 1e6 : undefined),
      2,
      'CDP Runtime.getHeapUsage usedSize + embedderHeapUsedSize + backingStorageSize: counts what Blink holds for the page as well',
    ),
  ].filter(Boolean);
}

function printTable(table) {
  const cols = ['metric', 'keyward', 'msal', 'oidcClientTs', 'auth0', 'unit', 'ratio'];
  const cell = (v) => (v === null || v === undefined ? '—' : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...table.map((r) => cell(r[c]).length)));
  const line = (values) => values.map((v, i) => cell(v).padEnd(widths[i])).join(' | ');
  console.log(line(cols));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of table) console.log(line(cols.map((c) => r[c])));
  for (const r of table) if (r.note) console.log(`* ${r.metric}: ${r.note}`);
}

/** `--name=value` from the command line, else `fallback` (this script's and the profile scripts' options). */
export const cliArg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

/**
 * Where the profile scripts start: `sdk` signed in afresh in a new context, one token fetched,
 * and `tokens - 1` more seeded into its cache (not yet reloaded).
 */
export async function signedInPage(env, sdk, { tokens = 1, contextOptions } = {}) {
  const context = await newContext(env, sdk, contextOptions);
  const page = await signIn(env, context, sdk);
  await page.evaluate(() => window.bench.silent());
  if (tokens > 1) await page.evaluate((count) => window.bench.seedTokens(count), tokens - 1);
  return { context, page };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = cliArg;
  const result = await runRuntimeBenchmarks({
    runs: arg('runs') ? Number(arg('runs')) : undefined,
    only: arg('only')?.split(','),
    sdks: arg('sdks')?.split(','),
    onRun: (partial) => writeFile(`${repoRoot}/.tmp/bench-runtime-partial.json`, `${JSON.stringify(partial, null, 2)}\n`),
  });
  printTable(result.table);
  const file = arg('out') ?? `${repoRoot}/bench/runtime-results.json`;
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten: ${file}`);
}
