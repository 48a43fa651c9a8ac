/**
 * keyward for data routers: guards that run before a route loads, outside React components,
 * so a route's data is fetched only once someone is signed in and a token is at hand. Written
 * against the routers' argument shapes, not their packages: nothing here imports a router, and
 * an app that does not import `keyward/router` pays nothing for it.
 *
 * - React Router (v6.4+ data routers, v7 framework mode): {@link requireAuthLoader} wraps a `loader` or `clientLoader`.
 * - TanStack Router: {@link requireAuthBeforeLoad} is a `beforeLoad`; the token lands in the route context.
 * @packageDocumentation
 */
import { InteractionRequiredError } from '../errors.js';
import type { AccountInfo, AuthClient, AuthenticationResult, InteractiveOptions } from '../types.js';

/** What a guard asks for. */
export interface RouteAuthOptions {
  /** Scopes of the token the route needs. Default: none beyond the OpenID ones (an id_token-backed sign-in). */
  scopes?: readonly string[];
  /**
   * How to sign in when nobody is, or the token needs the person: default `redirect` (the
   * sign-in returns to the route's URL). `popup` needs the navigation to come from a click.
   */
  interaction?: 'redirect' | 'popup';
  /** Whose token: default the active account. */
  account?: AccountInfo;
  /** More options for the interactive sign-in (`prompt`, `loginHint`, `domainHint`, …). */
  signIn?: Omit<Partial<InteractiveOptions>, 'scopes' | 'interaction' | 'redirectStartPage'>;
}

/**
 * Waits for the client to initialize, then returns a token for `scopes`: from the cache or a
 * refresh when someone is signed in, else by an interactive sign-in that comes back to
 * `returnTo`. With `redirect` (the default) the page navigates to the provider and the promise
 * never settles, so the route's loader never runs on this visit; it runs once, after the
 * person is back.
 */
export async function ensureSignedIn(client: AuthClient, returnTo: string, options: RouteAuthOptions = {}): Promise<AuthenticationResult> {
  await client.initialize();
  const scopes = options.scopes ?? [];
  const account = options.account ?? client.getSnapshot().activeAccount;
  if (account) {
    try {
      const cached = await client.acquireTokenSilent(scopes, account);
      if (cached) return cached;
    } catch (error) {
      // The provider wants the person (consent, MFA, an expired session): sign in again; anything else is the route's error.
      if (!(error instanceof InteractionRequiredError)) throw error;
    }
  }
  return client.acquireTokenInteractive({
    ...options.signIn,
    ...(account && options.signIn?.loginHint === undefined && { loginHint: account.username }),
    scopes,
    interaction: options.interaction ?? 'redirect',
    redirectStartPage: returnTo,
  });
}

/** The part of React Router's `LoaderFunctionArgs` / `ClientLoaderFunctionArgs` a guard reads. */
export interface LoaderArgsLike {
  /** The route's request: its URL is where a sign-in returns to; its signal tells a superseded navigation. */
  request: Request;
}

/**
 * Wraps a React Router `loader` (or framework mode `clientLoader`): the wrapped loader runs
 * only once someone is signed in, with the token as `args.auth`. An unauthenticated visit
 * starts a sign-in that returns to the requested URL; a navigation abandoned meanwhile runs
 * no loader.
 *
 * @example
 * ```tsx
 * { path: 'orders', loader: requireAuthLoader(client, async ({ auth }) => fetchOrders(auth.accessToken), { scopes: ['api://orders/read'] }) }
 * ```
 */
export function requireAuthLoader<Args extends LoaderArgsLike, Result>(
  client: AuthClient,
  loader: (args: Args & { auth: AuthenticationResult }) => Result | Promise<Result>,
  options: RouteAuthOptions = {},
): (args: Args) => Promise<Result> {
  return async (args) => {
    const auth = await ensureSignedIn(client, args.request.url, options);
    // React Router aborts the request of a navigation that was superseded (e.g. by keyward's own return to the start page).
    args.request.signal.throwIfAborted();
    return loader({ ...args, auth });
  };
}

/** The part of TanStack Router's `beforeLoad` arguments a guard reads. */
export interface BeforeLoadArgsLike {
  /** The location being loaded; `href` is its path, search and hash (no origin). */
  location: {
    /** Path, search and hash of the location (no origin). */
    href: string;
  };
}

/** What {@link requireAuthBeforeLoad} adds to the route context. */
export interface RouteAuthContext {
  /** The token of the signed-in person for the guard's scopes. */
  auth: AuthenticationResult;
}

/**
 * A TanStack Router `beforeLoad`: resolves `{ auth }` (merged into the route context, so the
 * route's `loader` reads `context.auth.accessToken`) once someone is signed in; otherwise
 * starts a sign-in that returns to the location being loaded, and neither this route's
 * loader nor its children's run.
 *
 * @example
 * ```tsx
 * createRoute({ path: 'orders', beforeLoad: requireAuthBeforeLoad(client, { scopes: ['api://orders/read'] }), loader: ({ context }) => fetchOrders(context.auth.accessToken) })
 * ```
 */
export function requireAuthBeforeLoad(client: AuthClient, options: RouteAuthOptions = {}): (args: BeforeLoadArgsLike) => Promise<RouteAuthContext> {
  return async ({ location }) => {
    const returnTo = new URL(location.href, typeof window === 'undefined' ? 'http://localhost' : window.location.href).href;
    return { auth: await ensureSignedIn(client, returnTo, options) };
  };
}
