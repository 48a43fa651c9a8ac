import { ClientAuthError, ConfigurationError, ErrorCode, NetworkError, ServerError } from '../errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from './httpClient.js';

/** Transport settings shared by every request of one client. */
export interface TransportOptions {
  httpClient: HttpClient;
  /** Milliseconds before a request is abandoned. */
  timeout: number;
  /**
   * Longest `Retry-After` (seconds) waited out before retrying once. Default 0: token
   * requests never wait inside a call; the client's throttle refuses repeats until the
   * window passes instead (MSAL's behaviour). Discovery GETs allow a short wait.
   */
  maxRetryAfterWait?: number;
}

const retryDelayMs = 100;

/**
 * The largest JSON answer keyward parses: 1 MiB, counted in UTF-8 bytes. Token responses are
 * a few kilobytes (an id_token with many group claims stays far below); a larger body is a
 * misbehaving or hostile server, refused with `response_too_large` before parsing.
 */
export const maxResponseBytes = 1024 * 1024;

/**
 * Sends one request with the client's timeout, one retry on a transport failure
 * (as MSAL.js does; not when offline or timed out) and, when `maxRetryAfterWait` allows,
 * one retry after a short `Retry-After` on 429/5xx. A transport failure almost always means the request never
 * left the browser (refused, DNS, offline); in the rare case an answer was lost after a
 * code redemption reached the provider, the retry is refused as a reused code and the
 * person signs in again, which is the same outcome as not retrying.
 */
/** A request as `send` takes it: the signal is its own (the client's timeout). */
export type OutgoingRequest = Omit<HttpRequest, 'signal'>;

export async function send(
  options: TransportOptions,
  request: OutgoingRequest | (() => Promise<OutgoingRequest>),
  signal?: AbortSignal,
): Promise<HttpResponse> {
  // A builder is asked again for every attempt: what must be single-use (a client
  // assertion's or a DPoP proof's jti) is then fresh on a retry instead of a replay.
  const build = typeof request === 'function' ? request : () => Promise.resolve(request);
  let response: HttpResponse;
  let method: OutgoingRequest['method'] = 'GET';
  const attempt = async (): Promise<HttpResponse> => {
    const built = await build();
    method = built.method;
    return sendWithTimeout(options, built, signal);
  };
  try {
    response = await attempt();
  } catch (error) {
    // A timeout, an untrusted certificate or a missing dependency fails the same way twice.
    if (
      error instanceof ClientAuthError ||
      error instanceof ConfigurationError ||
      (error instanceof NetworkError && (error.errorCode === ErrorCode.timedOut || error.errorCode === ErrorCode.tlsVerificationFailed))
    )
      throw error;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) throw error;
    await delay(retryDelayMs);
    response = await attempt();
  }
  assertNoRedirect(method, response);
  const retryAfter = parseRetryAfter(response.headers['retry-after']);
  if ((response.status === 429 || response.status >= 500) && retryAfter !== undefined && retryAfter <= (options.maxRetryAfterWait ?? 0)) {
    await delay(retryAfter * 1000);
    response = await attempt();
    assertNoRedirect(method, response);
  }
  return response;
}

/**
 * A POST to a token or device endpoint carries a code, verifier, refresh token, password or
 * client credential. Following a 307/308 would send them again to wherever `Location`
 * points (RFC 9110 15.4.8 keeps method and body), so the default transport does not follow
 * redirects on POSTs (`redirect: "manual"`), and any redirect answer, or the opaque one a
 * browser gives for it (status 0), is an error here, whatever `httpClient` is in use.
 */
function assertNoRedirect(method: OutgoingRequest['method'], response: HttpResponse): void {
  if (method !== 'POST' || !(response.status === 0 || (response.status >= 300 && response.status < 400))) return;
  throw new ServerError(
    ErrorCode.redirectRefused,
    `The endpoint redirected a POST (HTTP ${response.status || 'opaque redirect'}), which keyward does not follow with credentials; configure its final URL.`,
    { status: response.status },
  );
}

async function sendWithTimeout(options: TransportOptions, request: Omit<HttpRequest, 'signal'>, signal?: AbortSignal): Promise<HttpResponse> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const aborted = (): ClientAuthError => new ClientAuthError(ErrorCode.aborted, 'The request was aborted by its caller.');
  if (signal?.aborted) throw aborted();
  let onAbort: (() => void) | undefined;
  // The caller's abort wins at once, even over a custom httpClient that ignores signals.
  const callerAbort = new Promise<never>((_, reject) => {
    onAbort = () => {
      controller.abort();
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  // Race as well as abort: a custom httpClient may ignore the signal.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new NetworkError(
          ErrorCode.timedOut,
          `No answer from ${origin(request.url)} within ${options.timeout} ms. Check the network, or raise the "timeout" option.`,
        ),
      );
    }, options.timeout);
  });
  try {
    return await Promise.race([options.httpClient.send({ ...request, signal: controller.signal }), timeout, callerAbort]);
  } catch (error) {
    if (error instanceof NetworkError || error instanceof ClientAuthError || error instanceof ConfigurationError) throw error;
    throw new NetworkError(ErrorCode.networkError, `Could not reach ${origin(request.url)}: network failure (offline, DNS, TLS, proxy or CORS).`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  // Only an IMF-fixdate: Date.parse alone reads junk such as "-1" or "1.5" as a date in 2001.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim()))
    return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * Parses a JSON body. Non-JSON answers (an HTML error page from a proxy, a truncated body)
 * become typed errors instead of `SyntaxError`s.
 */
export function parseJsonBody(response: HttpResponse, url: string, correlationId?: string): Record<string, unknown> {
  const where = origin(url) + new URL(url).pathname;
  // A UTF-8 byte is at most one UTF-16 unit, so short strings need no encoding to be counted.
  if (response.body.length > maxResponseBytes / 3 && byteLength(response.body) > maxResponseBytes) {
    throw new ServerError(ErrorCode.responseTooLarge, `${where} answered with more than ${maxResponseBytes} bytes; refusing to parse it.`, {
      status: response.status,
      correlationId,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    // No `cause`: V8's SyntaxError quotes the start of the body, which may be a token.
    const looksJson = (response.headers['content-type'] ?? '').includes('json');
    if (response.status >= 400 || !looksJson) {
      throw new ServerError(
        ErrorCode.serverErrorNonJson,
        `${where} answered HTTP ${response.status} with no JSON (content-type "${response.headers['content-type'] ?? 'none'}"): the server or a proxy failed.`,
        { status: response.status, correlationId, retryAfter: parseRetryAfter(response.headers['retry-after']) },
      );
    }
    throw new ServerError(ErrorCode.invalidJson, `${where} answered HTTP ${response.status} with malformed JSON.`, { status: response.status, correlationId });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ServerError(ErrorCode.invalidJson, `${where} answered HTTP ${response.status} with JSON that is not an object.`, {
      status: response.status,
      correlationId,
    });
  }
  return parsed as Record<string, unknown>;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the server';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
