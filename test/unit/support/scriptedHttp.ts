import type { HttpClient, HttpRequest, HttpResponse } from '../../../src/http/httpClient.js';
import { observeExchange } from '../../support/errorSweep.js';

/** One scripted step: a response to return, an error to throw, or a function of the request. */
export type Step = HttpResponse | Error | ((request: HttpRequest) => Promise<HttpResponse> | HttpResponse);

/**
 * An `HttpClient` (the public `httpClient` extension point) that answers from a script,
 * in order, and records every request it was given. Running out of script fails loudly.
 */
export function scriptedHttpClient(steps: Step[]): HttpClient & { requests: HttpRequest[] } {
  const queue = [...steps];
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(request) {
      requests.push(request);
      const step = queue.shift();
      if (step === undefined) throw new Error(`unexpected request #${requests.length}: ${request.method} ${request.url}`);
      if (step instanceof Error) throw step;
      const response = typeof step === 'function' ? await step(request) : step;
      // Whatever crossed this wire is a secret no error may repeat (the error sweep).
      observeExchange(request.body, response.body);
      return response;
    },
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}
