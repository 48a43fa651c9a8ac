/** An HTTP request keyward needs sent. Bodies are always strings (form or JSON). */
export interface HttpRequest {
  /** Absolute URL (https, or http on loopback). */
  url: string;
  /** `GET` for discovery and key sets, `POST` for token requests. */
  method: 'GET' | 'POST';
  /** Headers to send, names lower-case. */
  headers: Record<string, string>;
  /** Form-encoded (`application/x-www-form-urlencoded`) body of a POST; it carries codes, refresh tokens and secrets, so never log it. */
  body?: string;
  /** Aborted when the client's `timeout` elapses. */
  signal?: AbortSignal;
}

/** What keyward needs back. Header names must be lower-case. */
export interface HttpResponse {
  /** HTTP status code. */
  status: number;
  /** Response headers, names lower-case (keyward reads `retry-after`, `dpop-nonce`, `www-authenticate`, `content-type`). */
  headers: Record<string, string>;
  /** The body as text (keyward parses JSON itself). */
  body: string;
}

/**
 * Pluggable transport (the `httpClient` option), like MSAL's `http_client`.
 * Throw for transport failures (no HTTP answer); resolve for every HTTP status.
 */
export interface HttpClient {
  /** Sends one request; rejects only when there is no HTTP answer (network, DNS, CORS, abort). */
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** The default transport: the platform `fetch`, looked up at call time (SSR-safe). */
export const fetchHttpClient: HttpClient = {
  async send(request) {
    // POSTs carry credentials in the body: never re-sent to a redirect target (see transport.ts).
    const init: RequestInit = {
      method: request.method,
      headers: request.headers,
      credentials: 'omit',
      cache: 'no-store',
      redirect: request.method === 'POST' ? 'manual' : 'follow',
    };
    if (request.body !== undefined) init.body = request.body;
    if (request.signal) init.signal = request.signal;
    const response = await globalThis.fetch(request.url, init);
    // A browser hides a redirect not followed behind an opaque response of status 0.
    if (response.type === 'opaqueredirect') return { status: 0, headers: {}, body: '' };
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, headers, body: await response.text() };
  },
};
