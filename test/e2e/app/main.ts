/**
 * The page the end-to-end tests drive: it loads keyward exactly as an app would, builds a
 * client from the config the test injects (Playwright init script), and runs
 * handleRedirectPromise() on every load. Tests call the SDK through `window.app`, and read
 * the whole cache through the public `tokenCache` option (`window.cache`).
 */
import * as caches from '../../../src/cache/index.js';
// Internals the cross-tab race tests drive directly (test page only, not the public API).
import { leaseTiming } from '../../../src/cache/crossTabLock.js';
import * as core from '../../../src/index.js';
import { PopKeyStore } from '../../../src/pop/keyStore.js';
import { hydrateServerHtml, mountReactApp, type ReactAppConfig } from './reactApp.js';

/** Both entry points, as one namespace for the tests (`window.keyward`). */
const keyward = { ...core, ...caches };
type Keyward = typeof keyward;

/** A settled call, serializable across the Playwright boundary. */
type Settled<T> = { result: T; error?: undefined } | { result?: undefined; error: { name: string; errorCode: string; message: string; status?: number } };

declare global {
  interface Window {
    __E2E_CONFIG__?: core.PublicClientApplicationOptions;
    /** Which token cache the page uses: 'memory' (default) or 'indexeddb'. */
    __E2E_CACHE__?: 'memory' | 'indexeddb';
    /** Warnings the cache emitted (storage unavailable, entries dropped, migrations). */
    cacheWarnings: caches.CacheWarning[];
    keyward: Keyward;
    app: core.PublicClientApplication;
    cache: caches.SerializableTokenCache | caches.IndexedDbTokenCache;
    /** When set, the page also renders keyward/react under StrictMode (see reactApp.tsx). */
    __E2E_REACT__?: ReactAppConfig;
    /** Server-rendered HTML to hydrate (the SSR test renders it in Node). */
    __E2E_SSR_HTML__?: string;
    /** React mode 'tokens': mount that many useToken components. */
    showTokens?: (count: number) => void;
    /** Every line the SDK logged, at the most verbose level. */
    logLines: string[];
    redirectOutcome: Promise<Settled<core.AuthenticationResult | null>>;
    settle<T>(promise: Promise<T>): Promise<Settled<T>>;
    /**
     * Several clients on one page (multiProvider.e2e): built in this order, each with the
     * default token cache (IndexedDB, shared by all of them), each running
     * handleRedirectPromise() on every load.
     */
    __E2E_MULTI__?: { name: string; config: core.PublicClientApplicationOptions }[];
    apps: Record<string, core.PublicClientApplication>;
    redirectOutcomes: Record<string, Promise<Settled<core.AuthenticationResult | null>>>;
    /** Events each client of `apps` emitted, by client name (`type` and, for account changes, the usernames). */
    appEvents: Record<string, { type: string; usernames?: string[] }[]>;
    leaseTiming: typeof leaseTiming;
    PopKeyStore: typeof PopKeyStore;
  }
}

window.keyward = keyward;
window.leaseTiming = leaseTiming;
window.PopKeyStore = PopKeyStore;
window.settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (result) => ({ result }),
    (error: core.KeywardError & { status?: number }) => ({
      error: { name: error.name, errorCode: error.errorCode, message: error.message, ...(error.status !== undefined && { status: error.status }) },
    }),
  );

const status = document.getElementById('status')!;
if (window.__E2E_CONFIG__) {
  window.cache = window.__E2E_CACHE__ === 'indexeddb' ? new keyward.IndexedDbTokenCache() : new keyward.SerializableTokenCache();
  window.cacheWarnings = [];
  window.cache.onWarning((warning) => window.cacheWarnings.push(warning));
  window.logLines = [];
  window.app = new keyward.PublicClientApplication({
    ...window.__E2E_CONFIG__,
    tokenCache: window.cache,
    logger: { level: 'verbose', callback: (level, message) => window.logLines.push(`${level} ${message}`) },
  });
  window.redirectOutcome = window.settle(window.app.handleRedirectPromise());
  // The React tree initializes the same client: the core memoizes, so the redirect is handled once.
  if (window.__E2E_REACT__) window.showTokens = mountReactApp(window.app, window.__E2E_REACT__).showTokens;
  if (window.__E2E_SSR_HTML__ !== undefined) hydrateServerHtml(window.app, window.__E2E_SSR_HTML__);
  void window.redirectOutcome.then((outcome) => {
    status.textContent = outcome.error ? `error ${outcome.error.errorCode}` : outcome.result ? `signed in ${outcome.result.account.username}` : 'ready';
  });
} else if (window.__E2E_MULTI__) {
  window.apps = {};
  window.redirectOutcomes = {};
  window.appEvents = {};
  for (const { name, config } of window.__E2E_MULTI__) {
    const app = new keyward.PublicClientApplication(config);
    window.apps[name] = app;
    const events: { type: string; usernames?: string[] }[] = [];
    window.appEvents[name] = events;
    app.addEventCallback((event) =>
      events.push(event.type === 'accountsChanged' ? { type: event.type, usernames: event.accounts.map((a) => a.username) } : { type: event.type }),
    );
    window.redirectOutcomes[name] = window.settle(app.initialize().then(() => app.handleRedirectPromise()));
  }
  void Promise.all(Object.values(window.redirectOutcomes)).then(() => {
    status.textContent = 'ready';
  });
} else {
  status.textContent = 'ready';
}
