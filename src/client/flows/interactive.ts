import { BrowserError, ClientAuthError, ErrorCode } from '../../errors.js';
import { ApiId } from '../../http/telemetry.js';
import { parseAuthResponseUrl } from '../../protocol/authResponse.js';
import { completeAuthCodeFlow, initiateAuthCodeFlow } from './authCode.js';
import type { ClientContext } from '../context.js';
import { assertPushedRequestFresh } from './pushedAuthorization.js';
import { peekPendingRedirect, pendingRedirectScope, savePendingRedirect, takePendingRedirect } from '../browser/pendingFlowStore.js';
import { openPopup, popupNamePrefix } from '../browser/popup.js';
import { frameNamePrefix } from '../browser/frameName.js';
import { randomString } from '../../util/random.js';
import type { AuthenticationResult, InteractiveOptions } from '../../types.js';

export function assertBrowser(api: string): void {
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    throw new BrowserError(ErrorCode.notInBrowser, `${api} needs a browser window; it cannot run during server rendering or in a worker.`);
  }
}

/**
 * Interactive sign-in with PKCE. The popup is opened before the first await so it is not
 * blocked for lack of a user gesture.
 */
export async function acquireTokenInteractive(ctx: ClientContext, options: InteractiveOptions): Promise<AuthenticationResult> {
  assertBrowser('acquireTokenInteractive');
  if (options?.interaction !== 'popup' && options?.interaction !== 'redirect') {
    throw new ClientAuthError(ErrorCode.invalidRequest, '"interaction" must be "popup" or "redirect".');
  }
  if (ctx.interaction.inProgress) {
    throw new BrowserError(
      ErrorCode.interactionInProgress,
      'Another sign-in is already in progress for this app. Wait for it to finish (or for handleRedirectPromise()) before starting one.',
    );
  }
  ctx.interaction.inProgress = true;
  const popup = options.interaction === 'popup' ? tryOpenPopup(ctx) : undefined;
  try {
    const flow = await initiateAuthCodeFlow(ctx, options.scopes, options);
    assertPushedRequestFresh(flow);
    if (options.interaction === 'redirect') {
      savePendingRedirect(redirectScope(ctx), { flow, startPage: options.redirectStartPage ?? location.href });
      await ctx.navigation.navigateExternal(flow.authUri, { reason: 'signIn', noHistory: false });
      // The page is navigating away; this promise intentionally never settles.
      return await new Promise<never>(() => {});
    }
    popup!.location.href = flow.authUri;
    const { monitorPopup } = await import('../browser/popupMonitor.js');
    const responseUrl = await monitorPopup(popup!, flow.redirectUri, ctx.popupTimeout, 'sign-in', flow.state);
    const response = parseAuthResponseUrl(responseUrl);
    if (!response) throw new ClientAuthError(ErrorCode.stateMissing, 'The popup came back without an authorization response.');
    return await completeAuthCodeFlow(ctx, flow, response, undefined, ApiId.acquireTokenInteractive);
  } catch (error) {
    if (popup && !popup.closed) popup.close();
    // A redirect that failed before leaving (provider unreachable, bad options) must not keep
    // the lock, or every later sign-in (a retry) fails with interaction_in_progress.
    ctx.interaction.inProgress = false;
    throw error;
  } finally {
    if (options.interaction === 'popup') ctx.interaction.inProgress = false;
  }
}

function tryOpenPopup(ctx: ClientContext): Window {
  try {
    return openPopup(randomString(8), 'sign-in');
  } catch (error) {
    ctx.interaction.inProgress = false;
    throw error;
  }
}

/** The configured authority, not a per-request override: the page the provider returns to does not know which one was used. */
const redirectScope = (ctx: ClientContext): string => pendingRedirectScope(ctx.clientId, ctx.defaultAuthority.canonical);

/** Response parameters that must not stay in the address bar or history (RFC 9700 4.2, 4.3). */
const responseParams = ['code', 'state', 'session_state', 'iss', 'error', 'error_description', 'error_uri', 'client_info'];

/**
 * Finishes a redirect sign-in on the page the provider sent the person back to.
 * Returns `null` when this page load is not a redirect response for this client: only a
 * response whose `state` is the one of this tab's pending sign-in is ours. Anything else
 * with `code`, `state` or `error` in the URL (an app's own `?state=CA`, another library's
 * response) is left alone: not removed from the URL, not rejected, and the pending sign-in
 * is kept. Such a response is never redeemed either, which is what `state` is for (RFC 6749 10.12).
 */
export async function handleRedirect(ctx: ClientContext): Promise<AuthenticationResult | null> {
  if (typeof window === 'undefined') return null;
  // Inside our own popup the opener reads the response; redeeming it here would burn the code.
  if (window.name.startsWith(popupNamePrefix)) return null;
  // Likewise inside a hidden sign-in frame (ssoSilent): the page that opened it redeems the code.
  if (window.name.startsWith(frameNamePrefix)) return null;
  const response = parseAuthResponseUrl(location.href);
  if (!response) return null;
  // Another client's response (another provider or client id on this page) is not ours: its
  // record is under its own scope, so this client finds no matching state and leaves it.
  const pending = peekPendingRedirect(redirectScope(ctx));
  if (!pending || typeof response.state !== 'string' || response.state === '' || response.state !== pending.flow?.state) {
    ctx.logger.verbose('the page URL has authorization-response parameters that match no sign-in of this client; left alone');
    // Perhaps a popup that Cross-Origin-Opener-Policy severed from its opener (its name is
    // cleared too): offered to the window whose popup flow has this state, if one listens.
    if (typeof response.state === 'string' && response.state !== '') {
      const href = location.href;
      void import('../browser/popupMonitor.js').then(
        (monitor) => monitor.handBackToOpener(response.state as string, href),
        () => ctx.logger.warning('could not load the popup hand-back; a severed popup falls back to its timeout'),
      );
    }
    return null;
  }
  takePendingRedirect(redirectScope(ctx));
  clearResponseFromUrl();
  ctx.interaction.inProgress = true;
  ctx.holdAccounts = returnsToStartPage(ctx, pending.startPage);
  let result: AuthenticationResult;
  try {
    result = await completeAuthCodeFlow(ctx, pending.flow, response, undefined, ApiId.acquireTokenInteractive);
    if (await returnToStartPage(ctx, pending.startPage)) {
      // A new document is loading (the start page, signed in from the cache); settling here
      // would let the app render the redirect page for a moment first.
      return await new Promise<never>(() => {});
    }
  } finally {
    ctx.interaction.inProgress = false;
    ctx.holdAccounts = false;
  }
  return result;
}

/**
 * Goes back to the page the sign-in started on (MSAL.js `navigateToLoginRequestUrl`), after
 * the code is redeemed, so the start page finds the person signed in. Only within this
 * origin: a stored start page never sends the person elsewhere. True when a new document loads.
 */
async function returnToStartPage(ctx: ClientContext, startPage: string | undefined): Promise<boolean> {
  const target = startPageTarget(ctx, startPage);
  if (!target) return false;
  return ctx.navigation.navigateInternal(target, { reason: 'returnToStartPage', noHistory: true });
}

/** True when the sign-in will go back to its start page (another URL of this origin). */
function returnsToStartPage(ctx: ClientContext, startPage: string | undefined): boolean {
  return startPageTarget(ctx, startPage, false) !== undefined;
}

function startPageTarget(ctx: ClientContext, startPage: string | undefined, warn = true): string | undefined {
  if (ctx.options.navigateToLoginRequestUrl === false || typeof startPage !== 'string' || startPage === '') return undefined;
  let target: URL;
  try {
    target = new URL(startPage, location.href);
  } catch {
    return undefined;
  }
  if (target.origin !== location.origin) {
    if (warn) ctx.logger.warning('the redirect start page is not on this origin; staying on the redirect URI page');
    return undefined;
  }
  return target.href === location.href ? undefined : target.href;
}

function clearResponseFromUrl(): void {
  const url = new URL(location.href);
  for (const name of responseParams) url.searchParams.delete(name);
  const hash = new URLSearchParams(url.hash.slice(1));
  if (responseParams.some((name) => hash.has(name))) url.hash = '';
  history.replaceState(history.state, '', url.toString());
}
