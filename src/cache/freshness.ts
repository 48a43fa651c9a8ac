import { CacheOutcome, type CacheOutcomeValue } from '../http/telemetry.js';

/**
 * When a cached access token is stale: the one rule for the core, keyward/server and the
 * React hooks.
 */

/** Access tokens are renewed this long before they expire (msal-common `DEFAULT_TOKEN_RENEWAL_OFFSET_SEC`). */
export const renewalOffsetSeconds = 300;

/** A token cached further in the future than this means the clock was turned back (msal-common discards it). */
const futureToleranceSeconds = 60;

/**
 * - `fresh`: serve it;
 * - `refreshDue`: still valid, but the provider asked for a proactive refresh (`refresh_in`);
 * - `expired`: within {@link renewalOffsetSeconds} of expiry, or past it;
 * - `futureDated`: cached "in the future" (the clock was turned back), so its expiry cannot be trusted.
 */
export type Freshness = 'fresh' | 'refreshDue' | 'expired' | 'futureDated';

/** The freshness of a cache entry's epoch-second strings (`cached_at`, `expires_on`, `refresh_on`) at `now` (epoch seconds). */
export function freshness(token: { cached_at: string; expires_on: string; refresh_on?: string | undefined }, now: number): Freshness {
  if (Number(token.cached_at) > now + futureToleranceSeconds) return 'futureDated';
  if (Number(token.expires_on) - renewalOffsetSeconds <= now) return 'expired';
  if (token.refresh_on !== undefined && Number(token.refresh_on) <= now) return 'refreshDue';
  return 'fresh';
}

/** When (epoch ms) a token that expires at `expiresOn` becomes stale: when a subscriber should ask again. */
export function staleAt(expiresOn: Date): number {
  return expiresOn.getTime() - renewalOffsetSeconds * 1000;
}

/** A freshness as the telemetry cache outcome (docs/protocol.md A8), with the token when it can be served. */
export function outcomeOf<T>(state: Freshness, token: T): { token?: T; outcome: CacheOutcomeValue } {
  if (state === 'fresh') return { token, outcome: CacheOutcome.notApplicable };
  return { outcome: state === 'refreshDue' ? CacheOutcome.proactiveRefresh : CacheOutcome.expired };
}

/**
 * A refresh token is treated as expired this long before its recorded deadline, so a request
 * in flight does not reach the provider just after it (msal-common's refresh-token
 * expiration offset works the same way).
 */
export const refreshTokenExpiryOffsetSeconds = 5;

/** True when a refresh token with `expires_on` (epoch seconds, if known) can no longer be used at `now`. */
export function refreshTokenExpired(token: { expires_on?: string | undefined }, now: number): boolean {
  if (token.expires_on === undefined) return false;
  const expiresOn = Number(token.expires_on);
  return Number.isFinite(expiresOn) && expiresOn - refreshTokenExpiryOffsetSeconds <= now;
}

/**
 * When (epoch seconds) keyward renews a session whose refresh token ends at `expiresOn` and
 * was issued at `issuedAt`: five minutes before, or a quarter of its life before when that
 * is shorter (a short-lived token still gets renewed in time).
 */
export function sessionRenewalAt(expiresOn: number, issuedAt: number): number {
  const lead = Math.min(renewalOffsetSeconds, Math.max(1, (expiresOn - issuedAt) / 4));
  return expiresOn - lead;
}
