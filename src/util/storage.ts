/**
 * The page's localStorage, or `undefined` where there is none (Node, workers) or where merely
 * touching it throws (opaque origins, sandboxed iframes, storage disabled by the person).
 * Callers still guard each read and write: a full quota throws on `setItem`.
 */
export function localStorageOrUndefined(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
