/**
 * The error-serialization sweep: every KeywardError constructed while a test suite runs is
 * recorded (through the test-only sink KeywardError calls, see src/errors.ts), and every
 * secret or claim value that crossed the wire in that run (tokens, codes, verifiers,
 * secrets, assertions, passwords, personal claims of id_tokens) is registered. Afterwards no
 * recorded error may contain a registered value anywhere: message, stack, JSON, own
 * properties (enumerable or not), or its cause chain.
 */
import { decodeJwt } from 'jose';

const sinkKey = Symbol.for('keyward.test.errorSink');
const errors: Error[] = [];
const secrets = new Set<string>();
/** Shorter values would match by accident (e.g. a 3-letter sub inside a word). */
const minimumLength = 8;

/** Request fields that carry a secret (RFC 6749 4.1.3, 6, 4.3; RFC 7636; RFC 7523; RFC 8628). */
const secretRequestFields = ['code', 'code_verifier', 'refresh_token', 'client_secret', 'client_assertion', 'password', 'assertion', 'device_code'];
const secretResponseFields = ['access_token', 'refresh_token', 'id_token', 'device_code'];
const personalClaims = ['sub', 'oid', 'name', 'given_name', 'family_name', 'email', 'preferred_username', 'upn', 'login_hint', 'unique_name'];

export function installErrorSink(): void {
  (globalThis as Record<symbol, unknown>)[sinkKey] = (error: Error) => errors.push(error);
}

export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= minimumLength) secrets.add(value);
}

/** Registers the secrets of one token id_token: the token and its personal claims. */
export function registerIdToken(idToken: unknown): void {
  if (typeof idToken !== 'string') return;
  registerSecret(idToken);
  try {
    const claims = decodeJwt(idToken) as Record<string, unknown>;
    for (const name of personalClaims) registerSecret(claims[name]);
  } catch {
    // Not a JWT: the token itself is registered.
  }
}

/** Registers the secrets of one HTTP exchange with a provider (form or JSON bodies). */
export function observeExchange(requestBody: string | undefined, responseBody: string | undefined): void {
  if (requestBody) {
    const form = new URLSearchParams(requestBody);
    for (const name of secretRequestFields) registerSecret(form.get(name));
  }
  if (responseBody) {
    let body: unknown;
    try {
      body = JSON.parse(responseBody);
    } catch {
      return;
    }
    if (body === null || typeof body !== 'object') return;
    const record = body as Record<string, unknown>;
    for (const name of secretResponseFields) registerSecret(record[name]);
    registerIdToken(record.id_token);
  }
}

/** Everything an error shows to a logger, a JSON encoder or telemetry, flattened into one string. */
export function serializeError(error: unknown, seen = new Set<unknown>(), depth = 0): string {
  if (error === null || error === undefined) return '';
  if (typeof error !== 'object' && typeof error !== 'function') return String(error);
  if (seen.has(error) || depth > 6) return '';
  seen.add(error);
  const parts: string[] = [];
  try {
    parts.push(JSON.stringify(error));
  } catch {
    // Circular or unserializable: the walk below still covers it.
  }
  if (error instanceof Error) parts.push(String(error), error.stack ?? '');
  for (const name of Object.getOwnPropertyNames(error)) {
    let value: unknown;
    try {
      value = (error as Record<string, unknown>)[name];
    } catch {
      continue;
    }
    parts.push(`${name}=${serializeError(value, seen, depth + 1)}`);
  }
  return parts.join('\n');
}

/** The recorded errors that contain a registered secret, with what they contain. */
export function leakingErrors(): { error: Error; values: string[] }[] {
  const found: { error: Error; values: string[] }[] = [];
  for (const error of errors) {
    const text = serializeError(error);
    const values = [...secrets].filter((secret) => text.includes(secret));
    if (values.length > 0) found.push({ error, values });
  }
  return found;
}

/** How many errors were recorded so far (the sweep must see real errors to mean anything). */
export function recordedErrorCount(): number {
  return errors.length;
}

export function resetSweep(): void {
  errors.length = 0;
}

/** Wraps the platform fetch so exchanges over real HTTP (e2e, browser tests) are observed too. */
export function observeFetch(): void {
  const original = globalThis.fetch;
  if (typeof original !== 'function' || (original as { keywardObserved?: boolean }).keywardObserved) return;
  const observed = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    const requestBody = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : undefined;
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json') || requestBody) {
      try {
        observeExchange(requestBody, type.includes('json') ? await response.clone().text() : undefined);
      } catch {
        // Observation must never change what the test sees.
      }
    }
    return response;
  };
  (observed as { keywardObserved?: boolean }).keywardObserved = true;
  globalThis.fetch = observed as typeof fetch;
}
