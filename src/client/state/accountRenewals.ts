import { accountGroup } from '../../cache/keys.js';
import type { TokenCache } from '../../cache/tokenCache.js';

interface Renewal {
  controller: AbortController;
  homeAccountId: string;
  environment: string;
  /** The sign-out generation of the client's part of the account when the renewal started (`TokenCache.generationOf` with the client id). */
  generation: number | undefined;
}

/**
 * The silent renewals (refresh-token grants, hidden-iframe sign-ins) of each account in flight
 * in this page, so that a sign-out stops them instead of waiting for their answers: one started
 * here is aborted by {@link abort}; one whose account another tab signed out is aborted when
 * that tab's raised generation arrives ({@link checkGenerations}, on every cache change).
 * The generation check inside the cache's write transaction stays the guarantee; aborting
 * only ends the wait early (docs/protocol.md, sign-out wins).
 */
export class AccountRenewals {
  readonly #active = new Map<string, Set<Renewal>>();

  /** Registers a renewal of one account; call `done` when it settles. */
  start(homeAccountId: string, environment: string, generation: number | undefined): { signal: AbortSignal; done: () => void } {
    const group = accountGroup(homeAccountId, environment);
    const renewal: Renewal = { controller: new AbortController(), homeAccountId, environment, generation };
    const set = this.#active.get(group) ?? new Set<Renewal>();
    this.#active.set(group, set);
    set.add(renewal);
    return {
      signal: renewal.controller.signal,
      done: () => {
        set.delete(renewal);
        if (set.size === 0 && this.#active.get(group) === set) this.#active.delete(group);
      },
    };
  }

  /** Aborts every renewal of one account in flight in this page. */
  abort(homeAccountId: string, environment: string): void {
    for (const renewal of this.#active.get(accountGroup(homeAccountId, environment)) ?? []) renewal.controller.abort();
  }

  /** Aborts the renewals of every account whose generation moved for `clientId` (a sign-out of it or of this client's part, here or in another tab). */
  checkGenerations(cache: TokenCache, clientId: string): void {
    if (this.#active.size === 0 || !cache.generationOf) return;
    for (const set of this.#active.values()) {
      for (const renewal of set) {
        if (renewal.generation !== undefined && cache.generationOf(renewal.homeAccountId, renewal.environment, clientId) !== renewal.generation) {
          renewal.controller.abort();
        }
      }
    }
  }
}
