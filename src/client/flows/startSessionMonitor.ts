import { accountGroup } from '../../cache/keys.js';
import { ConfigurationError, ErrorCode, type KeywardError } from '../../errors.js';
import type { AccountInfo } from '../../types.js';
import { readSessionState, sessionStateKey } from '../browser/sessionStateStore.js';
import type { ClientContext } from '../context.js';
import { removeAccount } from './logout.js';

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
 * `monitorSession`: loads the session monitor (client/flows/sessionMonitor.ts, its own chunk with
 * oidc-client-ts's `CheckSessionIFrame`) and starts it. Called once the page has handled its
 * redirect response; never without the option, so nothing is loaded then.
 */
export function startSessionMonitor(ctx: ClientContext, client: SessionMonitorClient): Promise<unknown> {
  const option = ctx.options.monitorSession;
  return import('./sessionMonitor.js')
    .then(({ monitorSession }) =>
      monitorSession({
        clientId: ctx.clientId,
        logger: ctx.logger,
        checkInterval: (typeof option === 'object' ? option.checkInterval : undefined) ?? defaultCheckIntervalMs,
        checkSessionIframe: async () => (await ctx.resolve()).metadata.checkSessionIframe,
        sessionStateOf: (account) => readSessionState(ctx.clientId, accountGroup(account.homeAccountId, account.environment)),
        storageKey: sessionStateKey(ctx.clientId),
        activeAccount: client.activeAccount,
        subscribe: client.subscribe,
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
      }),
    )
    .catch((error: unknown) => ctx.logger.warning(`session monitoring did not start: ${(error as { errorCode?: string })?.errorCode ?? 'load failure'}`));
}
