import { useSyncExternalStore } from 'react';
import { Subscribable } from '../util/subscribable.js';
import type { AuthClient } from '../types.js';

/**
 * How many times `retry()` was called for a client: `RequireAuth` starts its sign-in again when
 * it changes. Kept per client (not per hook) so a retry button anywhere reaches every guard.
 */
class RetryCount extends Subscribable {
  value = 0;
  bump(): void {
    this.value++;
    this.notify();
  }
}

const counts = new WeakMap<AuthClient, RetryCount>();

function countOf(client: AuthClient): RetryCount {
  let count = counts.get(client);
  if (!count) {
    count = new RetryCount();
    counts.set(client, count);
  }
  return count;
}

/** Tries again what failed: initialization (when it failed) and every `RequireAuth`'s sign-in. */
export function retryAuth(client: AuthClient): Promise<void> {
  countOf(client).bump();
  // After a failed start-up the core runs initialization again; after a success this is the settled promise.
  return client.initialize();
}

/** The client's retry count, re-rendering when `retryAuth` is called. */
export function useRetryCount(client: AuthClient): number {
  const count = countOf(client);
  return useSyncExternalStore(
    count.subscribe,
    () => count.value,
    () => 0,
  );
}
