import type { AccountEntity } from '../../cache/entities.js';
import { withCrossTabLock } from '../../cache/crossTabLock.js';
import { signedOutError } from '../../cache/tokenCache.js';
import type { ClientContext } from '../context.js';

type AccountRef = Pick<AccountEntity, 'home_account_id' | 'environment'>;

/** The lock every renewal of one account takes, in every tab: refresh-token grants, iframe fallbacks, deadline renewals, and sign-outs. */
export function refreshLockName(ctx: ClientContext, account: AccountRef): string {
  return `keyward.refresh|${ctx.clientId}|${account.home_account_id}|${account.environment}`;
}

/**
 * Runs one renewal of `account` under the account's cross-tab lock (a refresh token rotates:
 * two tabs redeeming it at once would be a replay that revokes the grant, RFC 9700 4.14.2).
 * `generation` is the account's sign-out generation when the caller started: a sign-out since
 * then, seen on getting the lock or while the renewal runs (here or in another tab), stops it
 * with `account_signed_out` and its answer is never stored (docs/protocol.md, sign-out wins).
 * `task` gets the signal a sign-out aborts; it passes it to the token request.
 */
export async function withAccountRenewal<T>(
  ctx: ClientContext,
  account: AccountRef,
  generation: number | undefined,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const flight = ctx.renewals.start(account.home_account_id, account.environment, generation);
  try {
    return await withCrossTabLock(refreshLockName(ctx, account), async () => {
      const now = ctx.cache.generationOf?.(account.home_account_id, account.environment, ctx.clientId);
      if (flight.signal.aborted || (generation !== undefined && now !== generation)) throw signedOutError();
      return await task(flight.signal);
    });
  } catch (error) {
    if (flight.signal.aborted) throw signedOutError();
    throw error;
  } finally {
    flight.done();
  }
}

/** How long a sign-out waits for a renewal still holding the account's lock (see {@link signOutBarrier}). */
export const signOutBarrierTiming = { maxWaitMs: 5_000 };

/**
 * A sign-out's side of the lock, after its tombstone is applied: this page's renewals of the
 * account were aborted before, other tabs abort theirs when the raised generation reaches them,
 * and taking the lock once waits until whatever renewal still held it has ended, so the
 * sign-out resolves with no renewal of the account running in any tab (a revocation after it
 * does not race a rotation). The tombstone, checked inside every write's transaction, is
 * what guarantees nothing comes back; the wait is bounded so that a sign-out called from
 * inside a renewal (an app's event listener) cannot deadlock on the lock its caller holds.
 */
export async function signOutBarrier(ctx: ClientContext, account: AccountRef): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, signOutBarrierTiming.maxWaitMs);
  });
  try {
    await Promise.race([withCrossTabLock(refreshLockName(ctx, account), () => Promise.resolve()), bound]);
  } finally {
    clearTimeout(timer);
  }
}
