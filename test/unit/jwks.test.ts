import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeySetSource } from '../../src/authority/jwks.js';
import { ConfigurationError, ErrorCode } from '../../src/errors.js';
import { expectRejects } from './support/expectError.js';
import { json, scriptedHttpClient } from './support/scriptedHttp.js';

const jwksUri = 'https://idp.example.com/jwks';
const keysV1 = { keys: [{ kty: 'EC', crv: 'P-256', kid: 'k1', x: 'x', y: 'y' }] };
const keysV2 = { keys: [{ kty: 'EC', crv: 'P-256', kid: 'k2', x: 'x', y: 'y' }] };

afterEach(() => {
  vi.useRealTimers();
});

describe('KeySetSource', () => {
  it('fetches the key set once and serves it from memory afterwards', async () => {
    const http = scriptedHttpClient([json(200, keysV1)]);
    const source = new KeySetSource({ httpClient: http, timeout: 1000 });
    await expect(source.get(jwksUri)).resolves.toEqual(keysV1);
    await expect(source.get(jwksUri)).resolves.toEqual(keysV1);
    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]).toMatchObject({ url: jwksUri, method: 'GET' });
  });

  it('refetches after an unknown kid, at most once per 30 s', async () => {
    vi.useFakeTimers();
    const http = scriptedHttpClient([json(200, keysV1), json(200, keysV2)]);
    const source = new KeySetSource({ httpClient: http, timeout: 1000 });
    await source.get(jwksUri);
    await expect(source.refetch(jwksUri)).resolves.toBeUndefined();
    vi.advanceTimersByTime(31_000);
    await expect(source.refetch(jwksUri)).resolves.toEqual(keysV2);
    await expect(source.get(jwksUri)).resolves.toEqual(keysV2);
    await expect(source.refetch(jwksUri)).resolves.toBeUndefined();
    expect(http.requests).toHaveLength(2);
  });

  it('a new page load (a new source) fetches again: key sets are not persisted', async () => {
    const http = scriptedHttpClient([json(200, keysV1), json(200, keysV2)]);
    await new KeySetSource({ httpClient: http, timeout: 1000 }).get(jwksUri);
    await expect(new KeySetSource({ httpClient: http, timeout: 1000 }).get(jwksUri)).resolves.toEqual(keysV2);
  });

  it('rejects a non-200 answer and a body without keys with invalid_metadata', async () => {
    const http = scriptedHttpClient([json(500, { error: 'x' }), json(200, { not: 'a key set' })]);
    const source = new KeySetSource({ httpClient: http, timeout: 1000 });
    await expectRejects(source.get(jwksUri), ConfigurationError, ErrorCode.invalidMetadata);
    await expectRejects(source.get(jwksUri), ConfigurationError, ErrorCode.invalidMetadata);
  });
});
