// The packed-tarball check `npm test` runs after the build (issue 17): keyward as a new user
// gets it. It packs the package, installs the tarball into a temporary app outside the repo
// (so nothing resolves from this repo's node_modules by accident), and then
//   - checks the install: the runtime dependencies and nothing else (no node-forge, no
//     undici: optional peers are not installed by npm); oidc-client-ts (and its jwt-decode)
//     is a dependency because the session monitor's lazily loaded chunk imports it;
//   - imports and requires every entry point in Node, and checks that keyward/server refuses
//     a PFX credential with node_forge_missing when node-forge is not installed;
//   - type-checks an ESM (.mts) and a CommonJS (.cts) consumer under node16 and nodenext
//     resolution, and a bundler-resolution consumer, with skipLibCheck off so keyward's own
//     declaration files are checked too;
//   - runs publint --strict and @arethetypeswrong/cli (strict profile, no rule ignored) on the tarball;
//   - runs a Node script that constructs a client and gets accounts, and expects the process
//     to exit by itself within a second of finishing (an open channel or timer would keep it alive).
//
//   node scripts/check-package.mjs          (after npm run build)
//   KEYWARD_KEEP_PACKAGE_CHECK=1 ...         keep the temporary app to look at
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();
const app = mkdtempSync(join(tmpdir(), 'keyward-package-check-'));
const failures = [];

/** Runs a command; resolves with its output, or records a failure (never rejects). */
function run(label, command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? app, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      if (code !== 0) failures.push(`${label} failed (exit ${code}):\n${output.trim()}`);
      else console.log(`ok  ${label}`);
      resolve(output);
    });
  });
}

/** The entry points, a value export of each (proves the module really loaded), and what else it exports. */
const entries = {
  keyward: ['PublicClientApplication', 'ErrorCode', 'KeywardError'],
  'keyward/react': ['AuthProvider', 'useToken', 'useAuth'],
  'keyward/cache': ['IndexedDbTokenCache', 'SerializableTokenCache'],
  'keyward/testing': ['createTestClient', 'testAccount'],
  'keyward/server': ['ConfidentialClientApplication', 'redisCacheStore'],
  'keyward/router': ['requireAuthLoader', 'requireAuthBeforeLoad', 'ensureSignedIn'],
};

function writeApp() {
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'keyward-consumer', private: true, version: '0.0.0' }, null, 2));
  const checks = Object.entries(entries)
    .map(([id, names]) => `check(${JSON.stringify(id)}, m${id.replace(/\W/g, '_')}, ${JSON.stringify(names)});`)
    .join('\n');
  const check = `function check(id, m, names) {
  for (const name of names) if (m[name] === undefined) throw new Error(id + ' has no export ' + name);
  console.log(id + ': ' + Object.keys(m).length + ' exports');
}\n`;
  writeFileSync(
    join(app, 'import.mjs'),
    `${Object.keys(entries)
      .map((id) => `import * as m${id.replace(/\W/g, '_')} from ${JSON.stringify(id)};`)
      .join('\n')}\n${check}${checks}\n`,
  );
  writeFileSync(
    join(app, 'require.cjs'),
    `${Object.keys(entries)
      .map((id) => `const m${id.replace(/\W/g, '_')} = require(${JSON.stringify(id)});`)
      .join('\n')}\n${check}${checks}
// The CommonJS build, not ESM through require(esm): its files are .cjs.
if (!require.resolve('keyward').endsWith('.cjs')) throw new Error('require resolved ' + require.resolve('keyward'));\n`,
  );
  // A client in Node: the default cache finds no IndexedDB and runs in memory.
  const exitScript = (load) => `${load}
const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'https://idp.example.com' });
app.getAccounts().then((accounts) => console.log('accounts:' + accounts.length));\n`;
  // keyward/server without node-forge (an optional peer, not installed): a PFX credential is refused with a typed error.
  writeFileSync(join(app, 'not-a.pfx'), 'not read: node-forge is loaded first');
  writeFileSync(
    join(app, 'pfx.cjs'),
    `const { ConfidentialClientApplication } = require('keyward/server');
try {
  new ConfidentialClientApplication({ clientId: 'web', authority: 'https://login.microsoftonline.com/common', clientCredential: { privateKeyPfxPath: 'not-a.pfx' } });
  throw new Error('constructed without node-forge');
} catch (error) {
  if (error.errorCode !== 'node_forge_missing' || !/npm install node-forge/.test(error.message)) throw error;
  console.log('node_forge_missing: ' + error.message);
}\n`,
  );
  writeFileSync(join(app, 'exit.mjs'), exitScript("import { PublicClientApplication } from 'keyward';"));
  writeFileSync(join(app, 'exit.cjs'), exitScript("const { PublicClientApplication } = require('keyward');"));

  // Consumers for the type checks: every entry, and one wrong call each so a type that
  // silently became `any` fails (the @ts-expect-error would be unused).
  const consumer = `import { type AccountInfo, type AuthenticationResult, ErrorCode, PublicClientApplication } from 'keyward';
import { AuthProvider, type UseTokenResult, useToken } from 'keyward/react';
import { IndexedDbTokenCache, type TokenCache } from 'keyward/cache';
import { createTestClient } from 'keyward/testing';
import { ConfidentialClientApplication } from 'keyward/server';

const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'https://idp.example.com', tokenCache: new IndexedDbTokenCache() });
export const accounts: Promise<AccountInfo[]> = app.getAccounts();
export const silent = (account: AccountInfo): Promise<AuthenticationResult | null> => app.acquireTokenSilent(['openid'], account);
export const closing: Promise<void> = app.close();
export const code: 'node_forge_missing' = ErrorCode.nodeForgeMissing;
export const cache: TokenCache = new IndexedDbTokenCache();
export const provider: typeof AuthProvider = AuthProvider;
export const token = (): UseTokenResult => useToken(['User.Read']);
export const testClient = createTestClient();
export const server = new ConfidentialClientApplication({ clientId: 'web', clientCredential: 'secret', authority: 'https://login.microsoftonline.com/common' });
// @ts-expect-error msal-browser's loginPopup is not keyward's API
app.loginPopup();
`;
  writeFileSync(join(app, 'consumer-esm.mts'), consumer);
  writeFileSync(join(app, 'consumer-cjs.cts'), consumer);
  writeFileSync(join(app, 'consumer-bundler.ts'), consumer);
  const compilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2022', 'DOM', 'DOM.Iterable', 'ESNext.Disposable'],
    types: ['node'],
    jsx: 'react-jsx',
  };
  const tsconfig = (name, options, files) =>
    writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files }, null, 2));
  tsconfig('node16', { module: 'node16', moduleResolution: 'node16' }, ['consumer-esm.mts', 'consumer-cjs.cts']);
  tsconfig('nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['consumer-esm.mts', 'consumer-cjs.cts']);
  tsconfig('bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['consumer-bundler.ts']);
}

/** Spawns `script`; fails unless it prints its accounts and then exits by itself within `limitMs`. */
function exitsByItself(script, limitMs = 1000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let doneAt;
    const hardStop = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (doneAt === undefined && output.includes('accounts:0')) doneAt = Date.now();
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => {
      clearTimeout(hardStop);
      const lingered = doneAt === undefined ? undefined : Date.now() - doneAt;
      if (code !== 0 || doneAt === undefined || lingered > limitMs) {
        failures.push(
          `${script}: expected "accounts:0" and an exit within ${limitMs} ms; exit ${code ?? signal}, ${lingered ?? '-'} ms after, output:\n${output.trim()}`,
        );
      } else console.log(`ok  ${script} exited by itself ${lingered} ms after getting accounts`);
      resolve();
    });
  });
}

try {
  if (!existsSync(join(root, 'dist', 'index.cjs'))) throw new Error('dist/ is missing: run npm run build first');
  const packed = await run('npm pack', 'npm', ['pack', '--ignore-scripts', '--pack-destination', app], { cwd: root });
  const tarball = join(app, packed.trim().split('\n').pop());
  writeApp();
  // The linters read the tarball while npm installs it.
  const linters = Promise.all([
    run('publint --strict', bin('publint'), ['--strict', tarball]),
    run('attw (profile strict, no rule ignored)', bin('attw'), [tarball, '--format', 'ascii']),
  ]);
  await run('npm install <tarball>', 'npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock']);
  const installed = readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'));
  const expected = ['idb-keyval', 'jose', 'jwt-decode', 'keyward', 'oidc-client-ts'];
  if (installed.sort().join() !== expected.join()) failures.push(`installed packages: expected ${expected.join(', ')}, got ${installed.join(', ')}`);
  else console.log(`ok  the install holds ${installed.join(', ')} only (no node-forge, no undici)`);
  // What a React and TypeScript app has besides: this repo's React and type packages, linked.
  mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
  for (const name of ['react', 'react-dom', '@types/react', '@types/node', 'undici-types']) {
    symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  }
  await run('import every entry (ESM)', process.execPath, ['import.mjs']);
  await run('require every entry (CommonJS build)', process.execPath, ['require.cjs']);
  await run('a PFX credential without node-forge: node_forge_missing', process.execPath, ['pfx.cjs']);
  await Promise.all([exitsByItself('exit.mjs'), exitsByItself('exit.cjs')]);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const name of ['node16', 'nodenext', 'bundler']) await run(`tsc consumers (${name})`, process.execPath, [tsc, '-p', `tsconfig.${name}.json`]);
  await linters;
} catch (error) {
  failures.push(String(error?.stack ?? error));
} finally {
  if (process.env.KEYWARD_KEEP_PACKAGE_CHECK) console.log(`kept ${app}`);
  else rmSync(app, { recursive: true, force: true });
}

console.log(`package check: ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failures.length) {
  console.error(`\n${failures.join('\n\n')}`);
  process.exit(1);
}
