import { ConfigurationError, ErrorCode, nobodySignedInError, noTokenError } from '../errors.js';
import { parseClaimsChallenge } from '../protocol/claimsChallenge.js';
import { DpopNonces } from './dpopNonces.js';
import type { AccountInfo, AuthenticationResult, SilentOptions, AuthScheme } from '../types.js';

/** What {@link createAuthFetch} needs of a client: `PublicClientApplication` fits. */
/** What {@link createAuthFetch} needs of a client (a `PublicClientApplication` has it). */
export interface AuthFetchClient {
  /** The signed-in accounts (the first is used when no `account` is given). */
  getAccounts(): Promise<AccountInfo[]>;
  /** A token for `scopes` without interaction, or `null`. */
  acquireTokenSilent(scopes: readonly string[], account: AccountInfo, options?: SilentOptions): Promise<AuthenticationResult | null>;
}

/** Options of {@link createAuthFetch}. */
export interface AuthFetchOptions {
  /** Scopes of the API's token, e.g. `['api://my-api/read']`. */
  scopes: readonly string[];
  /** Default: the first signed-in account. */
  account?: AccountInfo;
  /** `bearer` (default), `pop` (MSAL AT-PoP, `Authorization: PoP <shr>`) or `dpop` (RFC 9449). */
  scheme?: AuthScheme['type'];
  /** The underlying fetch. Default: the platform `fetch`, looked up at call time. */
  fetch?: typeof fetch;
  /**
   * The origins (`https://api.contoso.com`) these scopes' tokens may be sent to, like MSAL's
   * `protectedResourceMap`. A request to any other origin is refused with
   * `resource_origin_not_allowed` before a token is acquired. Default: the page's own
   * origin only (none outside a browser).
   */
  allowedOrigins?: readonly string[];
}

/**
 * A `fetch` that authenticates every request: it gets a token silently, attaches
 * `Authorization: Bearer|PoP|DPoP …` (plus the `DPoP` proof, with `ath`), answers a DPoP
 * nonce challenge with one retry (RFC 9449 9), and answers a `401` claims challenge
 * (`insufficient_claims`) with one re-acquisition carrying those claims and one retry.
 * A second refusal goes back to the caller, never a loop. Requests whose body is a one-shot
 * stream are never retried: it cannot be sent twice.
 */
export function createAuthFetch(client: AuthFetchClient, options: AuthFetchOptions): typeof fetch {
  const nonces = noncesFor(client);
  const type = options.scheme ?? 'bearer';
  const allowed = allowedOriginsOf(options.allowedOrigins);

  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const doFetch = options.fetch ?? globalThis.fetch;
    // The token is only ever sent where it belongs. The resolved URL is checked, so
    // `//other.example/x` or a base URL the page did not expect cannot carry it elsewhere;
    // and redirects are not followed with it (a 3xx comes back to the caller as is).
    const original = new Request(input, { ...init, redirect: init?.redirect === 'error' ? 'error' : 'manual' });
    const target = new URL(original.url).origin;
    if (!allowed.has(target)) {
      throw new ConfigurationError(
        ErrorCode.resourceOriginNotAllowed,
        `createAuthFetch refuses to send a token for these scopes to ${target}: list the origin in "allowedOrigins" if the API lives there.`,
      );
    }
    const replayable =
      !(init?.body instanceof ReadableStream) && !(input instanceof Request && input.body !== null && init?.body === undefined && input.bodyUsed);
    const account = options.account ?? (await client.getAccounts())[0];
    if (!account) throw nobodySignedInError();

    let claimsChallenge: string | undefined;
    let nonceRetried = false;
    let claimsRetried = false;
    for (;;) {
      const scheme: AuthScheme =
        type === 'pop'
          ? { type: 'pop', method: original.method, url: original.url }
          : type === 'dpop'
            ? { type: 'dpop', method: original.method, url: original.url, ...(nonces.get(original.url) && { nonce: nonces.get(original.url)! }) }
            : { type: 'bearer' };
      const result = await client.acquireTokenSilent(options.scopes, account, {
        authScheme: scheme,
        ...(claimsChallenge !== undefined && { claimsChallenge }),
      });
      if (!result) throw noTokenError();

      const request = replayable ? original.clone() : original;
      const headers = new Headers(request.headers);
      headers.set('authorization', `${type === 'pop' ? 'PoP' : type === 'dpop' ? 'DPoP' : 'Bearer'} ${result.accessToken}`);
      if (type === 'dpop' && result.dpopProof) headers.set('dpop', result.dpopProof);
      const response = await doFetch(new Request(request, { headers }));
      if (type === 'dpop') nonces.remember(original.url, response.headers);
      if (response.status !== 401 || !replayable) return response;

      const challenge = response.headers.get('www-authenticate') ?? '';
      if (
        type === 'dpop' &&
        !nonceRetried &&
        /^\s*dpop\b/i.test(challenge) &&
        /error="?use_dpop_nonce"?/i.test(challenge) &&
        response.headers.get('dpop-nonce')
      ) {
        nonceRetried = true;
        continue;
      }
      const claims = claimsRetried ? undefined : parseClaimsChallenge(challenge);
      if (claims !== undefined) {
        claimsRetried = true;
        claimsChallenge = claims;
        continue;
      }
      return response;
    }
  };
}

function allowedOriginsOf(configured: readonly string[] | undefined): Set<string> {
  if (configured === undefined) return new Set(typeof location === 'undefined' ? [] : [location.origin]);
  return new Set(
    configured.map((origin) => {
      try {
        return new URL(origin).origin;
      } catch {
        throw new ConfigurationError(
          ErrorCode.invalidConfiguration,
          `"allowedOrigins" holds "${origin}", which is not an origin such as https://api.contoso.com.`,
        );
      }
    }),
  );
}

/** Resource nonces are remembered per client, so every authenticated fetch of an app shares them. */
const noncesByClient = new WeakMap<AuthFetchClient, DpopNonces>();
function noncesFor(client: AuthFetchClient): DpopNonces {
  let nonces = noncesByClient.get(client);
  if (!nonces) {
    nonces = new DpopNonces();
    noncesByClient.set(client, nonces);
  }
  return nonces;
}
