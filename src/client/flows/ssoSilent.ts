import type { AccountEntity } from '../../cache/entities.js';
import { ClientAuthError, ErrorCode, InteractionRequiredError } from '../../errors.js';
import { ApiId } from '../../http/telemetry.js';
import { parseAuthResponseUrl } from '../../protocol/authResponse.js';
import { requestScopes } from '../../protocol/scopes.js';
import { randomString } from '../../util/random.js';
import { requestKey } from '../../util/requestKey.js';
import { monitorFrame, openFrame, removeFrame } from '../browser/iframe.js';
import type { ClientContext } from '../context.js';
import { completeAuthCodeFlow, initiateAuthCodeFlow } from './authCode.js';
import { assertBrowser } from './interactive.js';
import { assertPushedRequestFresh } from './pushedAuthorization.js';
import type { AccountInfo, AuthenticationResult, SsoSilentRequest } from '../../types.js';

/** What a silent renewal for a known account adds to a request. */
export interface FrameRenewal {
  /** The cached account the answer must belong to (OIDC Core 12.2: the same person). */
  account: AccountEntity;
  /** Its sign-out generation when the renewal started: an answer after a sign-out is not stored. */
  generation?: number;
  /** Aborted by a sign-out of the account (flows/renewalLock.ts): the frame is removed and nothing is redeemed. */
  signal?: AbortSignal;
}

/**
 * Sign-in through a hidden iframe with `prompt=none` (OIDC Core 3.1.2.1; MSAL.js `ssoSilent`,
 * oidc-client-ts `signinSilent`): the same PKCE, state, nonce, RFC 9207 `iss` and id_token
 * checks as an interactive sign-in, through the same code (`initiateAuthCodeFlow`,
 * `completeAuthCodeFlow`), and stored the same way. Concurrent identical calls share one iframe.
 * The provider's "ask the person" answers come back as {@link InteractionRequiredError}.
 */
export async function ssoSilent(ctx: ClientContext, request: SsoSilentRequest, renewal?: FrameRenewal): Promise<AuthenticationResult> {
  assertBrowser('ssoSilent');
  if (!request || !Array.isArray(request.scopes)) throw new ClientAuthError(ErrorCode.invalidRequest, 'ssoSilent needs { scopes }.');
  const resolved = await ctx.resolve(request.authority);
  const authority = resolved.authority.canonical;
  const known = ctx.frameSso.get(authority);
  if (known) {
    throw new InteractionRequiredError(
      ErrorCode.frameSsoUnavailable,
      known === 'blocked'
        ? 'Silent sign-in in a hidden iframe failed for this provider although this page signed in there: its session ended, or its cookies are blocked in frames (third-party cookies). Sign in interactively; a same-site provider domain avoids the cookie block.'
        : 'The provider had no session visible to a hidden iframe earlier on this page: sign in interactively.',
    );
  }
  const hints = hintsFor(request);
  const sentScopes = requestScopes(request.scopes, ctx.options.excludeScopes);
  const key = requestKey({
    scopes: sentScopes,
    clientId: ctx.clientId,
    authority,
    ...(request.account && { account: request.account }),
    ...(request.claimsChallenge !== undefined && { claims: request.claimsChallenge }),
    ...(request.authScheme && { authScheme: request.authScheme }),
    grantType: 'prompt=none',
    extra: JSON.stringify([hints.loginHint ?? '', hints.sid ?? '', request.domainHint ?? '', request.redirectUri ?? '', renewal?.generation ?? '']),
  });
  return ctx.frameFlights.run(key, () => runFrame(ctx, request, hints, authority, renewal));
}

/** `login_hint` / `sid` from the request, else from the account (MSAL.js prefers the id_token's `sid`, then `login_hint`, then the username). */
function hintsFor(request: SsoSilentRequest): { loginHint?: string; sid?: string } {
  if (request.loginHint !== undefined || request.sid !== undefined) {
    return { ...(request.loginHint !== undefined && { loginHint: request.loginHint }), ...(request.sid !== undefined && { sid: request.sid }) };
  }
  return request.account ? accountHints(request.account) : {};
}

function accountHints(account: AccountInfo): { loginHint?: string; sid?: string } {
  const claims = account.idTokenClaims;
  if (typeof claims?.sid === 'string' && claims.sid !== '') return { sid: claims.sid };
  if (typeof claims?.login_hint === 'string' && claims.login_hint !== '') return { loginHint: claims.login_hint };
  return account.username ? { loginHint: account.username } : {};
}

async function runFrame(
  ctx: ClientContext,
  request: SsoSilentRequest,
  hints: { loginHint?: string; sid?: string },
  authority: string,
  renewal: FrameRenewal | undefined,
): Promise<AuthenticationResult> {
  const flow = await initiateAuthCodeFlow(
    ctx,
    request.scopes,
    {
      prompt: 'none',
      ...(hints.loginHint !== undefined && { loginHint: hints.loginHint }),
      ...(request.domainHint !== undefined && { domainHint: request.domainHint }),
      ...(request.claimsChallenge !== undefined && { claimsChallenge: request.claimsChallenge }),
      ...(request.authScheme && { authScheme: request.authScheme }),
      ...(request.authority !== undefined && { authority: request.authority }),
      ...(request.redirectUri !== undefined && { redirectUri: request.redirectUri }),
    },
    hints.sid !== undefined ? { sid: hints.sid } : {},
  );
  assertPushedRequestFresh(flow);
  const frame = openFrame(flow.authUri, randomString(8));
  let responseUrl: string;
  try {
    responseUrl = await untilAborted(monitorFrame(frame, flow.redirectUri, ctx.iframeTimeout), renewal?.signal);
  } finally {
    removeFrame(frame);
  }
  const response = parseAuthResponseUrl(responseUrl);
  if (!response) throw new ClientAuthError(ErrorCode.stateMissing, 'The hidden sign-in frame came back without an authorization response.');
  try {
    return await completeAuthCodeFlow(ctx, flow, response, undefined, ApiId.acquireTokenSilent, {}, renewal);
  } catch (error) {
    // Only a validated answer (state and iss checked) may teach us anything about the provider.
    if (error instanceof InteractionRequiredError && error.errorCode === ErrorCode.loginRequired) {
      ctx.frameSso.set(authority, ctx.interactiveSignIns.has(authority) ? 'blocked' : 'noSession');
    }
    throw error;
  }
}

/** `wait`, or an `aborted` error as soon as `signal` is aborted (a sign-out of the account being renewed). */
function untilAborted<T>(wait: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return wait;
  const aborted = (): ClientAuthError => new ClientAuthError(ErrorCode.aborted, 'The silent sign-in was aborted by a sign-out.');
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
