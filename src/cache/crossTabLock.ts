import { localStorageOrUndefined } from '../util/storage.js';

/**
 * Runs `task` while holding a lock named `name` across every tab of the origin, so only one
 * tab redeems a refresh token at a time: providers rotate refresh tokens and revoke the
 * whole grant when an old one is replayed (RFC 9700 4.14.2).
 *
 * With the Web Locks API (every current browser) the lock is exact. Without it, a lease in
 * localStorage is used: a tab writes `{owner, expires}`, reads it back after a pause long
 * enough for other tabs' writes to arrive (localStorage is shared between processes
 * asynchronously), and proceeds only if it still owns it, twice. While the task runs the
 * holder renews the lease every third of its life, so a long refresh keeps it; a waiter
 * never runs while a live lease is held by someone else, however long that takes. A
 * crashed tab stops renewing, so its lease expires after `leaseMs` and others go on. What
 * it cannot guard against: a holder whose timers the browser stops (a frozen background
 * tab) loses its lease after `leaseMs` although it still runs.
 * Without either (Node, workers), only calls within this page are serialized.
 */
export async function withCrossTabLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  if (locks?.request) return locks.request(name, task) as Promise<T>;
  return withLocalLock(name, () => withLease(name, task));
}

const pageLocks = new Map<string, Promise<unknown>>();

function withLocalLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const previous = pageLocks.get(name) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.catch(() => undefined);
  pageLocks.set(name, settled);
  void settled.then(() => {
    if (pageLocks.get(name) === settled) pageLocks.delete(name);
  });
  return run;
}

/** Lease timing of the localStorage fallback; mutable so tests can shorten it. */
export const leaseTiming = { leaseMs: 10_000, settleMs: 30 };

async function withLease<T>(name: string, task: () => Promise<T>): Promise<T> {
  const storage = localStorageOrUndefined();
  if (!storage) return task();
  const key = `keyward.lock.${name}`;
  const owner = crypto.randomUUID();
  const { leaseMs, settleMs } = leaseTiming;
  const write = (): void => storage.setItem(key, JSON.stringify({ owner, expires: Date.now() + leaseMs }));
  const mine = (): boolean => parseLease(storage.getItem(key))?.owner === owner;
  for (;;) {
    const current = parseLease(storage.getItem(key));
    if (!current || current.expires < Date.now()) {
      write();
      await sleep(settleMs);
      if (mine()) {
        // A second look: a write from another process may arrive later than the first pause.
        await sleep(settleMs);
        if (mine()) break;
      }
    }
    await sleep(settleMs + Math.random() * 50);
  }
  // Renewed while the task runs: a task longer than the lease keeps it.
  const renewal = setInterval(
    () => {
      if (mine()) write();
    },
    Math.max(leaseMs / 3, settleMs),
  );
  try {
    return await task();
  } finally {
    clearInterval(renewal);
    if (mine()) storage.removeItem(key);
  }
}

function parseLease(value: string | null): { owner: string; expires: number } | undefined {
  try {
    const lease = value ? (JSON.parse(value) as { owner?: unknown; expires?: unknown }) : undefined;
    return typeof lease?.owner === 'string' && typeof lease.expires === 'number' ? { owner: lease.owner, expires: lease.expires } : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
