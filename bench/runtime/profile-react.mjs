// node bench/runtime/profile-react.mjs [--sdk=keyward] [--reloads=5]
// The React cold start of one SDK's page (react-<sdk>.html, one cached token), per load: script
// start → token committed, and every performance mark on the page relative to script start
// (performance.mark() calls placed in src/ for a look, not committed, show where the time goes).
import { cliArg as arg, signedInPage, startEnv } from './index.mjs';

const sdk = arg('sdk', 'keyward');
const reloads = Number(arg('reloads', '5'));

const env = await startEnv();
try {
  const { context, page } = await signedInPage(env, sdk);
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
