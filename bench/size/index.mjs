// Bundle cost (issue 7 item 1, issue 19): the same small app written for each SDK, what each of
// keyward's opt-in features adds to it, and keyward's core, React layer and both, each bundled
// for production (bench/size/bundle.mjs) and measured.
import { bundleSize, libDir, loadedSize, root, sourceOf } from './bundle.mjs';

/** Entra's instance discovery, loaded by import() on the first resolution of an Entra authority (src/client/context.ts). */
const instanceDiscoveryModule = 'src/authority/instanceDiscovery.ts';

/** The columns of the comparison, in table order; `app` is the file in bench/size/apps/. */
export const sdks = [
  // keyward's app counts the lazy chunk it loads while it signs in (typicalApp.loads, below); the others are one chunk each.
  { key: 'keyward', app: 'keyward', label: 'keyward', packages: ['jose', 'idb-keyval'], loads: [instanceDiscoveryModule] },
  { key: 'msal', app: 'msal', label: 'msal-browser + msal-react', packages: ['@azure/msal-browser', '@azure/msal-react'] },
  { key: 'oidcClientTs', app: 'oidc-client-ts', label: 'oidc-client-ts + react-oidc-context', packages: ['oidc-client-ts', 'react-oidc-context'] },
  { key: 'auth0', app: 'auth0', label: 'auth0-spa-js + auth0-react', packages: ['@auth0/auth0-spa-js', '@auth0/auth0-react'] },
];

const src = `${root}src/`;
const srcReact = `${root}src/react/`;

/** Leaves every keyward module outside src/react/ (as built: bench/size/bundle.mjs) external, so only the React layer's own code is counted. */
const coreExternal = {
  name: 'keyward-bench:core-external',
  enforce: 'pre',
  async resolveId(source, importer) {
    if (!importer) return null;
    const resolved = await this.resolve(source, importer, { skipSelf: true });
    const built = resolved?.id.startsWith(libDir) ? sourceOf(resolved.id) : undefined;
    if (built?.startsWith(src) && !built.startsWith(srcReact)) return { id: resolved.id, external: true };
    return null;
  },
};

/** keyward's own parts: whole public APIs, every export kept (see bench/size/entries/). */
export const keywardParts = [
  { key: 'core', label: 'keyward core (whole `keyward` API)', entry: 'core.ts', options: { keepExports: true } },
  { key: 'react', label: 'keyward React layer alone (src/react/, core external)', entry: 'react.ts', options: { keepExports: true, plugins: [coreExternal] } },
  { key: 'both', label: 'keyward core + React (whole API of both)', entry: 'both.ts', options: { keepExports: true } },
];

/**
 * The typical app (apps/keyward.tsx) and what each opt-in feature adds to it (features/<key>.ts:
 * the typical app plus that feature's use). A figure is what the page downloads once it has done
 * that work: the initial chunks plus the lazy chunks holding `loads` (modules loaded by import()
 * when a feature is first used, with the chunks they import). A feature's cost is its app's
 * figure minus the typical app's.
 *
 * `typicalApp.loads`: what the typical app itself loads by import() while it signs in. Its
 * authority is Entra's (login.microsoftonline.com), so that is instance discovery, loaded on the
 * first authority resolution; an `oidcAuthority` app never loads it (the `instanceDiscovery` row).
 */
export const typicalApp = {
  key: 'typicalApp',
  label: 'typical app (sign in, a guard, a token for an API call, sign out; Entra authority)',
  entry: 'apps/keyward.tsx',
  loads: [instanceDiscoveryModule],
};
export const features = [
  {
    key: 'deviceCode',
    label: 'device code flow (`initiateDeviceFlow`, `acquireTokenByDeviceFlow`)',
    entry: 'features/deviceCode.ts',
    loads: ['src/client/flows/deviceFlow.ts'],
  },
  {
    key: 'usernamePassword',
    label: 'username/password (`acquireTokenByUsernamePassword`)',
    entry: 'features/usernamePassword.ts',
    loads: ['src/client/flows/usernamePassword.ts'],
  },
  {
    key: 'popup',
    label: "popup sign-in (`interaction: 'popup'`; the typical app signs in by redirect)",
    entry: 'features/popup.ts',
    loads: ['src/client/browser/popupMonitor.ts'],
  },
  {
    key: 'revocation',
    label: 'token revocation at sign-out (a provider with a `revocation_endpoint`; Entra ID has none)',
    entry: 'features/revocation.ts',
    loads: ['src/client/flows/revoke.ts', 'src/protocol/revocation.ts'],
  },
  { key: 'dpop', label: "DPoP (`authScheme: { type: 'dpop' }`)", entry: 'features/dpop.ts', loads: ['src/pop/popCrypto.ts'] },
  { key: 'pop', label: "MSAL AT-PoP (`authScheme: { type: 'pop' }`)", entry: 'features/pop.ts', loads: ['src/pop/popCrypto.ts'] },
  { key: 'authFetch', label: '`createAuthFetch` (Bearer)', entry: 'features/authFetch.ts', loads: ['src/pop/authFetch.ts'] },
  {
    key: 'ssoSilent',
    label: 'hidden-iframe sign-in (`ssoSilent`; also the silent fallback and deadline renewal)',
    entry: 'features/ssoSilent.ts',
    loads: ['src/client/flows/ssoSilent.ts'],
  },
  {
    key: 'par',
    label: 'pushed authorization requests (`pushedAuthorizationRequests`, or a provider that requires them)',
    entry: 'features/par.ts',
    loads: ['src/client/flows/pushAuthorizationRequest.ts'],
  },
  { key: 'sessionMonitor', label: 'session monitoring (`monitorSession`)', entry: 'features/sessionMonitor.ts', loads: ['src/client/flows/sessionMonitor.ts'] },
  { key: 'router', label: 'router guards (`keyward/router`)', entry: 'features/router.ts', loads: ['src/router/index.ts'] },
];

/**
 * Measures the typical app and every feature row. A row whose `loads` module is in no chunk is
 * reported in `missing` (a broken feature entry must not measure as free); one whose module is in
 * the typical app's initial download, in `eager` (an opt-in feature must cost nothing until used:
 * a static import of, say, the device code flow into the client is a failure whatever its size). The
 * `instanceDiscovery` row is the typical app's own lazy chunk: what an `oidcAuthority` app saves.
 */
export async function featureCosts() {
  const typicalBundle = await bundleSize(`${root}bench/size/${typicalApp.entry}`);
  const typical = loadedSize(typicalBundle, typicalApp.loads);
  const eager = (loads) => loads.filter((module) => typicalBundle.initialModules.includes(`${root}${module}`));
  const minus = (a, b) => ({ raw: a.raw - b.raw, gzip: a.gzip - b.gzip, brotli: a.brotli - b.brotli });
  const rows = [
    { ...typicalApp, raw: typical.raw, gzip: typical.gzip, brotli: typical.brotli, missing: typical.missing, eager: eager(typicalApp.loads) },
    {
      key: 'instanceDiscovery',
      label: 'Entra instance discovery (part of the typical app above; an `oidcAuthority` app never loads it)',
      loads: [instanceDiscoveryModule],
      ...minus(typical, typicalBundle.initial),
      missing: typical.missing,
      eager: eager(typicalApp.loads),
    },
  ];
  for (const feature of features) {
    const loaded = loadedSize(await bundleSize(`${root}bench/size/${feature.entry}`), [...typicalApp.loads, ...feature.loads]);
    rows.push({ ...feature, ...minus(loaded, typical), missing: loaded.missing, eager: eager(feature.loads) });
  }
  return rows;
}

const pick = ({ raw, gzip, brotli, chunks }) => ({ raw, gzip, brotli, chunks });

/** Runs every bundle, one after another (the machines are shared; a build is well under a second). */
export async function runSizeBenchmarks() {
  const apps = {};
  for (const sdk of sdks) {
    const bundle = await bundleSize(`${root}bench/size/apps/${sdk.app}.tsx`);
    apps[sdk.key] = { ...pick(loadedSize(bundle, sdk.loads ?? [])), chunks: bundle.chunks };
  }
  const keyward = {};
  for (const part of keywardParts) keyward[part.key] = pick(await bundleSize(`${root}bench/size/entries/${part.entry}`, part.options));
  const table = ['raw', 'gzip', 'brotli'].map((unit) => ({
    metric: `Bundle, typical app (${unit === 'raw' ? 'minified' : `min+${unit}`})`,
    ...Object.fromEntries(sdks.map((sdk) => [sdk.key, apps[sdk.key][unit]])),
    unit: 'bytes',
    // keyward ÷ each other SDK's app (below 1: keyward is smaller).
    ratio: sdks
      .filter((sdk) => sdk.key !== 'keyward')
      .map((sdk) => `${sdk.app} ${(apps.keyward[unit] / apps[sdk.key][unit]).toFixed(2)}×`)
      .join(', '),
  }));
  return { apps, keyward, features: await featureCosts(), table, targets: targets(apps, keyward) };
}

/** The issue's bundle targets, judged on the like-for-like apps (min+gzip). */
function targets(apps, keyward) {
  const k = apps.keyward.gzip;
  return [
    { target: 'core + React app ≤ ½ of msal-browser + msal-react (min+gzip)', keyward: k, limit: Math.floor(apps.msal.gzip / 2), met: k <= apps.msal.gzip / 2 },
    {
      target: 'core + React app ≤ oidc-client-ts + react-oidc-context (min+gzip)',
      keyward: k,
      limit: apps.oidcClientTs.gzip,
      met: k <= apps.oidcClientTs.gzip,
    },
    {
      target: 'whole keyward API ≤ ½ of msal-browser + msal-react app (min+gzip)',
      keyward: keyward.both.gzip,
      limit: Math.floor(apps.msal.gzip / 2),
      met: keyward.both.gzip <= apps.msal.gzip / 2,
    },
  ];
}
