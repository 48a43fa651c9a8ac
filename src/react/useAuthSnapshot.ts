import { useSyncExternalStore } from 'react';
import { initialAuthSnapshot } from '../client/state/authStore.js';
import type { AuthSnapshot, AuthClient } from '../types.js';

const serverSnapshot = (): AuthSnapshot => initialAuthSnapshot;

/** The client's auth snapshot, through `useSyncExternalStore` (a frozen initial snapshot on the server). */
export function useAuthSnapshot(client: AuthClient): AuthSnapshot {
  return useSyncExternalStore(
    (listener) => client.subscribeSnapshot(listener),
    () => client.getSnapshot(),
    serverSnapshot,
  );
}
