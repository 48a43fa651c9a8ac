import { describe, expect, it } from 'vitest';
import {
  CacheError,
  ConfidentialClientApplication,
  distributedCachePlugin,
  type DistributedCacheStore,
  ErrorCode,
  SerializableTokenCache,
} from '../../src/server/index.js';

describe('a shared cache whose store is down', () => {
  it('fails with cache_unavailable, and a long-lived client recovers once the store answers (the failed load is not kept)', async () => {
    let up = false;
    const entries: Record<string, string> = {};
    const store: DistributedCacheStore = {
      read: async () => {
        if (!up) throw new Error('ECONNREFUSED');
        return entries;
      },
      write: async () => {},
    };
    const app = new ConfidentialClientApplication({
      clientId: 'daemon',
      clientCredential: 'secret',
      authority: 'https://login.microsoftonline.com/7d1f3a2b-4c5e-4f60-8a9b-0c1d2e3f4a5b',
      tokenCache: new SerializableTokenCache({ plugin: distributedCachePlugin(store, 'keyward:daemon:app:t') }),
    });
    const error = await app.getAccounts().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CacheError);
    expect(error).toMatchObject({ errorCode: ErrorCode.cacheUnavailable });
    up = true;
    await expect(app.getAccounts()).resolves.toEqual([]);
  });
});
