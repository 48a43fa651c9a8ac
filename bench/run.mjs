// `npm run bench` (not part of `npm test`): bundle sizes, then the runtime benchmarks when
// bench/runtime/ exists; prints one table and writes bench/results.json, then refreshes the
// README's "How keyward compares" section from it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { root } from './size/bundle.mjs';
import { runSizeBenchmarks } from './size/index.mjs';
import { consoleTable } from './table.mjs';
import { featureTable, updateBenchReadme, updateReadme } from './readme.mjs';

/** Every package whose code the figures measure, with the version actually installed. */
const measuredPackages = [
  '@azure/msal-browser',
  '@azure/msal-react',
  'oidc-client-ts',
  'react-oidc-context',
  '@auth0/auth0-spa-js',
  '@auth0/auth0-react',
  'jose',
  'idb-keyval',
  'react',
  'react-dom',
  'vite',
];
const installedVersion = (name) => JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** The same Chromium the tests use (vite.config.ts); asked only when the runtime benchmarks ran in it. */
function chromiumVersion() {
  const path = process.env.KEYWARD_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

console.log('bundle sizes …');
const size = await runSizeBenchmarks();

// `npm run bench -- --size-only`: the bundle figures alone (a few seconds): prints the per-feature
// table and rewrites it in bench/README.md; results.json and README.md keep the last full run.
if (process.argv.includes('--size-only')) {
  for (const [key, app] of Object.entries(size.apps)) console.log(`typical app, ${key}: ${app.gzip} B min+gzip (${app.raw} B minified, ${app.chunks} chunks)`);
  console.log(`\n${featureTable({ size })}\n`);
  updateBenchReadme({ size });
  console.log('updated bench/README.md (per-feature cost)');
  process.exit(0);
}

let runtime = null;
const runtimeEntry = `${root}bench/runtime/index.mjs`;
if (existsSync(runtimeEntry)) {
  console.log('runtime benchmarks …');
  const { runRuntimeBenchmarks } = await import(pathToFileURL(runtimeEntry).href);
  // `npm run bench -- --runs=1`: fewer runs of each runtime measurement (default 3).
  const runs = process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1];
  runtime = await runRuntimeBenchmarks(runs ? { runs: Number(runs) } : {});
} else {
  console.log('runtime benchmarks: not built yet');
}

const keyward = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const commit = gitCommit();
const results = {
  date: new Date().toISOString(),
  command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    ...(runtime && { chromium: chromiumVersion() }),
  },
  versions: {
    keyward: `${keyward.version}${commit ? ` (${commit})` : ''}`,
    ...Object.fromEntries(measuredPackages.map((name) => [name, installedVersion(name)])),
  },
  size,
  runtime,
};

writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\n${consoleTable(results)}\n`);
for (const t of size.targets) console.log(`${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.keyward} B (limit ${t.limit} B)`);
console.log('\nwrote bench/results.json');
updateReadme(results);
updateBenchReadme(results);
console.log('updated README.md (How keyward compares) and bench/README.md (per-feature cost)');
