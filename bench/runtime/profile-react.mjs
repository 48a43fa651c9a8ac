// node bench/runtime/profile-react.mjs [--sdk=keyward] [--reloads=5]
// The React cold start of one SDK's page (react-<sdk>.html, one cached token), per load: script
// start → token committed, and every performance mark on the page relative to script start
// (performance.mark() calls placed in src/ for a look, not committed, show where the time goes).
import { newContext, signIn, startEnv } from './index.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const sdk = arg('sdk', 'keyward');
const reloads = Number(arg('reloads', '5'));

const env = await startEnv();
try {
  const context = await newContext(env, sdk);
  const page = await signIn(env, context, sdk);
  await page.evaluate(() => window.bench.silent());
  for (let i = 0; i < reloads; i++) {
    await page.goto(`${env.app.origin}/react-${sdk}.html`);
    await page.waitForFunction(() => window.benchReact !== undefined, null, { timeout: 30_000 });
    const state = await page.evaluate(() => window.benchReact);
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
    const rel = marks.map(([n, t]) => `${n}=${(t - state.scriptStart).toFixed(1)}`).join(' ');
    console.log(
      `load ${i}: script start ${state.scriptStart.toFixed(1)} ms after navigation, token ${(state.tokenAt - state.scriptStart).toFixed(1)} ms after script start`,
    );
    if (marks.length) console.log(`  marks: ${rel}`);
  }
  await context.close();
} finally {
  await env.close();
}
