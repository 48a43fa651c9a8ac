import type { AccountEntity } from '../../cache/entities.js';
import { sessionRenewalAt } from '../../cache/freshness.js';
import { refOf } from '../../cache/fromTokenResponse.js';
import { findRefreshToken } from '../../cache/queries.js';
import { splitScopes } from '../../protocol/scopes.js';
import { nowSeconds } from '../../util/time.js';
import { frameNamePrefix } from '../browser/frameName.js';
import type { ClientContext } from '../context.js';
import { withAccountRenewal } from './renewalLock.js';
import { accountInfoFrom } from '../token/results.js';
import type { AuthEvents } from '../state/authEvents.js';

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); a later deadline is re-checked then. */
const maxDelayMs = 2 ** 31 - 1;

/**
 * The refresh-token deadline of each signed-in account (docs/protocol.md, refresh-token
 * deadline): shortly before it passes, the session is renewed through a hidden iframe
 * (`prompt=none`) when the provider still has one, and `sessionRenewed` is emitted; when that
 * cannot be done, `sessionExpiring` is emitted while the token still works, so the app can ask
 * the person in good time. One tab renews (the refresh lock); the others see the new deadline
 * through the shared cache.
 */
export class SessionDeadlines {
  readonly #ctx: ClientContext;
  readonly #events: AuthEvents;
  /**
   * Per account (`home_account_id|environment`): the deadline its timer is for, and the timer.
   * The entry stays while that deadline's renewal runs and after it, so a cache change meanwhile
   * (the renewal's own write included) or later does not start a second one for the same
   * deadline: one iframe and at most one `sessionExpiring` per deadline. A new deadline replaces it.
   */
  readonly #timers = new Map<string, { expiresOn: number; timer: ReturnType<typeof setTimeout> }>();

  constructor(ctx: ClientContext, events: AuthEvents) {
    this.#ctx = ctx;
    this.#events = events;
  }

  /** Set by {@link stop}: the client is closed, nothing is scheduled any more. */
  #stopped = false;

  /** Re-reads the deadlines from the cache and (re)schedules the renewals. No-op outside a top-level browser page. */
  update(): void {
    if (this.#stopped || typeof window === 'undefined' || typeof document === 'undefined') return;
    // Inside keyward's own hidden frame the opener renews; this page only hands the answer back.
    if (window.name.startsWith(frameNamePrefix)) return;
    const ctx = this.#ctx;
    const data = ctx.cache.read();
    const seen = new Set<string>();
    for (const entity of Object.values(data.Account)) {
      const key = `${entity.home_account_id}|${entity.environment}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const refreshToken = findRefreshToken(data, refOf(entity), ctx.clientId)?.[1];
      const expiresOn = Number(refreshToken?.expires_on);
      const current = this.#timers.get(key);
      if (!refreshToken || !Number.isFinite(expiresOn) || expiresOn <= 0) {
        if (current) clearTimeout(current.timer);
        this.#timers.delete(key);
        continue;
      }
      if (current?.expiresOn === expiresOn) continue;
      if (current) clearTimeout(current.timer);
      const issuedAt = Number(refreshToken.last_modification_time);
      const renewAt = sessionRenewalAt(expiresOn, Number.isFinite(issuedAt) && issuedAt > 0 ? issuedAt : nowSeconds());
      const delay = Math.min(maxDelayMs, Math.max(0, (renewAt - nowSeconds()) * 1000));
      const timer = setTimeout(() => {
        if (nowSeconds() < renewAt - 1) {
          // Woken early (a deadline past setTimeout's range): schedule again.
          this.#timers.delete(key);
          this.update();
        } else void this.#renew(entity, expiresOn);
      }, delay);
      this.#timers.set(key, { expiresOn, timer });
    }
    for (const [key, { timer }] of this.#timers) {
      if (!seen.has(key)) {
        clearTimeout(timer);
        this.#timers.delete(key);
      }
    }
  }

  /** The client closes: every pending renewal timer is cleared (one already running finishes, and schedules nothing). */
  stop(): void {
    this.#stopped = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  async #renew(entity: AccountEntity, expiresOn: number): Promise<void> {
    const ctx = this.#ctx;
    const cache = ctx.cache;
    const deadline = (): number => Number(findRefreshToken(cache.read(), refOf(entity), ctx.clientId)?.[1].expires_on);
    const info = accountInfoFrom(entity, cache.read(), ctx.clientId);
    try {
      const generation = cache.generationOf?.(entity.home_account_id, entity.environment, ctx.clientId);
      await withAccountRenewal(ctx, entity, generation, async (signal) => {
        await cache.sync?.({ homeAccountId: entity.home_account_id, environment: entity.environment });
        // Another tab renewed meanwhile.
        if (deadline() > expiresOn) return;
        // The frame code loads with the first frame sign-in (import(), like every ssoSilent caller).
        const { ssoSilent } = await import('./ssoSilent.js');
        await ssoSilent(ctx, { scopes: scopesOf(ctx, entity), account: info }, { account: entity, signal, ...(generation !== undefined && { generation }) });
      });
    } catch (error) {
      this.#events.emit({ type: 'sessionExpiring', account: info, expiresOn: new Date(expiresOn * 1000), error });
      return;
    }
    const after = deadline();
    const account = accountInfoFrom(entity, cache.read(), ctx.clientId);
    if (after > expiresOn) {
      this.#events.emit({ type: 'sessionRenewed', account, expiresOn: new Date(after * 1000) });
    } else if (Number.isFinite(after)) {
      // The provider answered but issued no longer-lived refresh token: the deadline stands.
      this.#events.emit({ type: 'sessionExpiring', account, expiresOn: new Date(expiresOn * 1000) });
    }
    this.update();
  }
}

/** The scopes of the account's most recent access token: what a renewal (here, or the session monitor's re-check) asks for again. */
export function scopesOf(ctx: ClientContext, entity: AccountEntity): string[] {
  const tokens = Object.values(ctx.cache.read().AccessToken).filter(
    (token) => token.home_account_id === entity.home_account_id && token.environment === entity.environment && token.client_id === ctx.clientId,
  );
  tokens.sort((a, b) => Number(b.cached_at) - Number(a.cached_at));
  return tokens[0] ? splitScopes(tokens[0].target) : [];
}
