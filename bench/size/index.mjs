// Bundle cost (issue 7, item 1): the same small app written for each SDK, plus keyward's core,
// React layer and both, each bundled for production (bench/size/bundle.mjs) and measured.
import { bundleSize, root } from './bundle.mjs';

/** The columns of the comparison, in table order; `app` is the file in bench/size/apps/. */
export const sdks = [
  { key: 'keyward', app: 'keyward', label: 'keyward', packages: ['jose', 'idb-keyval'] },
  { key: 'msal', app: 'msal', label: 'msal-browser + msal-react', packages: ['@azure/msal-browser', '@azure/msal-react'] },
  { key: 'oidcClientTs', app: 'oidc-client-ts', label: 'oidc-client-ts + react-oidc-context', packages: ['oidc-client-ts', 'react-oidc-context'] },
  { key: 'auth0', app: 'auth0', label: 'auth0-spa-js + auth0-react', packages: ['@auth0/auth0-spa-js', '@auth0/auth0-react'] },
];

const src = `${root}src/`;
const srcReact = `${root}src/react/`;

/** Leaves every keyward module outside src/react/ external, so only the React layer's own code is counted. */
const coreExternal = {
  name: 'keyward-bench:core-external',
  enforce: 'pre',
  async resolveId(source, importer) {
    if (!importer) return null;
    const resolved = await this.resolve(source, importer, { skipSelf: true });
    if (resolved?.id.startsWith(src) && !resolved.id.startsWith(srcReact)) return { id: resolved.id, external: true };
    return null;
  },
};

/** keyward's own parts: whole public APIs, every export kept (see bench/size/entries/). */
export const keywardParts = [
  { key: 'core', label: 'keyward core (whole `keyward` API)', entry: 'core.ts', options: { keepExports: true } },
  { key: 'react', label: 'keyward React layer alone (src/react/, core external)', entry: 'react.ts', options: { keepExports: true, plugins: [coreExternal] } },
  { key: 'both', label: 'keyward core + React (whole API of both)', entry: 'both.ts', options: { keepExports: true } },
];

const pick = ({ raw, gzip, brotli, chunks }) => ({ raw, gzip, brotli, chunks });

/** Runs every bundle, one after another (the machines are shared; a build is well under a second). */
export async function runSizeBenchmarks() {
  const apps = {};
  for (const sdk of sdks) apps[sdk.key] = pick(await bundleSize(`${root}bench/size/apps/${sdk.app}.tsx`));
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
  return { apps, keyward, table, targets: targets(apps, keyward) };
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
