// Fire-and-forget clean-ups of the access-token cache must never become unhandled
// rejections (Node's default for one is to crash the process).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheError, ErrorCode } from '../../src/errors.js';
import { SerializableTokenCache } from '../../src/cache/serializableTokenCache.js';
import type { CacheChange } from '../../src/cache/tokenCache.js';
import { FakeProvider } from './support/fakeProvider.js';
import { clientOf, signIn } from './support/signIn.js';

/** A cache whose storage fails on removals (a cache plugin whose backend is down). */
class FailingRemovals extends SerializableTokenCache {
  failRemovals = false;
  override async apply(change: CacheChange): Promise<void> {
    if (this.failRemovals && Object.values(change.remove ?? {}).some((keys) => keys.length > 0) && !change.set) {
      throw new CacheError(ErrorCode.cacheWriteFailed, 'storage backend is down');
    }
    return super.apply(change);
  }
}

const unhandled: unknown[] = [];
const record = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', record);
});
afterEach(() => {
  process.off('unhandledRejection', record);
});

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('cache clean-ups that fail', () => {
  it('dropping ambiguous access tokens when the cache fails causes no unhandled rejection', async () => {
    const provider = await FakeProvider.create();
    const cache = new FailingRemovals();
    const app = clientOf(provider, { tokenCache: cache });
    const { account } = await signIn(app, provider);
    // A second token for the same scopes under another key: the lookup is ambiguous.
    const [key, token] = Object.entries(cache.read().AccessToken)[0]!;
    await cache.apply({ set: { AccessToken: { [`${key}-copy`]: { ...token, target: `${token.target} extra` } } } });
    cache.failRemovals = true;
    const result = await app.acquireTokenSilent(['api://demo/read'], account);
    expect(result?.fromCache).toBe(false);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('dropping a future-dated access token when the cache fails causes no unhandled rejection', async () => {
    const provider = await FakeProvider.create();
    const cache = new FailingRemovals();
    const app = clientOf(provider, { tokenCache: cache });
    const { account } = await signIn(app, provider);
    const [key, token] = Object.entries(cache.read().AccessToken)[0]!;
    await cache.apply({ set: { AccessToken: { [key]: { ...token, cached_at: String(Math.floor(Date.now() / 1000) + 3600) } } } });
    cache.failRemovals = true;
    const result = await app.acquireTokenSilent(['api://demo/read'], account);
    expect(result?.fromCache).toBe(false);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
