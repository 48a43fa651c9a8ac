import { ConfigurationError, ErrorCode, NetworkError } from '../errors.js';
import { fetchHttpClient, type HttpClient } from '../http/httpClient.js';
import { nodeFs } from './node.js';

/**
 * Proxies as MSAL Python's `proxies` takes them (the `requests` shape: the key is the scheme
 * of the URL being fetched), or one proxy URL for both.
 */
export type ProxyOption =
  | string
  | {
      /** Proxy URL for `http:` requests. */
      http?: string;
      /** Proxy URL for `https:` requests (every request to Entra). */
      https?: string;
    };

/**
 * TLS verification as MSAL Python's `verify` (handed to `requests`): `true` verifies as Node
 * does; a CA bundle (PEM text, or the path of a PEM file) is the set of roots keyward's own
 * requests trust instead of Node's (the rest of the process is unaffected); `false` turns
 * verification off.
 */
export type VerifyOption = boolean | string;

/** The transport the options ask for, and what to tell the app once about it. */
export interface NodeTransport {
  httpClient: HttpClient;
  /** Warnings to log once, when the client's logger exists. */
  warnings: string[];
  /** Info lines (where requests go); proxy credentials already removed. */
  notes: string[];
}

interface ProxyRoute {
  http: string | undefined;
  https: string | undefined;
  noProxy: string;
}

/** The minimal part of undici keyward uses (its `Agent` and `ProxyAgent`). */
interface Undici {
  Agent: new (options: { connect?: TlsOptions }) => object;
  ProxyAgent: new (options: { uri: string; requestTls?: TlsOptions }) => object;
}
interface TlsOptions {
  ca?: string;
  rejectUnauthorized?: boolean;
}

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * keyward/server's transport for `verify` and `proxies` (and the `HTTPS_PROXY` / `HTTP_PROXY`
 * / `NO_PROXY` variables when `proxies` is not given): Node's own `fetch` with an undici
 * dispatcher (`fetch(url, { dispatcher })`), not a second HTTP stack. Node 20 bundles undici
 * inside `fetch` but does not expose its `Agent` / `ProxyAgent` classes to `import`, so those
 * come from the `undici` package, an optional peer dependency loaded only here and only when
 * one of these settings is in use. When none is: plain `fetch`, nothing loaded (still with TLS failures typed).
 */
export function nodeTransport(
  verify: VerifyOption | undefined,
  proxies: ProxyOption | undefined,
  env: Readonly<Record<string, string | undefined>>,
): NodeTransport {
  const tls = tlsOptions(verify);
  const route = proxyRoute(proxies, env);
  if (!tls && !route) return { httpClient: classifyingTls(fetchHttpClient), warnings: [], notes: [] };
  const warnings: string[] = [];
  const notes: string[] = [];
  if (verify === false)
    warnings.push(
      '"verify: false": TLS certificates of the authority are NOT verified. Anyone on the network path can read and forge its answers, tokens included. Use it for local testing only.',
    );
  if (route) {
    for (const scheme of ['https', 'http'] as const) {
      const proxy = route[scheme];
      if (proxy) notes.push(`${scheme}:// requests go through the proxy ${redact(proxy)}${route.noProxy ? ' (NO_PROXY applies)' : ''}`);
    }
  }
  let dispatchers: Promise<(url: URL) => object> | undefined;
  const dispatcherFor = async (url: URL): Promise<object> => {
    dispatchers ??= loadUndici().then((undici) => router(undici, tls ?? {}, route));
    try {
      return (await dispatchers)(url);
    } catch (error) {
      dispatchers = undefined;
      throw error;
    }
  };
  const httpClient: HttpClient = classifyingTls({
    async send(request) {
      const dispatcher = await dispatcherFor(new URL(request.url));
      // `dispatcher` is undici's own RequestInit member (Node's fetch is undici's); DOM typings lack it.
      const init: RequestInit & { dispatcher: object } = { method: request.method, headers: request.headers, dispatcher };
      if (request.body !== undefined) init.body = request.body;
      if (request.signal) init.signal = request.signal;
      const response = await globalThis.fetch(request.url, init);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body: await response.text() };
    },
  });
  return { httpClient, warnings, notes };
}

/**
 * Node's OpenSSL verification codes (`err.code` on the `cause` chain of a failed `fetch`).
 * Only a server can tell (a browser never says why a request failed), so the distinction
 * lives here and not in the shared transport.
 */
const tlsVerificationCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function tlsFailureCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && tlsVerificationCodes.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns an untrusted-certificate failure into `tls_verification_failed` (not retried, unlike other transport failures). */
function classifyingTls(inner: HttpClient): HttpClient {
  return {
    async send(request) {
      try {
        return await inner.send(request);
      } catch (error) {
        const code = tlsFailureCode(error);
        if (code === undefined) throw error;
        throw new NetworkError(
          ErrorCode.tlsVerificationFailed,
          `Could not reach ${new URL(request.url).origin}: its TLS certificate is not trusted (${code}). Give the issuing CA in "verify".`,
          { cause: error },
        );
      }
    },
  };
}

function tlsOptions(verify: VerifyOption | undefined): TlsOptions | undefined {
  if (verify === undefined || verify === true) return undefined;
  if (verify === false) return { rejectUnauthorized: false };
  if (typeof verify !== 'string' || verify.trim() === '') {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, '"verify" must be true, false, or a CA bundle (PEM text or the path of a PEM file).');
  }
  let pem = verify;
  if (!verify.includes('-----BEGIN')) {
    try {
      pem = nodeFs().readFileSync(verify, 'utf8');
    } catch (cause) {
      throw new ConfigurationError(ErrorCode.caBundleInvalid, `"verify": the CA bundle file ${verify} cannot be read.`, { cause });
    }
  }
  if (!pemCertificate.test(pem)) {
    throw new ConfigurationError(ErrorCode.caBundleInvalid, '"verify": the CA bundle holds no PEM certificate ("-----BEGIN CERTIFICATE-----").');
  }
  return { ca: pem };
}

function proxyRoute(proxies: ProxyOption | undefined, env: Readonly<Record<string, string | undefined>>): ProxyRoute | undefined {
  // As curl and undici read them: the lower-case name first.
  const fromEnv = (name: string): string | undefined => (env[name.toLowerCase()] ?? env[name.toUpperCase()]) || undefined;
  const noProxy = fromEnv('NO_PROXY') ?? '';
  if (proxies === undefined || proxies === null) {
    const https = fromEnv('HTTPS_PROXY');
    const http = fromEnv('HTTP_PROXY');
    if (!https && !http) return undefined;
    // undici and curl: an https URL with only HTTP_PROXY set goes through HTTP_PROXY.
    return { http: checkedProxy(http, 'HTTP_PROXY'), https: checkedProxy(https ?? http, https ? 'HTTPS_PROXY' : 'HTTP_PROXY'), noProxy };
  }
  if (typeof proxies === 'string') return { http: checkedProxy(proxies, 'proxies'), https: checkedProxy(proxies, 'proxies'), noProxy };
  if (typeof proxies !== 'object' || Array.isArray(proxies)) {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, '"proxies" must be a proxy URL or { http?, https? } proxy URLs.');
  }
  const route = { http: checkedProxy(proxies.http, 'proxies.http'), https: checkedProxy(proxies.https, 'proxies.https'), noProxy };
  return route.http || route.https ? route : undefined;
}

function checkedProxy(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Never echo the value: a proxy URL may carry a password.
    throw new ConfigurationError(ErrorCode.invalidConfiguration, `"${name}" is not a URL; expected e.g. http://proxy.example:3128.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(ErrorCode.invalidConfiguration, `"${name}" must be an http:// or https:// proxy URL (got ${url.protocol}).`);
  }
  return value;
}

/** A proxy URL fit for a log line: no user name, no password. */
export function redact(proxy: string): string {
  const url = new URL(proxy);
  url.username = '';
  url.password = '';
  return url.origin;
}

async function loadUndici(): Promise<Undici> {
  try {
    const id = 'undici';
    return (await import(/* @vite-ignore */ id)) as Undici;
  } catch (cause) {
    throw new ConfigurationError(
      ErrorCode.undiciMissing,
      '"verify", "proxies" and the HTTPS_PROXY / HTTP_PROXY variables need the "undici" package (Node does not expose the Agent and ProxyAgent of its fetch): npm install undici.',
      { cause },
    );
  }
}

function router(undici: Undici, tls: TlsOptions, route: ProxyRoute | undefined): (url: URL) => object {
  const direct = new undici.Agent({ connect: tls });
  const viaHttp = route?.http ? new undici.ProxyAgent({ uri: route.http, requestTls: tls }) : undefined;
  const viaHttps = route?.https ? new undici.ProxyAgent({ uri: route.https, requestTls: tls }) : undefined;
  const bypass = noProxyMatcher(route?.noProxy ?? '');
  return (url) => {
    const proxy = url.protocol === 'https:' ? viaHttps : viaHttp;
    return proxy && !bypass(url) ? proxy : direct;
  };
}

/**
 * `NO_PROXY` as curl and undici read it: comma- or space-separated host names (a leading `.`
 * or `*.` matches subdomains too, a bare name matches itself and its subdomains), optionally
 * with `:port`; `*` alone bypasses the proxy for every host.
 */
export function noProxyMatcher(value: string): (url: URL) => boolean {
  const entries = value
    .split(/[,\s]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  if (entries.includes('*')) return () => true;
  const parsed = entries.map((entry) => {
    const match = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\*?\./, ''))!;
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port: match[2] };
  });
  return (url) => {
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return parsed.some((entry) => (entry.port === undefined || entry.port === port) && (host === entry.host || host.endsWith(`.${entry.host}`)));
  };
}
