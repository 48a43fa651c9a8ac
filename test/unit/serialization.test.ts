import { readFileSync } from 'node:fs';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseAuthority } from '../../src/authority/authority.js';
import { type CacheData, emptyCacheData } from '../../src/cache/entities.js';
import { type CacheWriteInput, cacheWriteFor } from '../../src/cache/fromTokenResponse.js';
import { type AccountRef, findAccessTokens, findAccount, findIdToken, findRefreshToken } from '../../src/cache/queries.js';
import { type CacheAccessContext, type CachePlugin, type CacheWarning, SerializableTokenCache } from '../../src/cache/serializableTokenCache.js';
import { CacheError, ErrorCode } from '../../src/errors.js';
import { expectRejects } from './support/expectError.js';
import type { IdTokenClaims } from '../../src/types.js';

/** Fixtures in MSAL's own format; see test/fixtures/msal/README.md for where each comes from. */
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/msal/${name}`, import.meta.url), 'utf8');
const pythonJson = fixture('msal-python-cache.json');
const nodeJson = fixture('msal-node-cache.json');
const unrecognizedJson = fixture('msal-node-cache-unrecognized-entities.json');

const msalSections = ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'];

/** Key formats of docs/protocol.md A5 (MSAL Python `key_makers`), written out independently of src/cache/keys.ts. */
const msalKey = {
  Account: (e: { home_account_id: string; environment: string; realm: string }) => [e.home_account_id, e.environment, e.realm].join('-').toLowerCase(),
  IdToken: (e: { home_account_id: string; environment: string; client_id: string; realm: string }) =>
    [e.home_account_id, e.environment, 'idtoken', e.client_id, e.realm, ''].join('-').toLowerCase(),
  AccessToken: (e: { home_account_id: string; environment: string; client_id: string; realm: string; target: string }) =>
    [e.home_account_id, e.environment, 'accesstoken', e.client_id, e.realm, e.target].join('-').toLowerCase(),
  RefreshToken: (e: { home_account_id: string; environment: string; client_id: string; target?: string }) =>
    [e.home_account_id, e.environment, 'refreshtoken', e.client_id, '', e.target ?? ''].join('-').toLowerCase(),
  AppMetadata: (e: { environment: string; client_id: string }) => ['appmetadata', e.environment, e.client_id].join('-').toLowerCase(),
};

/** Field names MSAL writers use (docs/protocol.md A5, msal-node SerializerTypes.ts, MSAL Python token_cache.py). */
const msalFields: Record<string, readonly string[]> = {
  Account: [
    'home_account_id',
    'environment',
    'realm',
    'local_account_id',
    'username',
    'authority_type',
    'name',
    'client_info',
    'account_source',
    'last_modification_time',
    'last_modification_app',
    'tenants',
  ],
  IdToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id', 'realm'],
  AccessToken: [
    'credential_type',
    'secret',
    'home_account_id',
    'environment',
    'client_id',
    'realm',
    'target',
    'cached_at',
    'expires_on',
    'extended_expires_on',
    'refresh_on',
    'token_type',
    'key_id',
  ],
  RefreshToken: ['credential_type', 'secret', 'home_account_id', 'environment', 'client_id', 'family_id', 'target', 'last_modification_time'],
  AppMetadata: ['client_id', 'environment', 'family_id'],
};

const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const requestedAt = 1_700_000_000;

function input(overrides: Partial<CacheWriteInput> = {}): CacheWriteInput {
  const idTokenClaims: IdTokenClaims = {
    iss: `https://login.microsoftonline.com/${tid}/v2.0`,
    sub: 'sub-1',
    aud: 'Client-Id',
    exp: requestedAt + 3600,
    iat: requestedAt,
    tid,
    oid: 'oid-1',
    name: 'Ada Lovelace',
    preferred_username: 'ada@contoso.com',
  };
  return {
    clientId: 'Client-Id',
    authority: parseAuthority('https://login.microsoftonline.com/common'),
    environment: 'login.microsoftonline.com',
    response: {
      access_token: 'at-secret',
      token_type: 'Bearer',
      expires_in: 3600,
      ext_expires_in: 7200,
      refresh_in: 1800,
      refresh_token: 'rt-secret',
      id_token: 'id-token-jwt',
      scope: 'User.Read Mail.Read',
      client_info: base64url.encode(JSON.stringify({ uid: 'UID-1', utid: tid })),
    },
    idTokenClaims,
    account: undefined,
    requestedScopes: ['User.Read', 'Mail.Read'],
    requestedAt,
    ...overrides,
  };
}

function collectWarnings(cache: SerializableTokenCache): CacheWarning[] {
  const warnings: CacheWarning[] = [];
  cache.onWarning((warning) => warnings.push(warning));
  return warnings;
}

async function loaded(json: string): Promise<{ cache: SerializableTokenCache; warnings: CacheWarning[] }> {
  const cache = new SerializableTokenCache();
  const warnings = collectWarnings(cache);
  await cache.deserialize(json);
  return { cache, warnings };
}

describe('MSAL Python cache (msal/token_cache.py output)', () => {
  const aad: AccountRef = { homeAccountId: 'uid.utid', environment: 'login.example.com', tenantId: 'contoso' };
  const adfs: AccountRef = { homeAccountId: 'subject', environment: 'fs.msidlab8.com', tenantId: 'adfs' };
  const aadAtKey = 'uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3';
  const aadRtKey = 'uid.utid-login.example.com-refreshtoken-my_client_id--s1 s2 s3';

  it('deserializes: accounts, access tokens with their target, the FOCI refresh token, app metadata', async () => {
    const { cache, warnings } = await loaded(pythonJson);
    const data = cache.read();
    expect(warnings).toEqual([]);

    expect(Object.keys(data.Account)).toEqual(['uid.utid-login.example.com-contoso', 'subject-fs.msidlab8.com-adfs']);
    expect(findAccount(data, aad)).toMatchObject({
      username: 'John Doe',
      local_account_id: 'object1234',
      authority_type: 'MSSTS',
      account_source: 'authorization_code',
    });
    expect(findAccount(data, adfs)).toMatchObject({ username: 'JaneDoe@example.com', authority_type: 'ADFS' });

    expect(Object.keys(data.AccessToken)).toHaveLength(2);
    expect(data.AccessToken[aadAtKey]).toEqual({
      credential_type: 'AccessToken',
      secret: 'an access token',
      home_account_id: 'uid.utid',
      environment: 'login.example.com',
      client_id: 'my_client_id',
      target: 's1 s2 s3',
      realm: 'contoso',
      token_type: 'Bearer',
      cached_at: '1000',
      expires_on: '4600',
      extended_expires_on: '4600',
      refresh_on: '2800',
    });

    expect(findIdToken(data, aad, 'my_client_id')?.secret).toMatch(/^header\..+\.signature$/);
    expect(findRefreshToken(data, aad, 'my_client_id')).toEqual([
      aadRtKey,
      expect.objectContaining({ family_id: '1', target: 's1 s2 s3', last_modification_time: '1000' }),
    ]);
    expect(findRefreshToken(data, adfs, 'my_client_id')?.[1].family_id).toBeUndefined();

    expect(data.AppMetadata).toEqual({
      'appmetadata-login.example.com-my_client_id': { client_id: 'my_client_id', environment: 'login.example.com', family_id: '1' },
      'appmetadata-fs.msidlab8.com-my_client_id': { client_id: 'my_client_id', environment: 'fs.msidlab8.com' },
    });
  });

  it('round trip is lossless: serialize() gives back exactly what MSAL Python wrote', async () => {
    const { cache } = await loaded(pythonJson);
    expect(JSON.parse(cache.serialize())).toEqual(JSON.parse(pythonJson));
  });

  it('an MSAL-written access token is usable by keyward: findAccessTokens ignores scope order and case', async () => {
    const { cache } = await loaded(pythonJson);
    const data = cache.read();
    expect(findAccessTokens(data, aad, 'my_client_id', ['S3', 's1']).map(([key]) => key)).toEqual([aadAtKey]);
    expect(findAccessTokens(data, aad, 'my_client_id', ['s2', 'openid', 'offline_access'])).toHaveLength(1);
    expect(findAccessTokens(data, { ...aad, homeAccountId: 'UID.UTID', environment: 'LOGIN.example.com' }, 'my_client_id', ['s1'])).toHaveLength(1);
    expect(findAccessTokens(data, aad, 'my_client_id', ['s1', 's4'])).toEqual([]);
    expect(findAccessTokens(data, aad, 'other_client', ['s1'])).toEqual([]);
    expect(findAccessTokens(data, adfs, 'my_client_id', ['S2'])).toHaveLength(1);
  });
});

describe('MSAL Node cache (lib/msal-node/test/cache/cache-test-files)', () => {
  const ref: AccountRef = { homeAccountId: 'uid.utid', environment: 'login.microsoftonline.com', tenantId: 'microsoft' };
  const bearerKey = 'uid.utid-login.microsoftonline.com-accesstoken-mock_client_id-microsoft-scope4 scope5--';
  const popKey = 'uid.utid-login.microsoftonline.com-accesstoken_with_authscheme-mock_client_id-microsoft-scope4 scope5--pop';

  it('deserializes: both refresh tokens (one FOCI), every access token, app metadata, MSAL.js keys kept as written', async () => {
    const { cache, warnings } = await loaded(nodeJson);
    const data = cache.read();
    const original = JSON.parse(nodeJson) as CacheData;
    expect(warnings).toEqual([]);
    for (const section of msalSections as (keyof CacheData)[]) expect(Object.keys(data[section])).toEqual(Object.keys(original[section]));
    expect(data.RefreshToken['uid.utid-login.microsoftonline.com-refreshtoken-1----']).toMatchObject({ family_id: '1', client_id: 'mock_client_id' });
    expect(data.AccessToken[popKey]).toMatchObject({
      credential_type: 'AccessToken_With_AuthScheme',
      keyId: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
      tokenType: 'pop',
    });
    expect(findAccessTokens(data, ref, 'mock_client_id', ['SCOPE3', 'scope1']).map(([key]) => key)).toEqual([
      'uid.utid-login.microsoftonline.com-accesstoken-mock_client_id-microsoft-scope1 scope2 scope3--',
    ]);
    expect(data.AppMetadata['appmetadata-login.microsoftonline.com-mock_client_id']?.family_id).toBe('1');
  });

  // msal-node's TokenCache.spec.ts "TokenCache serialize/deserialize" expects exactly this of its own fixture.
  it('round trip is lossless: serialize() gives back exactly what MSAL Node wrote', async () => {
    const { cache } = await loaded(nodeJson);
    expect(JSON.parse(cache.serialize())).toEqual(JSON.parse(nodeJson));
  });

  it('a PoP access token (AccessToken_With_AuthScheme) is never served for a Bearer lookup', async () => {
    const { cache } = await loaded(nodeJson);
    expect(findAccessTokens(cache.read(), ref, 'mock_client_id', ['scope4', 'scope5']).map(([key]) => key)).toEqual([bearerKey]);
  });

  it('keeps unknown fields MSAL writes inside entries (tenants, nested objects)', async () => {
    const { cache } = await loaded(unrecognizedJson);
    const account = JSON.parse(cache.serialize()).Account['uid.utid-login.microsoftonline.com-utid'];
    expect(account.tenants).toEqual(['microsoft']);
    expect(account.unrecognized_entity).toEqual({ abc123: '123' });
  });

  // msal-node's TokenCache.spec.ts "does not remove unrecognized entities" expects the whole file back.
  it('keeps top-level sections it does not know', async () => {
    const { cache } = await loaded(unrecognizedJson);
    expect(JSON.parse(cache.serialize()).Unrecognized_Entity).toEqual({ ABC123: { abc: 'def' } });
  });
});

describe('serialize / deserialize', () => {
  it.each([
    ['MSAL Python', pythonJson],
    ['MSAL Node', nodeJson],
    ['MSAL Node, unrecognized entities', unrecognizedJson],
  ])('%s: deserialize(serialize()) is stable', async (_name, json) => {
    const { cache } = await loaded(json);
    const first = cache.serialize();
    const { cache: again, warnings } = await loaded(first);
    expect(warnings).toEqual([]);
    expect(JSON.parse(again.serialize())).toEqual(JSON.parse(first));
    expect(again.read()).toEqual(cache.read());
  });

  it("keyward's own entries serialize with exactly MSAL's top-level sections, key formats and field names", async () => {
    const cache = new SerializableTokenCache();
    const write = cacheWriteFor(input(), cache.read());
    await cache.apply(write.change);
    const parsed = JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, unknown>>>;

    expect(Object.keys(parsed)).toEqual(msalSections);
    for (const section of ['Account', 'IdToken', 'AccessToken', 'RefreshToken'] as const) {
      const entries = Object.entries(parsed[section]!);
      expect(entries, section).toHaveLength(1);
      const [key, entry] = entries[0]!;
      expect(key, section).toBe(msalKey[section](entry as never));
      expect(
        Object.keys(entry).filter((field) => !msalFields[section]!.includes(field)),
        `${section} fields`,
      ).toEqual([]);
    }
    for (const [key, entry] of Object.entries(parsed.AppMetadata!)) {
      expect(key).toBe(msalKey.AppMetadata(entry as never));
      expect(Object.keys(entry).filter((field) => !msalFields.AppMetadata!.includes(field))).toEqual([]);
    }
    expect(Object.keys(parsed.AccessToken!)).toEqual([`uid-1.${tid}-login.microsoftonline.com-accesstoken-client-id-${tid}-user.read mail.read`]);
    expect(Object.keys(parsed.RefreshToken!)).toEqual([`uid-1.${tid}-login.microsoftonline.com-refreshtoken-client-id--`]);
    const at = Object.values(parsed.AccessToken!)[0]!;
    for (const field of ['cached_at', 'expires_on', 'extended_expires_on', 'refresh_on']) expect(at[field], field).toMatch(/^\d+$/);

    // And the result reads back into keyward unchanged.
    const { cache: again } = await loaded(JSON.stringify(parsed));
    expect(again.read()).toEqual(cache.read());
  });

  it('a FOCI token response sets family_id on the refresh token and on AppMetadata (docs/protocol.md A5)', () => {
    const { change } = cacheWriteFor(input({ response: { ...input().response, foci: '1' } }), emptyCacheData());
    expect(Object.values(change.set?.RefreshToken ?? {})).toEqual([expect.objectContaining({ family_id: '1' })]);
    expect(change.set?.AppMetadata).toEqual({
      'appmetadata-login.microsoftonline.com-client-id': { client_id: 'Client-Id', environment: 'login.microsoftonline.com', family_id: '1' },
    });
  });

  it('deserialize replaces the whole contents', async () => {
    const { cache } = await loaded(pythonJson);
    await cache.deserialize(nodeJson);
    expect(Object.keys(cache.read().Account)).toEqual(['uid.utid-login.microsoftonline.com-microsoft']);
    await cache.deserialize('{}');
    expect(cache.read()).toEqual(emptyCacheData());
  });
});

describe('hasStateChanged', () => {
  it('is false on a new cache, true after apply or deserialize, false after serialize', async () => {
    const cache = new SerializableTokenCache();
    expect(cache.hasStateChanged).toBe(false);
    await cache.load();
    expect(cache.hasStateChanged).toBe(false);

    await cache.apply(cacheWriteFor(input(), cache.read()).change);
    expect(cache.hasStateChanged).toBe(true);
    cache.serialize();
    expect(cache.hasStateChanged).toBe(false);

    await cache.deserialize(pythonJson);
    expect(cache.hasStateChanged).toBe(true);
    cache.serialize();
    expect(cache.hasStateChanged).toBe(false);
    cache.read();
    expect(cache.hasStateChanged).toBe(false);
  });
});

describe('deserialize rejects what is not a cache and drops what is not an entry', () => {
  async function expectUnchangedAfter(json: string): Promise<void> {
    const { cache } = await loaded(pythonJson);
    cache.serialize();
    const before = cache.read();
    await expectRejects(cache.deserialize(json), CacheError, ErrorCode.cacheDeserializeFailed);
    expect(cache.read()).toBe(before);
    expect(JSON.parse(cache.serialize())).toEqual(JSON.parse(pythonJson));
  }

  it.each(['{"Account": {', 'not json', "{'Account': {}}"])('invalid JSON %j → cache_deserialize_failed, contents unchanged', async (json) => {
    await expectUnchangedAfter(json);
  });

  it.each(['null', '[]', '"cache"', '42', 'true'])('JSON that is not an object (%s) → cache_deserialize_failed, contents unchanged', async (json) => {
    await expectUnchangedAfter(json);
  });

  it.each([
    '{"Account": []}',
    '{"IdToken": "x"}',
    '{"AccessToken": null}',
    '{"RefreshToken": 5}',
    `{"Account": {}, "AppMetadata": [{"client_id": "c", "environment": "e"}]}`,
  ])('a section that is not an object (%s) → cache_deserialize_failed, contents unchanged', async (json) => {
    await expectUnchangedAfter(json);
  });

  it('drops an entry without secret (and other invalid entries) with one cache_entry_dropped warning, loads the rest', async () => {
    const broken = JSON.parse(pythonJson);
    const aadAtKey = 'uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3';
    delete broken.AccessToken[aadAtKey].secret;
    broken.RefreshToken['not-an-object'] = 'a refresh token';
    broken.AccessToken['bad-expiry'] = { ...broken.AccessToken['subject-fs.msidlab8.com-accesstoken-my_client_id-adfs-s1 s2 s3'], expires_on: 'soon' };
    broken.Account['missing-username'] = { home_account_id: 'h', environment: 'e', realm: 'r', local_account_id: 'l', authority_type: 'MSSTS' };

    const { cache, warnings } = await loaded(JSON.stringify(broken));
    expect(warnings).toEqual([{ type: 'warning', code: ErrorCode.cacheEntryDropped, message: expect.stringMatching(/^4 cache entries were not valid/) }]);
    const data = cache.read();
    expect(Object.keys(data.AccessToken)).toEqual(['subject-fs.msidlab8.com-accesstoken-my_client_id-adfs-s1 s2 s3']);
    expect(Object.keys(data.RefreshToken)).toHaveLength(2);
    expect(Object.keys(data.Account)).toHaveLength(2);
    expect(Object.keys(data.IdToken)).toHaveLength(2);
    expect(Object.keys(data.AppMetadata)).toHaveLength(2);
  });

  it("MSAL Python's own SerializableTokenCacheTestCase blob: the entry without any field is dropped, not fatal", async () => {
    const { cache, warnings } = await loaded('{"AccessToken": {"an-entry": {"foo": "bar"}}, "customized": "whatever"}');
    expect(warnings.map((w) => w.code)).toEqual([ErrorCode.cacheEntryDropped]);
    expect(cache.read()).toEqual(emptyCacheData());
  });
});

describe('cache plugin', () => {
  /** A plugin that keeps the cache in `store.json`, as an app would in a file or on a server. */
  function externalStore(initial: string) {
    const store = { json: initial };
    const calls: { hook: 'before' | 'after'; cacheHasChanged: boolean }[] = [];
    const plugin: CachePlugin = {
      async beforeCacheAccess(context: CacheAccessContext) {
        calls.push({ hook: 'before', cacheHasChanged: context.cacheHasChanged });
        await context.tokenCache.deserialize(store.json);
      },
      afterCacheAccess(context: CacheAccessContext) {
        calls.push({ hook: 'after', cacheHasChanged: context.cacheHasChanged });
        if (context.cacheHasChanged) store.json = context.tokenCache.serialize();
      },
    };
    return { store, calls, plugin };
  }

  it('load() runs beforeCacheAccess, which can deserialize an external MSAL cache', async () => {
    const { calls, plugin } = externalStore(pythonJson);
    const cache = new SerializableTokenCache({ plugin });
    await cache.load();
    expect(calls).toEqual([
      { hook: 'before', cacheHasChanged: false },
      { hook: 'after', cacheHasChanged: false },
    ]);
    expect(JSON.parse(cache.serialize())).toEqual(JSON.parse(pythonJson));
  });

  it('apply() hands afterCacheAccess cacheHasChanged: true, and serialize() there has the new state', async () => {
    const { store, calls, plugin } = externalStore(pythonJson);
    const cache = new SerializableTokenCache({ plugin });
    await cache.load();
    calls.length = 0;

    const { change, accessToken } = cacheWriteFor(input(), cache.read());
    await cache.apply(change);
    expect(calls).toEqual([
      { hook: 'before', cacheHasChanged: false },
      { hook: 'after', cacheHasChanged: true },
    ]);

    const saved = JSON.parse(store.json) as CacheData;
    expect(Object.values(saved.AccessToken)).toContainEqual(accessToken);
    // Everything that was in the external store is still there.
    for (const key of Object.keys(JSON.parse(pythonJson).AccessToken)) expect(saved.AccessToken).toHaveProperty([key]);
    expect(cache.hasStateChanged).toBe(false);
  });

  it('picks up what another process wrote to the external store before each write', async () => {
    const { store, plugin } = externalStore('{}');
    const cache = new SerializableTokenCache({ plugin });
    await cache.load();
    expect(cache.read()).toEqual(emptyCacheData());
    store.json = pythonJson;
    await cache.apply(cacheWriteFor(input(), emptyCacheData()).change);
    expect(Object.keys(cache.read().AccessToken)).toHaveLength(3);
  });

  it('is not called on read()', async () => {
    const { calls, plugin } = externalStore(pythonJson);
    const cache = new SerializableTokenCache({ plugin });
    await cache.load();
    calls.length = 0;
    for (let i = 0; i < 3; i++) cache.read();
    findAccessTokens(cache.read(), { homeAccountId: 'uid.utid', environment: 'login.example.com', tenantId: 'contoso' }, 'my_client_id', ['s1']);
    expect(calls).toEqual([]);
  });
});
