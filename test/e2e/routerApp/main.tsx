/**
 * The page test/e2e/appIntegration.e2e.test.ts drives: keyward as an app uses it, with a
 * router (React Router v7 or TanStack Router) or plain components under <StrictMode>. The test
 * injects `window.__APP__` (Playwright init script) to pick the mode and the provider.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider, useLoaderData } from 'react-router';
import { createRootRoute, createRoute, createRouter, RouterProvider as TanStackRouterProvider } from '@tanstack/react-router';
import { browserNavigationClient, PublicClientApplication, type PublicClientApplicationOptions } from '../../../src/index.js';
import { Authenticated, AuthProvider, RequireAuth, Unauthenticated, useAuth } from '../../../src/react/index.js';
import { requireAuthBeforeLoad, requireAuthLoader } from '../../../src/router/index.js';

interface AppConfig {
  mode: 'require' | 'guards' | 'react-router' | 'tanstack';
  client: PublicClientApplicationOptions;
  scopes: string[];
}

/** One line per loader run, kept across page loads of this tab (sessionStorage). */
interface LoaderRun {
  route: string;
  url: string;
  token: string | null;
}

declare global {
  interface Window {
    __APP__?: AppConfig;
    /** Set once per document: survives a client-side navigation, not a page load. */
    __documentId?: string;
    logLines: string[];
    loaderRuns(): LoaderRun[];
    /** `useAuth().retry` of the 'guards' page. */
    retry(): Promise<void>;
  }
}

window.__documentId = Math.random().toString(36).slice(2);
window.logLines = [];
const runsKey = 'e2e.loaderRuns';
window.loaderRuns = () => JSON.parse(sessionStorage.getItem(runsKey) ?? '[]') as LoaderRun[];
function recordRun(route: string, url: string, token: string | null): void {
  sessionStorage.setItem(runsKey, JSON.stringify([...window.loaderRuns(), { route, url, token: token ? token.slice(-8) : null }]));
}

const config = window.__APP__;
if (config) {
  const client = new PublicClientApplication({
    ...config.client,
    logger: { level: 'verbose', callback: (level, message) => window.logLines.push(`${level}: ${message}`) },
  });
  const root = createRoot(document.getElementById('root')!);

  function SignInButton() {
    const { signIn, isLoading, isAuthenticated, error, retry } = useAuth();
    window.retry = retry;
    return (
      <p id="state" data-loading={String(isLoading)} data-authenticated={String(isAuthenticated)} data-error={error?.name ?? ''}>
        <button id="sign-in" type="button" onClick={() => void signIn()}>
          Sign in
        </button>
      </p>
    );
  }

  function Who() {
    const { activeAccount } = useAuth();
    return <p id="who">{activeAccount?.username ?? 'nobody'}</p>;
  }

  if (config.mode === 'require') {
    root.render(
      <StrictMode>
        <AuthProvider client={client}>
          <RequireAuth scopes={config.scopes} loading={<p id="loading">signing in…</p>}>
            <Who />
          </RequireAuth>
        </AuthProvider>
      </StrictMode>,
    );
  } else if (config.mode === 'guards') {
    root.render(
      <StrictMode>
        <AuthProvider client={client}>
          <SignInButton />
          <Unauthenticated>
            <p id="signed-out">Please sign in.</p>
          </Unauthenticated>
          <Authenticated>
            <Who />
          </Authenticated>
        </AuthProvider>
      </StrictMode>,
    );
  } else if (config.mode === 'react-router') {
    const router = createBrowserRouter([
      {
        path: '/',
        loader: ({ request }) => {
          recordRun('home', request.url, null);
          return null;
        },
        element: <p id="home">home</p>,
      },
      {
        path: '/orders',
        loader: requireAuthLoader(
          client,
          ({ request, auth }) => {
            recordRun('orders', request.url, auth.accessToken);
            return { id: new URL(request.url).searchParams.get('id'), token: auth.accessToken.slice(-8) };
          },
          { scopes: config.scopes },
        ),
        element: <Orders />,
      },
    ]);
    // The router does keyward's in-app navigations; the provider round trips stay full-page.
    client.setNavigationClient({
      ...browserNavigationClient,
      navigateInternal: (url, { noHistory }) => {
        const { pathname, search, hash } = new URL(url);
        void router.navigate(`${pathname}${search}${hash}`, { replace: noHistory });
        return Promise.resolve(false);
      },
    });
    void client.initialize().catch(() => {});
    root.render(
      <StrictMode>
        <AuthProvider client={client}>
          <RouterProvider router={router} />
        </AuthProvider>
      </StrictMode>,
    );
  } else {
    const rootRoute = createRootRoute();
    const home = createRoute({
      getParentRoute: () => rootRoute,
      path: '/',
      loader: ({ location }) => {
        recordRun('home', location.href, null);
        return null;
      },
      component: () => <p id="home">home</p>,
    });
    const orders = createRoute({
      getParentRoute: () => rootRoute,
      path: '/orders',
      beforeLoad: requireAuthBeforeLoad(client, { scopes: config.scopes }),
      loader: ({ context, location }) => {
        recordRun('orders', location.href, context.auth.accessToken);
        return { id: new URLSearchParams(location.searchStr).get('id'), token: context.auth.accessToken.slice(-8) };
      },
      component: function TanStackOrders() {
        const data = orders.useLoaderData();
        return (
          <p id="orders" data-id={data.id ?? ''}>
            orders {data.token}
          </p>
        );
      },
    });
    const router = createRouter({ routeTree: rootRoute.addChildren([home, orders]) });
    client.setNavigationClient({
      ...browserNavigationClient,
      navigateInternal: (url, { noHistory }) => {
        const { pathname, search, hash } = new URL(url);
        void router.navigate({ href: `${pathname}${search}${hash}`, replace: noHistory });
        return Promise.resolve(false);
      },
    });
    void client.initialize().catch(() => {});
    root.render(
      <StrictMode>
        <AuthProvider client={client}>
          <TanStackRouterProvider router={router} />
        </AuthProvider>
      </StrictMode>,
    );
  }
}

function Orders() {
  const data = useLoaderData() as { id: string | null; token: string };
  return (
    <p id="orders" data-id={data.id ?? ''}>
      orders {data.token}
    </p>
  );
}
