import { describe, expect, it } from 'vitest';
import { AuthStore, initialAuthSnapshot } from '../../src/client/state/authStore.js';
import type { AccountInfo } from '../../src/index.js';

const alice: AccountInfo = { homeAccountId: 'a', environment: 'e', tenantId: '', username: 'alice', localAccountId: 'a', authorityType: 'Generic' };
const bob: AccountInfo = { ...alice, homeAccountId: 'b', localAccountId: 'b', username: 'bob' };

describe('AuthStore', () => {
  it('starts from the frozen initial snapshot and replaces it only when something changed', () => {
    const store = new AuthStore();
    expect(store.getSnapshot()).toBe(initialAuthSnapshot);
    expect(Object.isFrozen(initialAuthSnapshot)).toBe(true);
    let notified = 0;
    store.subscribe(() => notified++);

    store.setAccounts([alice]);
    const first = store.getSnapshot();
    expect(first).toMatchObject({ status: 'initializing', accounts: [alice], activeAccount: alice });
    // Equal content: same snapshot, no notification (stable for useSyncExternalStore).
    store.setAccounts([{ ...alice }]);
    expect(store.getSnapshot()).toBe(first);
    expect(notified).toBe(1);

    store.markInitialized();
    expect(store.getSnapshot().status).toBe('idle');
    expect(store.getSnapshot().accounts).toBe(first.accounts);
    store.beginInteraction();
    store.beginInteraction();
    store.endInteraction();
    expect(store.getSnapshot().status).toBe('interacting');
    store.endInteraction();
    expect(store.getSnapshot().status).toBe('idle');
  });

  it('keeps the chosen active account while it is signed in, and falls back when it is gone', () => {
    const store = new AuthStore();
    store.setAccounts([alice, bob]);
    expect(store.getSnapshot().activeAccount).toBe(store.getSnapshot().accounts[0]);
    store.setActive(bob);
    expect(store.getSnapshot().activeAccount?.username).toBe('bob');
    store.setAccounts([alice]);
    expect(store.getSnapshot().activeAccount?.username).toBe('alice');
    store.setAccounts([]);
    expect(store.getSnapshot().activeAccount).toBeNull();
  });
});
