import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, NetworkError, ServerError } from '../../src/errors.js';
import type { HttpRequest } from '../../src/http/httpClient.js';
import { parseJsonBody, parseRetryAfter, send } from '../../src/http/transport.js';
import { expectRejects, expectThrows } from './support/expectError.js';
import { json, scriptedHttpClient } from './support/scriptedHttp.js';

const request = { url: 'https://idp.example.com/token', method: 'POST' as const, headers: { accept: 'application/json' }, body: 'a=1' };
const ok = json(200, { ok: true });

afterEach(() => {
  vi.useRealTimers();
});

describe('send: transport failures', () => {
  it('passes the request through with an AbortSignal', async () => {
    const http = scriptedHttpClient([ok]);
    await expect(send({ httpClient: http, timeout: 1000 }, request)).resolves.toEqual(ok);
    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]).toMatchObject(request);
    expect(http.requests[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('retries once after a thrown network error', async () => {
    const http = scriptedHttpClient([new TypeError('Failed to fetch'), ok]);
    await expect(send({ httpClient: http, timeout: 1000 }, request)).resolves.toEqual(ok);
    expect(http.requests).toHaveLength(2);
  });

  it('asks a request builder again for the retry, so single-use parts (assertion, DPoP jti) are fresh', async () => {
    const http = scriptedHttpClient([new TypeError('Failed to fetch'), ok]);
    let built = 0;
    const build = async () => ({ ...request, body: `a=1&jti=${++built}` });
    await expect(send({ httpClient: http, timeout: 1000 }, build)).resolves.toEqual(ok);
    expect(http.requests.map((r) => r.body)).toEqual(['a=1&jti=1', 'a=1&jti=2']);
  });

  it('gives up with network_error after two failures', async () => {
    const cause = new TypeError('Failed to fetch');
    const http = scriptedHttpClient([new TypeError('Failed to fetch'), cause]);
    const error = await expectRejects(send({ httpClient: http, timeout: 1000 }, request), NetworkError, ErrorCode.networkError);
    expect(error.cause).toBe(cause);
    expect(http.requests).toHaveLength(2);
  });

  it('times out with timed_out, aborts the signal, and does not retry', async () => {
    let seen: HttpRequest | undefined;
    const http = scriptedHttpClient([
      (r) => {
        seen = r;
        return new Promise(() => {});
      },
    ]);
    const started = Date.now();
    await expectRejects(send({ httpClient: http, timeout: 50 }, request), NetworkError, ErrorCode.timedOut);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(http.requests).toHaveLength(1);
    expect(seen?.signal?.aborted).toBe(true);
  });
});

describe('send: Retry-After', () => {
  it('by default does not wait: the 429 comes back at once (the client throttles repeats)', async () => {
    const limited = json(429, { error: 'slow_down' }, { 'retry-after': '1' });
    const http = scriptedHttpClient([limited, ok]);
    await expect(send({ httpClient: http, timeout: 30_000 }, request)).resolves.toEqual(limited);
    expect(http.requests).toHaveLength(1);
  });

  it('with maxRetryAfterWait, waits out a short Retry-After on 429 and retries once', async () => {
    vi.useFakeTimers();
    const http = scriptedHttpClient([json(429, { error: 'slow_down' }, { 'retry-after': '1' }), ok]);
    const pending = send({ httpClient: http, timeout: 30_000, maxRetryAfterWait: 5 }, request);
    await vi.advanceTimersByTimeAsync(0);
    expect(http.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(http.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(http.requests).toHaveLength(2);
    await expect(pending).resolves.toEqual(ok);
  });

  it('retries only once', async () => {
    vi.useFakeTimers();
    const busy = json(503, { error: 'temporarily_unavailable' }, { 'retry-after': '1' });
    const http = scriptedHttpClient([busy, busy]);
    const pending = send({ httpClient: http, timeout: 30_000, maxRetryAfterWait: 5 }, request);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(pending).resolves.toEqual(busy);
    expect(http.requests).toHaveLength(2);
  });

  it('returns a 503 with a long Retry-After without retrying', async () => {
    const busy = json(503, { error: 'temporarily_unavailable' }, { 'retry-after': '120' });
    const http = scriptedHttpClient([busy]);
    await expect(send({ httpClient: http, timeout: 1000, maxRetryAfterWait: 5 }, request)).resolves.toEqual(busy);
    expect(http.requests).toHaveLength(1);
  });

  it('honours maxRetryAfterWait', async () => {
    vi.useFakeTimers();
    const http = scriptedHttpClient([json(503, {}, { 'retry-after': '10' }), ok]);
    const pending = send({ httpClient: http, timeout: 30_000, maxRetryAfterWait: 10 }, request);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(pending).resolves.toEqual(ok);
    expect(http.requests).toHaveLength(2);
  });

  it('does not retry a 5xx without Retry-After, nor a 4xx other than 429', async () => {
    for (const response of [json(500, { error: 'server_error' }), json(400, { error: 'invalid_grant' }, { 'retry-after': '1' })]) {
      const http = scriptedHttpClient([response]);
      await expect(send({ httpClient: http, timeout: 1000 }, request)).resolves.toEqual(response);
      expect(http.requests).toHaveLength(1);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(' 120 ')).toBe(120);
    expect(parseRetryAfter('0')).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT')).toBe(10);
    expect(parseRetryAfter(new Date('2025-01-01T00:01:00.500Z').toUTCString())).toBe(60);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT')).toBe(0);
  });

  it('returns undefined for absent, empty or unparseable values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('   ')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  // Bug: values that are neither delta-seconds nor an HTTP-date fall through to Date.parse,
  // whose legacy V8 heuristics read "1.5" and "-1" as dates in 2001, so they come back as 0
  // ("retry now") instead of undefined ("no usable Retry-After").
  it('returns undefined for values that are neither delta-seconds nor an HTTP date', () => {
    expect(parseRetryAfter('1.5')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});

describe('parseJsonBody', () => {
  const url = 'https://idp.example.com/token?x=1';

  it('returns a JSON object', () => {
    expect(parseJsonBody(json(200, { a: 1, b: [2] }), url)).toEqual({ a: 1, b: [2] });
    expect(parseJsonBody({ status: 400, headers: {}, body: '{"error":"invalid_grant"}' }, url)).toEqual({ error: 'invalid_grant' });
  });

  it('rejects JSON that is not an object with invalid_json', () => {
    for (const body of ['[1,2]', 'null', '"text"', '42']) {
      expectThrows(() => parseJsonBody({ status: 200, headers: { 'content-type': 'application/json' }, body }, url), ServerError, ErrorCode.invalidJson);
    }
  });

  it('rejects malformed JSON labelled as JSON on a 2xx with invalid_json', () => {
    const error = expectThrows(
      () => parseJsonBody({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"a":' }, url, 'corr'),
      ServerError,
      ErrorCode.invalidJson,
    );
    expect(error.status).toBe(200);
    expect(error.correlationId).toBe('corr');
    // No SyntaxError cause: V8 quotes the start of the body in it, and the body may be a token.
    expect(error.cause).toBeUndefined();
  });

  it('rejects a non-JSON body with server_error_non_json', () => {
    const html = expectThrows(
      () => parseJsonBody({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>' }, url),
      ServerError,
      ErrorCode.serverErrorNonJson,
    );
    expect(html.status).toBe(200);
    expectThrows(() => parseJsonBody({ status: 200, headers: {}, body: '' }, url), ServerError, ErrorCode.serverErrorNonJson);
  });

  it('treats a malformed error body as server_error_non_json even when labelled JSON', () => {
    const error = expectThrows(
      () => parseJsonBody({ status: 502, headers: { 'content-type': 'application/json', 'retry-after': '3' }, body: 'Bad Gateway' }, url, 'corr'),
      ServerError,
      ErrorCode.serverErrorNonJson,
    );
    expect(error.status).toBe(502);
    expect(error.retryAfter).toBe(3);
    expect(error.correlationId).toBe('corr');
  });

  it('keeps the query string out of the message', () => {
    const error = expectThrows(
      () => parseJsonBody({ status: 500, headers: {}, body: 'oops' }, 'https://idp.example.com/token?code=secret'),
      ServerError,
      ErrorCode.serverErrorNonJson,
    );
    expect(error.message).toContain('https://idp.example.com/token');
    expect(error.message).not.toContain('secret');
  });
});
