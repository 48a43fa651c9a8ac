import { SerializableTokenCache } from '../cache/serializableTokenCache.js';
import type { TokenCache } from '../cache/tokenCache.js';
import { acquireTokenByAuthCodeFlow, acquireTokenByAuthorizationCode, type AuthorizationCodeOptions, initiateAuthCodeFlow } from '../client/flows/authCode.js';
import { ClientContext } from '../client/context.js';
import { removeAccount } from '../client/flows/logout.js';
import { validateOptions } from '../client/options.js';
import { accountsFrom } from '../client/token/results.js';
import { acquireTokenSilent } from '../client/flows/silent.js';
import { ConfigurationError, ErrorCode } from '../errors.js';
import { ApiId, CacheOutcome } from '../http/telemetry.js';
import type { AuthCodeFlow } from '../protocol/authCodeFlow.js';
import type { AuthResponse } from '../protocol/authResponse.js';
import { randomUuid } from '../util/random.js';
import { SingleFlight } from '../util/singleFlight.js';
import { requestKey } from '../util/requestKey.js';
import { type AppTokenQuery, findAppToken, requestAppToken, resultOf, type ServerAuthenticationResult } from './appTokens.js';
import { clientAuthenticationFor } from './credentials/index.js';
import { environment, isBrowser } from './node.js';
import { nodeTransport } from './nodeTransport.js';
import { coreOptionsOf, type ConfidentialClientApplicationOptions } from './options.js';
import { regionalTokenEndpoint, type RegionChoice, resolveRegion } from './region.js';
import { decodeJwt } from 'jose';
import { userAssertionHash } from './distributedCache.js';
import type { AuthCodeFlowOptions, AccountInfo, AuthenticationResult, TokenErrorResult, SilentOptions } from '../types.js';

/** Entra hybrid SPA on the server's code redemption (MSAL Node `enableSpaAuthorizationCode`). */
export interface HybridSpaOptions {
  /**
   * Also ask Entra for an authorization code for the browser client (`return_spa_code=1`;
   * learn.microsoft.com/entra/msal/dotnet/advanced/spa-authorization-code). The result's
   * `spaCode` then goes to the page, which redeems it with `acquireTokenByCode({ code })`.
   */
  returnSpaCode?: boolean;
}

function spaCodeGrant(options: HybridSpaOptions | undefined): Record<string, string> {
  return options?.returnSpaCode === true ? { return_spa_code: '1' } : {};
}

/** Options of `acquireTokenForClient` and `acquireTokenOnBehalfOf`. */
export interface AppTokenOptions {
  /** Skip the cached token and ask the authority. */
  forceRefresh?: boolean;
  /** A claims challenge (JSON); bypasses the cache. */
  claimsChallenge?: string;
  /** The `client-request-id` to send; default a fresh UUID. */
  correlationId?: string;
}

/**
 * A confidential client for server runtimes (Node 20.16+): a web app's server half, a
 * backend-for-frontend, a daemon or an API calling another API. The same authority,
 * protocol, cache format and errors as the browser `PublicClientApplication`, with MSAL's
 * `ConfidentialClientApplication` methods in camelCase.
 *
 * It refuses to run in a browser: anything shipped to a browser is readable by everyone
 * who opens the page, so a client secret or key there is no longer secret.
 *
 * @example
 * ```ts
 * const app = new ConfidentialClientApplication({
 *   clientId: process.env.CLIENT_ID!,
 *   authority: `https://login.microsoftonline.com/${process.env.TENANT_ID}`,
 *   clientCredential: { privateKeyPfxPath: './app.pfx', passphrase: process.env.PFX_PASSWORD },
 * });
 * const { accessToken } = await app.acquireTokenForClient(['https://graph.microsoft.com/.default']);
 * ```
 */
export class ConfidentialClientApplication {
  readonly #ctx: ClientContext;
  readonly #region: RegionChoice | undefined;
  readonly #appFlights = new SingleFlight<ServerAuthenticationResult>();

  constructor(options: ConfidentialClientApplicationOptions) {
    if (isBrowser()) {
      throw new ConfigurationError(
        ErrorCode.serverClientInBrowser,
        'ConfidentialClientApplication runs on a server only: a client secret or private key in a browser is readable by anyone who opens the page, so it is not a secret. Use PublicClientApplication from "keyward" in the browser.',
      );
    }
    const tokenCache: TokenCache = options?.tokenCache ?? new SerializableTokenCache();
    const core = coreOptionsOf(options, tokenCache, new Map<string, unknown>());
    validateOptions(core);
    if (options.httpClient !== undefined && (options.verify !== undefined || options.proxies !== undefined)) {
      // MSAL: verify and proxies "do not apply if you have chosen to pass your own Http client"; say so instead of ignoring them.
      throw new ConfigurationError(
        ErrorCode.invalidConfiguration,
        '"verify" and "proxies" configure keyward\'s own transport: with your own "httpClient", set TLS and proxies there.',
      );
    }
    const transport = options.httpClient === undefined ? nodeTransport(options.verify, options.proxies, environment()) : undefined;
    if (transport) core.httpClient = transport.httpClient;
    if (options.clientCredential === undefined || options.clientCredential === null) {
      throw new ConfigurationError(
        ErrorCode.credentialInvalid,
        '"clientCredential" is required: a client secret, a certificate key, a PFX file or a client assertion.',
      );
    }
    const clientAuthentication = clientAuthenticationFor(options.clientCredential, options.clientId, options.clientClaims);
    this.#region = resolveRegion(options.azureRegion, environment());
    this.#ctx = new ClientContext(core, { clientAuthentication });
    for (const warning of transport?.warnings ?? []) this.#ctx.logger.warning(warning);
    for (const note of transport?.notes ?? []) this.#ctx.logger.info(note);
  }

  /** The client id this application was configured with. */
  get clientId(): string {
    return this.#ctx.clientId;
  }

  /** The token cache (serialize it, or hand it a plugin, to persist it). */
  get tokenCache(): TokenCache {
    return this.#ctx.cache;
  }

  /**
   * A token for the application itself (client-credentials grant; API id 730). Scopes are
   * `{resource}/.default`. Served from the cache while valid; `forceRefresh` asks anyway.
   * With `azureRegion`, the request goes to the regional host.
   */
  async acquireTokenForClient(scopes: readonly string[], options: AppTokenOptions = {}): Promise<ServerAuthenticationResult> {
    const resolved = await this.#ctx.resolve();
    await this.#ctx.readyCache();
    const query: AppTokenQuery = { resolved, scopes };
    let tokenEndpoint: string | undefined;
    if (this.#region?.region) {
      tokenEndpoint = regionalTokenEndpoint(resolved.authority, resolved.metadata.tokenEndpoint, this.#region.region);
      if (!tokenEndpoint) this.#ctx.logger.warning(`azureRegion ignored: ${resolved.authority.host} has no regional endpoints`);
    }
    return this.#appToken(query, options, ApiId.acquireTokenForClient, { grant_type: 'client_credentials' }, tokenEndpoint, this.#region?.telemetry);
  }

  /**
   * A token for a downstream API on behalf of the user who called this API (OAuth 2.0
   * on-behalf-of; API id 523). `userAssertion` is the access token this API received.
   * Cached per user assertion (by its SHA-256 hash, never the token itself).
   */
  async acquireTokenOnBehalfOf(userAssertion: string, scopes: readonly string[], options: AppTokenOptions = {}): Promise<ServerAuthenticationResult> {
    if (typeof userAssertion !== 'string' || userAssertion === '') {
      throw new ConfigurationError(ErrorCode.invalidRequest, 'acquireTokenOnBehalfOf needs the access token this API received (the user assertion).');
    }
    const resolved = await this.#ctx.resolve();
    await this.#ctx.readyCache();
    const query: AppTokenQuery = {
      resolved,
      scopes,
      // WebCrypto, not node:crypto: a secret or assertion credential needs nothing Node-only.
      userAssertionHash: await userAssertionHash(userAssertion),
      homeAccountId: homeAccountOf(userAssertion),
    };
    const grant = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', requested_token_use: 'on_behalf_of', assertion: userAssertion };
    return this.#appToken(query, options, ApiId.acquireTokenOnBehalfOf, grant, undefined, undefined);
  }

  async #appToken(
    query: AppTokenQuery,
    options: AppTokenOptions,
    apiId: typeof ApiId.acquireTokenForClient | typeof ApiId.acquireTokenOnBehalfOf,
    grant: Record<string, string>,
    tokenEndpoint: string | undefined,
    platformFields: string | undefined,
  ): Promise<ServerAuthenticationResult> {
    const canonical = query.resolved.authority.canonical;
    let outcome: (typeof CacheOutcome)[keyof typeof CacheOutcome] = CacheOutcome.forceRefresh;
    if (!options.forceRefresh && options.claimsChallenge === undefined) {
      const hit = findAppToken(this.#ctx, query);
      if (hit.token) return resultOf(hit.token, true, options.correlationId, canonical);
      outcome = hit.outcome;
    }
    // Concurrent misses for the same token share one request.
    const key = requestKey({
      scopes: query.scopes,
      authority: canonical,
      grantType: String(apiId),
      ...(options.claimsChallenge !== undefined && { claims: options.claimsChallenge }),
      extra: `${query.userAssertionHash ?? ''}|${outcome}`,
    });
    return this.#appFlights.run(key, () =>
      requestAppToken(this.#ctx, query, {
        resolved: query.resolved,
        grant,
        scopes: [...query.scopes],
        claims: options.claimsChallenge,
        apiId,
        cacheOutcome: outcome,
        correlationId: options.correlationId ?? randomUuid(),
        ...(tokenEndpoint !== undefined && { tokenEndpoint }),
        ...(platformFields !== undefined && { telemetryPlatformFields: platformFields }),
      }),
    );
  }

  /** Starts a PKCE authorization-code flow for a web app; keep the returned flow in the session until the redirect comes back. */
  initiateAuthCodeFlow(scopes: readonly string[], options?: AuthCodeFlowOptions): Promise<AuthCodeFlow> {
    return initiateAuthCodeFlow(this.#ctx, scopes, options);
  }

  /**
   * Finishes a flow from {@link initiateAuthCodeFlow}; the provider's own error comes back as a {@link TokenErrorResult}.
   * `returnSpaCode: true` (Entra hybrid SPA) also asks for a code the browser redeems itself: `result.spaCode`.
   */
  acquireTokenByAuthCodeFlow(
    flow: AuthCodeFlow,
    authResponse: AuthResponse,
    scopes?: readonly string[],
    options: HybridSpaOptions = {},
  ): Promise<AuthenticationResult | TokenErrorResult> {
    return acquireTokenByAuthCodeFlow(this.#ctx, flow, authResponse, scopes, spaCodeGrant(options));
  }

  /** Redeems an authorization code obtained by other means; `returnSpaCode` as in {@link acquireTokenByAuthCodeFlow}. */
  acquireTokenByAuthorizationCode(
    code: string,
    scopes: readonly string[],
    options: AuthorizationCodeOptions & HybridSpaOptions = {},
  ): Promise<AuthenticationResult> {
    const { returnSpaCode, ...rest } = options;
    return acquireTokenByAuthorizationCode(this.#ctx, code, scopes, rest, spaCodeGrant({ returnSpaCode }));
  }

  /** A cached token of a signed-in user, or a refresh with the client's credential; `null` when nothing usable is cached. */
  acquireTokenSilent(scopes: readonly string[], account: AccountInfo, options?: SilentOptions): Promise<AuthenticationResult | null> {
    return acquireTokenSilent(this.#ctx, scopes, account, options);
  }

  /** Users signed in through the authorization-code methods (app tokens have no account). */
  async getAccounts(): Promise<AccountInfo[]> {
    const cache = await this.#ctx.readyCache();
    this.#ctx.logger.verbose(`getAccounts (api ${ApiId.getAccounts})`);
    return accountsFrom(cache.read(), this.#ctx.clientId);
  }

  /** Forgets an account and its tokens in this cache. */
  removeAccount(account: AccountInfo): Promise<void> {
    this.#ctx.logger.verbose(`removeAccount (api ${ApiId.removeAccount})`);
    return removeAccount(this.#ctx, account);
  }
}

/**
 * The account an on-behalf-of token belongs to, for the cache entry only (`oid.tid`, as
 * Entra's client_info would give; `''` for an opaque assertion). Nothing is trusted from
 * the unverified assertion: the authority validates it, and the hash keys the entry.
 */
function homeAccountOf(userAssertion: string): string {
  try {
    const claims = decodeJwt(userAssertion);
    return typeof claims.oid === 'string' && typeof claims.tid === 'string' ? `${claims.oid}.${claims.tid}` : '';
  } catch {
    return '';
  }
}
