import { Subscribable } from '../../util/subscribable.js';
import type { AccountInfo, AuthSnapshot } from '../../types.js';

/** The snapshot before anything is known; also the server-rendering snapshot. */
export const initialAuthSnapshot: AuthSnapshot = Object.freeze({
  status: 'initializing',
  accounts: Object.freeze([]) as readonly AccountInfo[],
  activeAccount: null,
  error: null,
});

/**
 * The observable auth state of one client (TanStack Query's `subscribable` idea): one
 * snapshot, replaced only when a field really changed, so `useSyncExternalStore` readers
 * re-render only then.
 */
export class AuthStore extends Subscribable {
  #snapshot: AuthSnapshot = initialAuthSnapshot;
  #chosen: { homeAccountId: string; environment: string } | null = null;
  #interactions = 0;
  #initialized = false;
  #error: Error | null = null;

  getSnapshot = (): AuthSnapshot => this.#snapshot;

  setAccounts(accounts: readonly AccountInfo[]): void {
    // Same accounts (by content) keep the same array, so selectors stay referentially stable.
    const same = JSON.stringify(accounts) === JSON.stringify(this.#snapshot.accounts);
    this.#publish({ accounts: same ? this.#snapshot.accounts : Object.freeze([...accounts]) });
  }

  setActive(account: AccountInfo | null): void {
    this.#chosen = account ? { homeAccountId: account.homeAccountId, environment: account.environment } : null;
    this.#publish({});
  }

  markInitialized(): void {
    this.#initialized = true;
    this.#publish({});
  }

  /** Records the last initialization or sign-in failure (`null` clears it). Non-`Error` values are wrapped. */
  setError(error: unknown): void {
    this.#error = error == null ? null : error instanceof Error ? error : new Error(String(error));
    this.#publish({});
  }

  beginInteraction(): void {
    this.#interactions++;
    this.#error = null;
    this.#publish({});
  }

  endInteraction(): void {
    this.#interactions = Math.max(0, this.#interactions - 1);
    this.#publish({});
  }

  #publish(change: Partial<AuthSnapshot>): void {
    const accounts = change.accounts ?? this.#snapshot.accounts;
    const chosen = this.#chosen && accounts.find((a) => a.homeAccountId === this.#chosen!.homeAccountId && a.environment === this.#chosen!.environment);
    const activeAccount = chosen ?? accounts[0] ?? null;
    // `initializing` wins: while a redirect response is being redeemed nobody can yet say who is
    // signed in, and guards that rendered signed-out content then would flash it.
    const status = !this.#initialized ? 'initializing' : this.#interactions > 0 ? 'interacting' : 'idle';
    const previous = this.#snapshot;
    const error = this.#error;
    if (previous.accounts === accounts && previous.activeAccount === activeAccount && previous.status === status && previous.error === error) return;
    this.#snapshot = Object.freeze({ status, accounts, activeAccount, error });
    this.notify();
  }
}
