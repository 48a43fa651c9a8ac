/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { playwright } from '@vitest/browser-playwright';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { fileURLToPath } from 'node:url';
import { inlineErrorCodes } from './scripts/inline-error-codes';
import { keywardCompleteSignIn, keywardLiveIdp, keywardLiveTokenRequests, liveRedirectPage } from './test/storybook/liveCommands';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Chromium from Debian; Playwright cannot download browsers on these machines. */
export const chromiumPath = process.env.KEYWARD_CHROMIUM ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Only loopback: anything else fails to resolve instead of leaving the machine.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/**
 * React 18, from the fixture package test/react18 (its own node_modules, installed by
 * `npm ci` through the `file:` devDependency): the React layer's tests run against both
 * majors of the peer range. Every `react*` / `react-dom*` import, ours and the tests', is
 * pointed there so one copy of React 18 is loaded.
 */
const react18 = `${root}test/react18/node_modules`;
const react18Alias = [
  { find: /^react-dom(\/.*)?$/, replacement: `${react18}/react-dom$1` },
  { find: /^react(\/.*)?$/, replacement: `${react18}/react$1` },
];
const reactLayerTests = ['test/browser/react.browser.test.tsx', 'test/browser/useToken.browser.test.tsx', 'test/browser/testing.browser.test.tsx'];

// Vitest mutates `instances`, so each project gets a fresh object.
const browserConfig = () => ({
  enabled: true,
  headless: true,
  provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
  instances: [{ browser: 'chromium' as const }],
  screenshotFailures: false,
});

export default defineConfig({
  // `ErrorCode.name` → its string in what the package ships (scripts/inline-error-codes.mjs).
  plugins: [inlineErrorCodes()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No maps in the package: they would point at src/, which is not published.
    sourcemap: false,
    minify: false,
    lib: {
      entry: {
        index: `${root}src/index.ts`,
        react: `${root}src/react/index.ts`,
        router: `${root}src/router/index.ts`,
        cache: `${root}src/cache/index.ts`,
        testing: `${root}src/testing/index.ts`,
        server: `${root}src/server/index.ts`,
      },
      formats: ['es', 'cjs'],
    },
    rollupOptions: {
      // Rolldown's default ("smart") constant inlining leaves `import "./options.js";` behind
      // where it inlined a constant; an app's bundler must then keep that import's execution order
      // and splits keyward's core out of the app's entry chunk (3.2 kB min+gzip more for the typical
      // app, bench/README.md "Measured as shipped"). The app's own bundler inlines what it wants.
      optimization: { inlineConst: false },
      // node:*, node-forge and undici only ever load inside keyward/server, lazily (see src/server/node.ts, nodeTransport.ts).
      external: [/^react($|\/)/, /^react-dom($|\/)/, 'jose', 'idb-keyval', 'oidc-client-ts', 'node-forge', 'undici', /^node:/],
      output: {
        // One file per source module: an app's bundler tree-shakes and splits keyward as it would
        // its own code, and the size bench maps what it measures back to src/ (bench/size/bundle.mjs).
        preserveModules: true,
        preserveModulesRoot: 'src',
        // keyward/react is a client module for React Server Components (Next.js App Router): its
        // hooks and AuthProvider only run in the browser bundle, so a server component can render
        // <AuthProvider> directly. The bundler drops module-level directives from sources, so the
        // directive is written here, on the react entry's chunk only (the core stays usable on the server).
        banner: (chunk) => (chunk.isEntry && chunk.name === 'react' ? "'use client';" : ''),
      },
    },
  },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          // Some tests generate RSA keys, which takes seconds on a busy 2-core machine.
          testTimeout: 20_000,
          setupFiles: ['test/support/errorSweep.setup.ts'],
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.{ts,tsx}', 'test/server/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.{ts,tsx}'],
          setupFiles: ['test/support/errorSweep.setup.ts'],
          browser: browserConfig(),
        },
      },
      {
        resolve: { alias: react18Alias },
        test: {
          name: 'react18',
          include: [...reactLayerTests, 'test/react18/*.browser.test.tsx'],
          browser: browserConfig(),
        },
      },
      {
        resolve: { alias: react18Alias },
        test: {
          name: 'react18-ssr',
          environment: 'node',
          include: ['test/unit/reactSsr.test.tsx', 'test/react18/*.node.test.tsx'],
        },
      },
      {
        // Every story in stories/ rendered in Chromium, its play function run as a test.
        plugins: [storybookTest({ configDir: `${root}.storybook` }), liveRedirectPage()],
        test: {
          name: 'storybook',
          // The live story signs in for real (popup, provider pages, code redemption).
          testTimeout: 30_000,
          setupFiles: ['.storybook/vitest.setup.ts'],
          // The live story's provider and its hand on the provider's sign-in page.
          browser: { ...browserConfig(), commands: { keywardLiveIdp, keywardCompleteSignIn, keywardLiveTokenRequests } },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/globalSetup.ts'],
          setupFiles: ['test/support/errorSweep.setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
