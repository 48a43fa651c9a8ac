import { createStore, del, type UseStore } from 'idb-keyval';
// Type only: keyStore.ts (the signing side) is loaded lazily; this module is not.
import type { PopKeyPurpose } from './keyStore.js';

let database: UseStore | null | undefined;

/**
 * The IndexedDB store the proof-of-possession keys live in, or `undefined` where IndexedDB is
 * missing (the keys then live for the page only). A database of its own: idb-keyval cannot add a
 * store to the token cache's database.
 */
export function popKeyDatabase(): UseStore | undefined {
  database ??= typeof indexedDB === 'undefined' || indexedDB === null ? null : createStore('keyward-keys', 'keys');
  return database ?? undefined;
}

/** The slot of one client's key for one purpose. */
export function popKeySlot(purpose: PopKeyPurpose, clientId: string): string {
  return `${purpose}|${clientId}`;
}

/**
 * Deletes a client's stored keys. Here, apart from the key store, so that a sign-out in an app
 * that never asked for a bound token deletes keys a previous page created without loading the
 * signing code (pop/popKeys.ts).
 */
export async function deletePopKeys(clientId: string): Promise<void> {
  const store = popKeyDatabase();
  if (store) await Promise.all((['pop', 'dpop'] as const).map((purpose) => del(popKeySlot(purpose, clientId), store).catch(() => undefined)));
}
