/**
 * Runs `task` while holding a lock named `name` across every tab of the origin, so only one
 * tab redeems a refresh token at a time: providers rotate refresh tokens and revoke the
 * whole grant when an old one is replayed (RFC 9700 4.14.2).
 *
 * With the Web Locks API (every current browser) the lock is exact. Without it, a
 * best-effort lease in localStorage is used: a tab writes `{owner, expires}`, reads it back
 * after a short pause, and proceeds only if it still owns it. Two tabs can in rare timing
 * both believe they won; the lease expires after 10 s so a crashed tab cannot block others.
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

const leaseMs = 10_000;
const settleMs = 30;

async function withLease<T>(name: string, task: () => Promise<T>): Promise<T> {
  let storage: Storage | undefined;
  try {
    storage = typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    storage = undefined;
  }
  if (!storage) return task();
  const key = `keyward.lock.${name}`;
  const owner = crypto.randomUUID();
  const deadline = Date.now() + leaseMs;
  while (Date.now() < deadline) {
    const current = parseLease(storage.getItem(key));
    if (!current || current.expires < Date.now()) {
      storage.setItem(key, JSON.stringify({ owner, expires: Date.now() + leaseMs }));
      await sleep(settleMs);
      if (parseLease(storage.getItem(key))?.owner === owner) break;
    }
    await sleep(settleMs + Math.random() * 50);
  }
  try {
    return await task();
  } finally {
    if (parseLease(storage.getItem(key))?.owner === owner) storage.removeItem(key);
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
