import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withCrossTabLock } from '../../src/cache/crossTabLock.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lockName = (): string => `kw-test-${crypto.randomUUID()}`;
const leaseKey = (name: string): string => `keyward.lock.${name}`;

/** Starts `count` tasks on one lock name at once; each records how many tasks were inside at the same time. */
async function contend(name: string, count: number, holdMs: number, inside?: () => void) {
  let active = 0;
  let maxActive = 0;
  const order: number[] = [];
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      withCrossTabLock(name, async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        inside?.();
        await sleep(holdMs);
        order.push(i);
        active--;
        return i;
      }),
    ),
  );
  return { results, order, maxActive };
}

/** Runs two tasks on two names; each waits until the other has started, so they must overlap. */
async function bothInsideAtOnce(first: string, second: string): Promise<string[]> {
  let started = 0;
  let release!: () => void;
  const bothStarted = new Promise<void>((resolve) => (release = resolve));
  const timeout = sleep(2000).then(() => {
    throw new Error('the two locks did not run concurrently');
  });
  const task = (name: string) =>
    withCrossTabLock(name, async () => {
      if (++started === 2) release();
      await Promise.race([bothStarted, timeout]);
      return name;
    });
  return Promise.all([task(first), task(second)]);
}

describe('withCrossTabLock with the Web Locks API', () => {
  it('runs in a browser that has navigator.locks', () => {
    expect(typeof navigator.locks?.request).toBe('function');
  });

  it('runs 10 concurrent tasks on one name strictly one at a time, in request order, and all complete', async () => {
    const name = lockName();
    let heldDuringTask = false;
    const { results, order, maxActive } = await contend(name, 10, 5, () => {
      void navigator.locks.query().then((state) => {
        if (state.held?.some((lock) => lock.name === name)) heldDuringTask = true;
      });
    });
    expect(maxActive).toBe(1);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(heldDuringTask).toBe(true);
    const state = await navigator.locks.query();
    expect(state.held?.filter((lock) => lock.name === name)).toEqual([]);
    expect(state.pending?.filter((lock) => lock.name === name)).toEqual([]);
  });

  it('runs tasks on different names concurrently', async () => {
    await expect(bothInsideAtOnce(lockName(), lockName())).resolves.toHaveLength(2);
  });

  it('a throwing task releases the lock and its error reaches the caller', async () => {
    const name = lockName();
    const failing = withCrossTabLock(name, async () => {
      await sleep(5);
      throw new Error('refresh failed');
    });
    const next = withCrossTabLock(name, async () => 'next ran');
    await expect(failing).rejects.toThrow('refresh failed');
    await expect(next).resolves.toBe('next ran');
    const state = await navigator.locks.query();
    expect(state.held?.filter((lock) => lock.name === name)).toEqual([]);
  });
});

describe('withCrossTabLock without the Web Locks API (localStorage lease)', () => {
  beforeEach(() => {
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
  });

  afterEach(() => {
    delete (navigator as { locks?: unknown }).locks;
    expect(typeof navigator.locks?.request).toBe('function');
  });

  it('hides navigator.locks for these tests', () => {
    expect(navigator.locks).toBeUndefined();
  });

  it('runs 10 concurrent tasks on one name one at a time, holding the lease, and removes the lease after', async () => {
    const name = lockName();
    const leases: ({ owner?: unknown; expires?: unknown } | null)[] = [];
    const { results, maxActive } = await contend(name, 10, 5, () => {
      const raw = localStorage.getItem(leaseKey(name));
      leases.push(raw === null ? null : JSON.parse(raw));
    });
    expect(maxActive).toBe(1);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Every task ran under its own lease.
    expect(leases).toHaveLength(10);
    for (const lease of leases) {
      expect(lease).toEqual({ owner: expect.any(String), expires: expect.any(Number) });
      expect(lease!.expires as number).toBeGreaterThan(Date.now());
    }
    expect(new Set(leases.map((lease) => lease!.owner)).size).toBe(10);
    expect(localStorage.getItem(leaseKey(name))).toBeNull();
  });

  it('runs tasks on different names concurrently', async () => {
    const [a, b] = [lockName(), lockName()];
    await expect(bothInsideAtOnce(a, b)).resolves.toEqual([a, b]);
    expect(localStorage.getItem(leaseKey(a))).toBeNull();
    expect(localStorage.getItem(leaseKey(b))).toBeNull();
  });

  it('a throwing task releases the lock and the lease', async () => {
    const name = lockName();
    const failing = withCrossTabLock(name, async () => {
      await sleep(5);
      throw new Error('refresh failed');
    });
    const next = withCrossTabLock(name, async () => localStorage.getItem(leaseKey(name)));
    await expect(failing).rejects.toThrow('refresh failed');
    await expect(next).resolves.toEqual(expect.stringContaining('"owner"'));
    expect(localStorage.getItem(leaseKey(name))).toBeNull();
  });

  it("waits for another tab's live lease, and ignores an expired one", async () => {
    const name = lockName();
    localStorage.setItem(leaseKey(name), JSON.stringify({ owner: 'other-tab', expires: Date.now() + 300 }));
    const started = Date.now();
    await expect(withCrossTabLock(name, async () => Date.now() - started)).resolves.toBeGreaterThanOrEqual(290);
    expect(localStorage.getItem(leaseKey(name))).toBeNull();

    localStorage.setItem(leaseKey(name), JSON.stringify({ owner: 'crashed-tab', expires: Date.now() - 1 }));
    const again = Date.now();
    await expect(withCrossTabLock(name, async () => Date.now() - again)).resolves.toBeLessThan(250);
    expect(localStorage.getItem(leaseKey(name))).toBeNull();
  });
});
