import { useSyncExternalStore } from 'react';
import { type AuthSnapshot, initialAuthSnapshot } from '../client/state/authStore.js';
import type { AuthClient } from '../client/authClient.js';

const serverSnapshot = (): AuthSnapshot => initialAuthSnapshot;

/** The client's auth snapshot, through `useSyncExternalStore` (a frozen initial snapshot on the server). */
export function useAuthSnapshot(client: AuthClient): AuthSnapshot {
  return useSyncExternalStore(
    (listener) => client.subscribeSnapshot(listener),
    () => client.getSnapshot(),
    serverSnapshot,
  );
}
