/** An HTTP request keyward needs sent. Bodies are always strings (form or JSON). */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Aborted when the client's `timeout` elapses. */
  signal?: AbortSignal;
}

/** What keyward needs back. Header names must be lower-case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Pluggable transport (the `httpClient` option), like MSAL's `http_client`.
 * Throw for transport failures (no HTTP answer); resolve for every HTTP status.
 */
export interface HttpClient {
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
