import { decodeJwt } from 'jose';
import type { CacheChange } from '../../cache/tokenCache.js';
import { credentialHolders, credentialKeysOf } from '../../cache/queries.js';
import { randomString } from '../../util/random.js';
import type { ClientContext } from '../context.js';
import { accountGroup, clientGroupKey } from '../../cache/keys.js';
import { assertBrowser } from './interactive.js';
import { openPopup } from '../browser/popup.js';
import type { AccountInfo, LogoutOptions } from '../../types.js';
import { ErrorCode, type KeywardError, ServerError } from '../../errors.js';
import { dropSessionState } from '../browser/sessionStateStore.js';
import { signOutBarrier } from './renewalLock.js';
import { clientAccountsFrom } from '../token/results.js';

/**
 * Removes an account (every tenant profile of it in that environment) and all its tokens of
 * this client. When another client of the same provider (another client id sharing the cache)
 * still holds tokens for the person, only this client's tokens go: the Account entity is
 * shared (MSAL's unified schema has no client id on it) and the other client stays signed in.
 */
export async function removeAccount(ctx: ClientContext, account: AccountInfo): Promise<void> {
  const cache = await ctx.readyCache();
  // This page's renewals of the account stop now rather than after their answers (docs/protocol.md, sign-out wins).
  ctx.renewals.abort(account.homeAccountId, account.environment);
  // Id tokens are read with the accounts (every cache loads them): enough to see another client's sign-in.
  const holders = credentialHolders(cache.read(), account.homeAccountId, account.environment);
  holders.delete(ctx.clientId);
  if (holders.size > 0) {
    // Not a group sign-out: that would remove the other client's tokens and raise the
    // generation its own requests in flight were started under. This client's part is
    // retired instead: its tokens go and its own generation goes up (in storage, for every
    // tab), so an answer on the wire for this client, here or in another tab, is discarded
    // while the other client's are not. Its refresh and access tokens are unsealed first
    // where the cache reads them lazily, so all are removed.
    const group = accountGroup(account.homeAccountId, account.environment);
    const mine = (): ReturnType<typeof credentialKeysOf> => credentialKeysOf(cache.read(), account.homeAccountId, account.environment, ctx.clientId);
    await cache.openAccount?.(account.homeAccountId, account.environment);
    await cache.apply({ remove: mine(), retire: [clientGroupKey(group, ctx.clientId)] });
    await signOutBarrier(ctx, { home_account_id: account.homeAccountId, environment: account.environment });
    // A renewal in another tab that wrote between this tab's read and the retirement was not
    // refused (it came first) and is not in the keys removed above: once the barrier has seen
    // the renewals end, storage is read again and whatever of this client's is there goes too.
    await cache.sync?.({ homeAccountId: account.homeAccountId, environment: account.environment });
    const left = mine();
    if (Object.values(left).some((keys) => keys.length)) await cache.apply({ remove: left });
    dropSessionState(ctx.clientId, group);
    return;
  }
  const keys = credentialKeysOf(cache.read(), account.homeAccountId, account.environment);
  // The sign-out raises the account's generation (in storage, for every tab): an answer still
  // on the wire for it, here or in another tab, is discarded when it arrives instead of
  // signing the account back in, and the other tabs abort their renewals of it on receipt.
  // Its tokens not yet unsealed here go with it (one key range).
  const change: CacheChange = { remove: keys, signOut: [accountGroup(account.homeAccountId, account.environment)] };
  await cache.apply(change);
  await signOutBarrier(ctx, { home_account_id: account.homeAccountId, environment: account.environment });
  dropSessionState(ctx.clientId, accountGroup(account.homeAccountId, account.environment));
  // Keys are rotated once nobody is signed in: tokens bound to the old keys go with the accounts.
  if (Object.keys(cache.read().Account).length === 0) await ctx.keys.rotate();
}

/**
 * Starts revoking the tokens of `accounts` at sign-out, once their secrets are read; `done`
 * is the revocation itself, which never rejects. Everything of RFC 7009 (reading the secrets,
 * the requests, the answer checks) loads only for a provider that advertises a
 * `revocation_endpoint`: Entra ID advertises none, so an Entra app never downloads it.
 * Metadata that cannot be had leaves it to `revokeTokens`, which reports the failure.
 */
async function startRevocation(ctx: ClientContext, accounts: readonly AccountInfo[], warn: (error: KeywardError) => void): Promise<{ done: Promise<void> }> {
  const types = ctx.options.revokeTokenTypes ?? ['refresh_token'];
  const endpoint = await ctx.resolve().then(
    (resolved) => resolved.metadata.revocationEndpoint ?? null,
    () => undefined,
  );
  if (endpoint === null) ctx.logger.verbose('the provider has no revocation_endpoint (Entra ID has none): nothing revoked at sign-out');
  if (types.length === 0 || endpoint === null) return { done: Promise.resolve() };
  let revoke: typeof import('./revoke.js');
  try {
    revoke = await import('./revoke.js');
  } catch (error) {
    ctx.logger.warning('revocation failed: its code did not load');
    warn(
      new ServerError(ErrorCode.revocationFailed, 'Revocation failed (its code did not load); signed out here anyway. The token may work until it expires.', {
        cause: error,
      }),
    );
    return { done: Promise.resolve() };
  }
  const tokens = await revoke.tokensToRevoke(ctx, accounts).catch(() => []); // unreadable secrets: nothing to revoke
  return { done: revoke.revokeTokens(ctx, tokens, warn) };
}

/**
 * Signs out: forgets the account's tokens (so a failed provider round trip still leaves
 * nobody signed in here) while revoking them at the provider's `revocation_endpoint`
 * (RFC 7009; `revokeTokenTypes`), then ends the provider session through
 * `end_session_endpoint` when the provider has one (OIDC RP-Initiated Logout). A failed
 * revocation goes to `warn` and does not stop the sign-out. The revocation is awaited before
 * the page navigates away: a navigation would cancel the request.
 */
export async function logout(ctx: ClientContext, options: LogoutOptions = {}, warn: (error: KeywardError) => void = () => {}): Promise<void> {
  const interaction = options.interaction ?? 'redirect';
  if (interaction !== 'none') assertBrowser('logout');
  const popup = interaction === 'popup' ? openPopup(randomString(8), 'sign-out') : undefined;
  try {
    const cache = await ctx.readyCache();
    // Without an account: every account of this client, never another client's on the same page.
    const accounts = options.account ? [options.account] : clientAccountsFrom(cache.read(), ctx);
    const hint = options.account ? sessionHint(ctx, options.account) : undefined;
    // The secrets are read first; the revocation then runs while the cache forgets them.
    const revoking = (await startRevocation(ctx, accounts, warn)).done;
    try {
      for (const account of accounts) await removeAccount(ctx, account as AccountInfo);
    } finally {
      await revoking;
    }
    if (interaction === 'none') return; // the provider session stays
    const { metadata } = await ctx.resolve();
    if (!metadata.endSessionEndpoint) {
      popup?.close();
      return;
    }
    const url = new URL(metadata.endSessionEndpoint);
    const postLogout =
      options.postLogoutRedirectUri ?? ctx.options.postLogoutRedirectUri ?? ctx.options.redirectUri ?? `${location.origin}${location.pathname}`;
    url.searchParams.set('client_id', ctx.clientId);
    url.searchParams.set('post_logout_redirect_uri', postLogout);
    const state = randomString(16);
    url.searchParams.set('state', state);
    if (hint) url.searchParams.set(hint.name, hint.value);
    if (popup) {
      popup.location.href = url.toString();
      const { monitorPopup } = await import('../browser/popupMonitor.js');
      // With the state, a popup that Cross-Origin-Opener-Policy severed is heard on the hand-back
      // channel: the post-logout page (this app) offers its `?state=` URL there, as a sign-in's does.
      await monitorPopup(popup, postLogout, ctx.popupTimeout, 'sign-out', state);
      return;
    }
    await ctx.navigation.navigateExternal(url.toString(), { reason: 'signOut', noHistory: false });
    await new Promise<never>(() => {});
  } catch (error) {
    if (popup && !popup.closed) popup.close();
    throw error;
  }
}

/**
 * Which account to sign out, told to the provider in the least it accepts. Entra ID and
 * CIAM take `logout_hint`, the id_token's `login_hint` claim (an opaque value; Entra sends
 * it when the app asks for the optional claim), as MSAL.js does (`StandardInteractionClient
 * .getLogoutHintFromIdTokenClaims`); without that claim they get no hint and Entra lets the
 * person pick the account. B2C, ADFS and generic OpenID providers take only `id_token_hint`
 * (OIDC RP-Initiated Logout 1.0 section 2), so they get the stored id_token. The id_token is never
 * put into an Entra or CIAM URL: a URL ends up in history, logs and Referer headers.
 */
function sessionHint(ctx: ClientContext, account: AccountInfo): { name: 'logout_hint' | 'id_token_hint'; value: string } | undefined {
  const token = Object.values(ctx.cache.read().IdToken).find(
    (t) => t.home_account_id === account.homeAccountId && t.environment === account.environment && t.client_id === ctx.clientId,
  );
  const kind = ctx.defaultAuthority.kind;
  if (kind === 'aad' || kind === 'ciam') {
    const claims = account.idTokenClaims ?? (token?.secret ? safeClaims(token.secret) : undefined);
    const loginHint = claims?.login_hint;
    return typeof loginHint === 'string' && loginHint !== '' ? { name: 'logout_hint', value: loginHint } : undefined;
  }
  return token?.secret ? { name: 'id_token_hint', value: token.secret } : undefined;
}

function safeClaims(idToken: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(idToken);
  } catch {
    return undefined;
  }
}
