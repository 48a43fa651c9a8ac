import { requestKey } from '../util/requestKey.js';
import { ErrorCode, InteractionRequiredError, ServerError } from '../errors.js';

interface Entry {
  until: number;
  error: ServerError;
  homeAccountId: string | undefined;
}

/** MSAL's bounds: a missing or zero `Retry-After` means 60 s; never more than an hour. */
const defaultWindowSeconds = 60;
const maxWindowSeconds = 3600;
/** How long a silent request that needed interaction is answered from memory instead of the network. */
const interactionWindowSeconds = 60;

/**
 * Remembers server refusals so the same request is not sent again too soon
 * (msal-common `ThrottlingUtils`; docs/protocol.md A9): after a 429 or 5xx the identical request
 * fails fast with `throttled` until `Retry-After` passes, and a silent request that needed
 * interaction is answered with the same error for a minute instead of looping.
 * A successful token for an account clears that account's entries.
 */
export class Throttle {
  readonly #entries = new Map<string, Entry>();

  /** Throws when `key` is inside a throttle window. */
  check(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    const remainingMs = entry.until - Date.now();
    if (remainingMs <= 0) {
      this.#entries.delete(key);
      return;
    }
    if (entry.error instanceof InteractionRequiredError) throw entry.error;
    const seconds = Math.ceil(remainingMs / 1000);
    throw new ServerError(
      ErrorCode.throttled,
      `The provider asked to wait before repeating this request (HTTP ${entry.error.status ?? '?'}): not sent. Try again in ${seconds} s.`,
      {
        retryAfter: seconds,
        status: entry.error.status,
        errorDescription: entry.error.errorDescription,
        correlationId: entry.error.correlationId,
        cause: entry.error,
      },
    );
  }

  /** Records a failed request when the failure calls for a throttle window. */
  record(key: string, error: unknown, homeAccountId: string | undefined, silent: boolean): void {
    if (!(error instanceof ServerError)) return;
    const status = error.status ?? 0;
    let seconds: number | undefined;
    // A 5xx without Retry-After is usually transient: the next attempt may go through. (MSAL throttles it 60 s anyway.)
    if (status === 429 || (status >= 400 && error.retryAfter !== undefined && !(error instanceof InteractionRequiredError))) {
      seconds = Math.min(error.retryAfter && error.retryAfter > 0 ? error.retryAfter : defaultWindowSeconds, maxWindowSeconds);
    } else if (silent && error instanceof InteractionRequiredError) {
      seconds = interactionWindowSeconds;
    }
    if (seconds !== undefined) this.#entries.set(key, { until: Date.now() + seconds * 1000, error, homeAccountId });
  }

  /** Forgets the windows of an account after it got a token (e.g. after interactive sign-in). */
  clearAccount(homeAccountId: string): void {
    for (const [key, entry] of this.#entries) if (entry.homeAccountId === homeAccountId) this.#entries.delete(key);
  }
}

/** The identity of a token request for throttling: MSAL's request thumbprint, as the one {@link requestKey}. */
export function throttleKey(parts: {
  clientId: string;
  authority: string;
  grantType: string;
  scopes: readonly string[];
  homeAccountId?: string;
  claims?: string;
}): string {
  return requestKey({
    scopes: parts.scopes,
    clientId: parts.clientId,
    authority: parts.authority,
    grantType: parts.grantType,
    account: parts.homeAccountId === undefined ? null : { homeAccountId: parts.homeAccountId },
    ...(parts.claims !== undefined && { claims: parts.claims }),
  });
}
