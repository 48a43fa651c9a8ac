import { accountGroup } from '../../cache/keys.js';
import { ConfigurationError, ErrorCode, type KeywardError } from '../../errors.js';
import type { AccountInfo } from '../../types.js';
import { readSessionState, sessionStateKey } from '../browser/sessionStateStore.js';
import type { ClientContext } from '../context.js';
import { removeAccount } from './logout.js';
import { findAccount } from '../../cache/queries.js';
import { scopesOf } from './sessionDeadlines.js';
import { withAccountRenewal } from './renewalLock.js';
import { monitorSession } from './sessionMonitor.js';

/** What the facade hands over: its snapshot, its events, and how to tell the app. */
export interface SessionMonitorClient {
  activeAccount(): AccountInfo | null;
  subscribe(listener: () => void): () => void;
  sessionChanged(account: AccountInfo): void;
  warn(error: KeywardError): void;
}

/** oidc-client-ts's default `checkSessionIntervalInSeconds` is 2. */
const defaultCheckIntervalMs = 2000;

/**
 * `monitorSession`: starts the session monitor (client/flows/sessionMonitor.ts, with
 * oidc-client-ts's `CheckSessionIFrame`). This module and that one are one lazy chunk, loaded
 * by the facade once the page has handled its redirect response; never without the option.
 */
export function startSessionMonitor(ctx: ClientContext, client: SessionMonitorClient): Promise<(() => void) | undefined> {
  const option = ctx.options.monitorSession;
  return monitorSession({
    clientId: ctx.clientId,
    logger: ctx.logger,
    checkInterval: (typeof option === 'object' ? option.checkInterval : undefined) ?? defaultCheckIntervalMs,
    checkSessionIframe: async () => (await ctx.resolve()).metadata.checkSessionIframe,
    sessionStateOf: (account) => readSessionState(ctx.clientId, accountGroup(account.homeAccountId, account.environment)),
    storageKey: sessionStateKey(ctx.clientId),
    activeAccount: client.activeAccount,
    subscribe: client.subscribe,
    recheck: (account) => recheck(ctx, account),
    sessionChanged: async (account) => {
      await removeAccount(ctx, account);
      client.sessionChanged(account);
    },
    unavailable: () => {
      ctx.logger.warning('monitorSession is on, but the provider has no check_session_iframe: sessions are not monitored');
      client.warn(
        new ConfigurationError(
          ErrorCode.checkSessionUnavailable,
          '"monitorSession" is on, but the provider advertises no "check_session_iframe" (OpenID Connect Session Management): sessions are not monitored. Entra ID (v2.0) advertises none; turn the option off there.',
        ),
      );
    },
  }).catch((error: unknown) => {
    ctx.logger.warning(`session monitoring did not start: ${(error as { errorCode?: string })?.errorCode ?? 'unknown failure'}`);
    return undefined;
  });
}

/**
 * "changed" from the provider's iframe: is the same person still signed in there? A
 * `prompt=none` sign-in in a hidden iframe for the account (ssoSilent, with the OIDC Core 12.2
 * same-person check of a renewal), which stores its tokens and the new `session_state` when so.
 * What earlier frames showed about this provider no longer holds (its session changed), so the
 * page's memory of it is dropped first and the iframe is really tried.
 */
async function recheck(ctx: ClientContext, account: AccountInfo): Promise<boolean> {
  const cache = await ctx.readyCache();
  const entity = findAccount(cache.read(), account);
  if (!entity) return false;
  const authority = (await ctx.resolve()).authority.canonical;
  ctx.frameSso.delete(authority);
  ctx.interactiveSignIns.delete(authority);
  const generation = cache.generationOf?.(entity.home_account_id, entity.environment, ctx.clientId);
  // A renewal of the account like any other: one at a time across tabs, stopped by a sign-out.
  const result = await withAccountRenewal(ctx, entity, generation, async (signal) => {
    // The frame code loads with the first frame sign-in (import(), like every ssoSilent caller).
    const { ssoSilent } = await import('./ssoSilent.js');
    return ssoSilent(ctx, { scopes: scopesOf(ctx, entity), account }, { account: entity, signal, ...(generation !== undefined && { generation }) });
  });
  return result.account.homeAccountId === account.homeAccountId;
}
