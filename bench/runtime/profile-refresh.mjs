// node bench/runtime/profile-refresh.mjs [--sdk=keyward] [--tokens=1000] [--n=20]
// A CPU profile (CDP Profiler, 50 µs sampling) of `n` forced refreshes with `tokens` cached
// tokens: where a refresh's client-side time goes. Run with BENCH_MINIFY=0 for readable names.
import { cliArg as arg, signedInPage, startEnv } from './index.mjs';

const sdk = arg('sdk', 'keyward');
const tokens = Number(arg('tokens', '1000'));
const n = Number(arg('n', '20'));

const env = await startEnv();
try {
  const { context, page } = await signedInPage(env, sdk, { tokens });
  await page.reload();
  await page.waitForFunction(() => typeof window.bench === 'object');
  await page.evaluate(() => window.bench.booted);
  await page.evaluate(() => window.bench.refreshLoop(3, 0));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  const result = await page.evaluate((count) => window.bench.refreshLoop(count, 0), n);
  const { profile } = await cdp.send('Profiler.stop');
  const sorted = [...result.client].sort((a, b) => a - b);
  console.log(`client-side ms per refresh: median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}`);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let all = 0;
  profile.samples.forEach((id, k) => {
    const f = byId.get(id).callFrame;
    const dt = profile.timeDeltas[k + 1] ?? 0;
    all += dt;
    const name = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  console.log(`sampled ${(all / 1000).toFixed(1)} ms over ${n} refreshes`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(us / 1000 / n).toFixed(3)} ms/refresh  ${name}`);
  await context.close();
} finally {
  await env.close();
}
