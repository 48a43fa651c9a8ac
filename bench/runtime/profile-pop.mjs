// node bench/runtime/profile-pop.mjs [--sdk=keyward] [--type=pop-signer] [--n=2000]
// A CPU profile (CDP Profiler, 50 µs sampling) of `n` sequential proofs on one SDK's bench page
// (types as in pages/*.ts `extra.proofs`: keyward pop-signer | pop | dpop-signer | dpop, msal pop):
// where a Signed HTTP Request's time goes. Prints the proofs per second, the idle share (the
// main thread waiting, i.e. for WebCrypto's sign on its own thread), the top self-time
// functions, and writes the profile to .tmp/pop-<sdk>-<type>.cpuprofile.
// Run with BENCH_MINIFY=0 for readable names.
import { mkdir, writeFile } from 'node:fs/promises';
import { cliArg as arg, newContext, signIn, startEnv } from './index.mjs';

const sdk = arg('sdk', 'keyward');
const type = arg('type', sdk === 'msal' ? 'pop' : 'pop-signer');
const n = Number(arg('n', '2000'));

const env = await startEnv();
try {
  const context = await newContext(env, sdk, type.startsWith('dpop') ? { dpop: true } : {});
  const page = await signIn(env, context, sdk);
  // Warm-up outside the profile (first key load, JIT).
  await page.evaluate((type) => window.bench.extra.proofs(type, 200, 50, false), type);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  const result = await page.evaluate(({ type, n }) => window.bench.extra.proofs(type, n, 0, false), { type, n });
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, k) => {
    const f = byId.get(id).callFrame;
    const name = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    const dt = profile.timeDeltas[k + 1] ?? 0;
    all += dt;
    totals.set(name, (totals.get(name) ?? 0) + dt);
  });
  const perCall = (us) => `${(us / n).toFixed(1)} µs/call`;
  console.log(`${sdk} ${type}: ${result.perSecond.toFixed(0)}/s (${((result.ms * 1000) / n).toFixed(1)} µs/call), ${result.distinct} distinct`);
  console.log(`sampled ${perCall(all)}`);
  for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`${perCall(us).padStart(16)}  ${((100 * us) / all).toFixed(1).padStart(5)}%  ${name}`);
  await mkdir(new URL('../../.tmp/', import.meta.url), { recursive: true });
  await writeFile(new URL(`../../.tmp/pop-${sdk}-${type}.cpuprofile`, import.meta.url), JSON.stringify(profile));
  await context.close();
} finally {
  await env.close();
}
