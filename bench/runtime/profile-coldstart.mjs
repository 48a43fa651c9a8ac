// node bench/runtime/profile-coldstart.mjs [--sdk=keyward] [--tokens=1] [--reloads=5]
// A CPU profile (CDP Profiler, 50 µs sampling) of each reload of one SDK's bench page, from
// navigation to "accounts known": where the cold start's time goes. Prints the top self-time
// functions and the idle share (time spent waiting, e.g. for IndexedDB), any performance marks, and writes the last profile to .tmp/coldstart.cpuprofile.
// Run with BENCH_MINIFY=0 for readable names.
import { writeFile, mkdir } from 'node:fs/promises';
import { cliArg as arg, signedInPage, startEnv } from './index.mjs';

const sdk = arg('sdk', 'keyward');
const tokens = Number(arg('tokens', '1'));
const reloads = Number(arg('reloads', '5'));

const env = await startEnv();
try {
  const { context, page } = await signedInPage(env, sdk, { tokens });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  const totals = new Map();
  let idle = 0;
  let all = 0;
  let last;
  for (let i = 0; i < reloads; i++) {
    await cdp.send('Profiler.start');
    await page.reload();
    await page.waitForFunction(() => typeof window.bench === 'object');
    const state = await page.evaluate(() => window.bench.booted);
    const { profile } = await cdp.send('Profiler.stop');
    last = profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
    const rel = marks.map(([n, t]) => `${n}=${(t - state.scriptStart).toFixed(2)}`).join(' ');
    // performance.mark() calls placed in src/ for a look (not committed) show up here, relative to script start.
    if (marks.length) console.log(`  marks (ms after script start): ${rel}`);
    console.log(
      `reload ${i}: sdk part ${(state.accountsKnown - state.scriptStart).toFixed(2)} ms, first token ${(state.firstToken - state.scriptStart).toFixed(2)} ms`,
    );
    profile.samples.forEach((id, k) => {
      const node = byId.get(id);
      const f = node.callFrame;
      const name = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
      const dt = profile.timeDeltas[k + 1] ?? 0;
      all += dt;
      if (f.functionName === '(idle)') idle += dt;
      totals.set(name, (totals.get(name) ?? 0) + dt);
    });
  }
  console.log(`\nwhole reloads (navigation to accounts known), ${reloads} reloads: ${(all / 1000).toFixed(2)} ms sampled, idle ${(idle / 1000).toFixed(2)} ms`);
  for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / 1000 / reloads).toFixed(3)} ms/reload  ${name}`);
  await mkdir(new URL('../../.tmp/', import.meta.url), { recursive: true });
  await writeFile(new URL('../../.tmp/coldstart.cpuprofile', import.meta.url), JSON.stringify(last));
  await context.close();
} finally {
  await env.close();
}
