/**
 * Every navigation keyward makes goes through a {@link NavigationClient}: to the provider
 * (sign-in, sign-out) and back to the page a redirect sign-in started on. The shape is MSAL.js's
 * `INavigationClient` (msal-browser `navigation/INavigationClient.ts`), so a router adapter
 * written for MSAL fits.
 */

/** Why keyward navigates, and how. */
export interface NavigationOptions {
  /** `signIn` and `signOut` go to the provider; `returnToStartPage` goes back to where a redirect sign-in started. */
  reason: 'signIn' | 'signOut' | 'returnToStartPage';
  /** True when the current entry should be replaced rather than a new history entry added (`location.replace`, a router's `replace: true`). */
  noHistory: boolean;
}

/**
 * Performs keyward's navigations: pass one as the `navigationClient` option (or through
 * `setNavigationClient`) to let the app's router make the in-app ones without a page load.
 */
export interface NavigationClient {
  /**
   * Goes to a page of this app (same origin). Resolve `false` when the navigation did not load
   * a new document (a router's client-side navigation), `true` when the page is being replaced.
   * Resolve as soon as the navigation has started: keyward awaits this promise before its own
   * `initialize()` settles, so waiting here for a route whose loader waits on keyward would deadlock.
   */
  navigateInternal(url: string, options: NavigationOptions): Promise<boolean>;
  /** Goes to the provider (authorization or end-session endpoint). The page is expected to unload. */
  navigateExternal(url: string, options: NavigationOptions): Promise<boolean>;
}

/** True when going to `url` stays in this document (only the fragment differs), as the HTML navigation algorithm decides. */
function staysInDocument(url: string): boolean {
  const target = new URL(url, location.href);
  const here = new URL(location.href);
  if (target.hash === '') return false;
  target.hash = '';
  here.hash = '';
  return target.href === here.href;
}

/** The default: `location.assign`, or `location.replace` when `noHistory` (MSAL's `NavigationClient.defaultNavigateWindow`). */
export const browserNavigationClient: NavigationClient = {
  navigateInternal: (url, options) => navigateWindow(url, options),
  navigateExternal: (url, options) => navigateWindow(url, options),
};

function navigateWindow(url: string, { noHistory }: NavigationOptions): Promise<boolean> {
  const loadsDocument = !staysInDocument(url);
  if (noHistory) window.location.replace(url);
  else window.location.assign(url);
  return Promise.resolve(loadsDocument);
}
