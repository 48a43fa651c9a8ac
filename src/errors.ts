/**
 * Every error keyward throws is a {@link KeywardError} with a stable `errorCode`
 * from {@link ErrorCode}. Programs switch on `errorCode`; people read `message`.
 *
 * Tokens, codes, verifiers and passwords never appear in messages or in
 * enumerable properties: errors are routinely logged and sent to telemetry.
 */

/** Stable error codes. The string values are part of the public API. */
export const ErrorCode = {
  // Configuration (ConfigurationError)
  /** ConfigurationError: The authority URL is not a URL, has a query, or lacks the tenant/policy its shape needs. */
  invalidAuthority: 'invalid_authority',
  /** ConfigurationError: Entra's instance discovery does not know the authority's host. */
  invalidInstance: 'invalid_instance',
  /** ConfigurationError: An option is missing or wrong (no `clientId`, both `authority` and `oidcAuthority`, a non-positive timeout). */
  invalidConfiguration: 'invalid_configuration',
  /** ConfigurationError: An authority or endpoint is not https (http is allowed only on 127.0.0.1/localhost). */
  insecureEndpoint: 'insecure_endpoint',
  /** ConfigurationError: The discovery document names an issuer that does not belong to the authority. */
  issuerMismatch: 'issuer_mismatch',
  /** ConfigurationError: The discovery document or key set is unreachable (non-200) or lacks a required member. */
  invalidMetadata: 'invalid_metadata',
  /** ClientAuthError / ConfigurationError: A call argument is invalid (e.g. `maxAge`, `interaction`, no redirect URI). */
  invalidRequest: 'invalid_request',
  /** ConfigurationError: `claimsChallenge` is not a JSON object. */
  invalidClaims: 'invalid_claims',
  /** ConfigurationError: Not thrown by this version (reserved scopes such as `openid` are added, never refused); kept so code that switches on it compiles. */
  reservedScope: 'reserved_scope',
  /** ConfigurationError: `pushedAuthorizationRequests: true`, but the provider advertises no `pushed_authorization_request_endpoint`. */
  parUnsupported: 'par_unsupported',

  // Confidential clients, keyward/server (ConfigurationError at construction)
  /** ConfigurationError: Keyward/server's `ConfidentialClientApplication` was constructed in a browser (or on Node older than 20.16): keep secrets on the server, use `PublicClientApplication` in the browser. */
  serverClientInBrowser: 'server_client_in_browser',
  /** ConfigurationError: `clientCredential` is missing, empty, or none of the five forms. */
  credentialInvalid: 'credential_invalid',
  /** ConfigurationError: The PEM key or PFX file is encrypted and the `passphrase` is missing or wrong. */
  credentialPassphraseIncorrect: 'credential_passphrase_incorrect',
  /** ConfigurationError: `privateKey` / `publicCertificate` is not readable PEM. */
  credentialKeyMalformed: 'credential_key_malformed',
  /** ConfigurationError: `privateKey` / `publicCertificate` is not readable PEM. */
  credentialCertificateMalformed: 'credential_certificate_malformed',
  /** ConfigurationError: The private key does not belong to the certificate. */
  credentialKeyCertificateMismatch: 'credential_key_certificate_mismatch',
  /** ConfigurationError: The certificate is outside its validity period: renew it (or check the clock). */
  credentialCertificateExpired: 'credential_certificate_expired',
  /** ConfigurationError: The certificate is outside its validity period: renew it (or check the clock). */
  credentialCertificateNotYetValid: 'credential_certificate_not_yet_valid',
  /** ConfigurationError: The thumbprint is not 40 (SHA-1) / 64 (SHA-256) hex digits, is missing, or is not the given certificate's. */
  credentialThumbprintInvalid: 'credential_thumbprint_invalid',
  /** ConfigurationError: The PFX file is missing, unreadable, not PKCS#12, or holds no key or certificate. */
  credentialPfxUnreadable: 'credential_pfx_unreadable',
  /** ConfigurationError: Keyward/server `verify`: the CA bundle file cannot be read, or holds no PEM certificate. */
  caBundleInvalid: 'ca_bundle_invalid',
  /** ConfigurationError: `verify`, `proxies` or `HTTPS_PROXY`/`HTTP_PROXY` are in use but the `undici` package is not installed: `npm install undici`. */
  undiciMissing: 'undici_missing',
  /** ConfigurationError: A PFX credential (`privateKeyPfxPath`) is configured but the `node-forge` package (an optional peer dependency of keyward/server) is not installed: `npm install node-forge`. */
  nodeForgeMissing: 'node_forge_missing',
  // Confidential clients at request time (ClientAuthError)
  /** ClientAuthError: The `clientAssertion` function threw or returned no JWT; no token was requested. */
  clientAssertionFailed: 'client_assertion_failed',

  // Authorization response (ClientAuthError)
  /** ClientAuthError: The authorization response has no or another `state`: not from this app's request; start again. */
  stateMissing: 'state_missing',
  /** ClientAuthError: The authorization response has no or another `state`: not from this app's request; start again. */
  stateMismatch: 'state_mismatch',
  /** ClientAuthError: Kept for compatibility: a redirect-looking URL with no pending sign-in is now left alone (`handleRedirectPromise()` resolves `null`). */
  noPendingRequest: 'no_token_request_cache_error',
  /** ClientAuthError: RFC 9207: the response came from another issuer, or lacks `iss` though the provider promised it. */
  issMismatch: 'iss_mismatch',
  /** ClientAuthError: RFC 9207: the response came from another issuer, or lacks `iss` though the provider promised it. */
  issMissing: 'iss_missing',
  /** ClientAuthError: The response has neither `code` nor `error`. */
  codeMissing: 'code_missing',
  /** ClientAuthError: The device code flow was aborted through its `signal`. */
  aborted: 'aborted',
  /** ClientAuthError: A flow was replayed, or belongs to another client. */
  flowAlreadyUsed: 'flow_already_used',
  /** ClientAuthError: A flow was replayed, or belongs to another client. */
  flowMismatch: 'flow_mismatch',
  /** ClientAuthError: The flow was started more than an hour ago: start a new sign-in. */
  flowExpired: 'flow_expired',
  /** ClientAuthError: A pushed authorization request expired (or was used) before the person reached the provider: start the sign-in again. */
  requestUriExpired: 'request_uri_expired',
  /** ClientAuthError: The PAR endpoint answered without a `request_uri` and a positive `expires_in` (RFC 9126 2.2). */
  invalidParResponse: 'invalid_par_response',

  // Token response (ClientAuthError)
  /** ClientAuthError: Not thrown by this version (a malformed token answer is `invalid_json`, `access_token_missing` or an id_token code); kept for code that switches on it. */
  invalidTokenResponse: 'invalid_token_response',
  /** ClientAuthError: The token response has no `access_token`. */
  accessTokenMissing: 'access_token_missing',
  /** ClientAuthError: The provider issued another token type than the scheme asked for; nothing stored. */
  tokenTypeMismatch: 'token_type_mismatch',
  /** ClientAuthError: The provider issued another token type than the scheme asked for; nothing stored. */
  dpopTokenTypeMismatch: 'dpop_token_type_mismatch',
  /** ClientAuthError: The provider issued another token type than the scheme asked for; nothing stored. */
  popTokenTypeMismatch: 'pop_token_type_mismatch',
  /** ClientAuthError: A PoP access token is not bound to this client's key (`cnf.kid`); nothing stored. */
  popCnfMismatch: 'token_claims_cnf_required_for_signedjwt',

  // id_token validation (IdTokenError)
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenMissing: 'id_token_missing',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenMalformed: 'id_token_malformed',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenAlgNotAllowed: 'id_token_alg_not_allowed',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenSignatureInvalid: 'id_token_signature_invalid',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenKeyNotFound: 'id_token_key_not_found',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenIssuerMismatch: 'id_token_issuer_mismatch',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenAudienceMismatch: 'id_token_audience_mismatch',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenAzpMismatch: 'id_token_azp_mismatch',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenExpired: 'id_token_expired',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenIssuedInFuture: 'id_token_issued_in_future',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenClaimMissing: 'id_token_claim_missing',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  nonceMismatch: 'nonce_mismatch',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  authTimeMissing: 'auth_time_missing',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  authTimeTooOld: 'auth_time_too_old',
  /** IdTokenError: The id_token failed the named OIDC Core 3.1.3.7 check; nothing was stored. */
  idTokenSubjectChanged: 'id_token_subject_changed',

  // Transport (NetworkError / ServerError)
  /** NetworkError: No HTTP answer (offline, DNS, CORS) after one retry. */
  networkError: 'network_error',
  /** NetworkError: No answer within `timeout`. */
  timedOut: 'timed_out',
  /** NetworkError: Keyward/server: the endpoint's TLS certificate is not trusted (self-signed, unknown CA, wrong name, expired); give the CA in `verify`. */
  tlsVerificationFailed: 'tls_verification_failed',
  /** ServerError: The server answered a non-JSON body (an HTML error page, a proxy). */
  serverErrorNonJson: 'server_error_non_json',
  /** ServerError: An error response without an OAuth `error` value. */
  serverError: 'server_error',
  /** ServerError: The provider asked to wait (`retryAfter` seconds); no request was sent. */
  throttled: 'throttled',
  /** ServerError: The server answered malformed JSON. */
  invalidJson: 'invalid_json',
  /** ServerError: A JSON answer (token, discovery, key set) was larger than 1 MiB; nothing was parsed or stored. */
  responseTooLarge: 'response_too_large',
  /** ServerError: A token or device endpoint answered a POST with a redirect; the credentials were not re-sent: configure the endpoint's final URL. */
  redirectRefused: 'redirect_refused',

  // Authenticated fetch (ConfigurationError)
  /** ConfigurationError: `createAuthFetch` was asked to send a token to an origin not in `allowedOrigins`; no token was acquired or sent. */
  resourceOriginNotAllowed: 'resource_origin_not_allowed',

  // Interaction (BrowserError)
  /** BrowserError: The browser blocked the popup: call from a click handler, or use `redirect`. */
  popupWindowError: 'popup_window_error',
  /** BrowserError: The person closed the popup. */
  userCancelled: 'user_cancelled',
  /** BrowserError: The popup did not come back within `popupTimeout`. */
  monitorWindowTimeout: 'monitor_window_timeout',
  /** BrowserError: The hidden sign-in frame stopped on a page that is not the redirect URI (a provider page, or a framing refusal). */
  frameNoRedirect: 'frame_no_redirect',
  /** BrowserError: Another sign-in of this app is still running. */
  interactionInProgress: 'interaction_in_progress',
  /** BrowserError: An interactive call ran without a window (server rendering, worker). */
  notInBrowser: 'not_in_browser',
  /** BrowserError: Not thrown by this version (WebCrypto is checked by `isPopSupported()`); kept for code that switches on it. */
  cryptoUnavailable: 'crypto_unavailable',
  /** Cache warning (through `onWarning`, never thrown): IndexedDB is missing, blocked or too slow to open; tokens are kept in memory for this page. */
  storageUnavailable: 'storage_unavailable',

  // Token cache (CacheError, and cache warning events)
  /** CacheError: keyward/server's shared cache store (Redis) did not answer; nothing changed; the next request tries again. */
  cacheUnavailable: 'cache_unavailable',
  /** CacheError: The browser refused to store more for this site; storage unchanged, the change kept in memory (`keptInMemory`) and retried with the next write. */
  cacheQuotaExceeded: 'cache_quota_exceeded',
  /** CacheError: Another storage failure (IndexedDB aborted the write); storage unchanged, the change kept in memory (`keptInMemory`) and retried with the next write. */
  cacheWriteFailed: 'cache_write_failed',
  /** CacheError: `deserialize()` got something that is not a serialized cache; contents unchanged. */
  cacheDeserializeFailed: 'cache_deserialize_failed',
  /** Cache warning (through `onWarning`, never thrown): a stored entry could not be read or validated and was deleted; every other entry is kept. */
  cacheEntryDropped: 'cache_entry_dropped',
  /** Cache warning (through `onWarning`, never thrown): a cache written by an older keyward was migrated to the current schema. */
  cacheMigrated: 'cache_migrated',
  /** cache warning: A message on the cache's BroadcastChannel was not well formed and was ignored (another page of the origin posted it, or a different keyward version). */
  cacheBroadcastRejected: 'cache_broadcast_rejected',
  /** CacheError: The account was signed out (in any tab) while this token request was in flight; its answer was discarded. Sign in again if that was meant. */
  accountSignedOut: 'account_signed_out',

  // Sign-out and session monitoring (reported through the client's `warning` event, never thrown)
  /** ServerError in a `warning` event: `logout` could not revoke a token at the `revocation_endpoint`; signed out here anyway. Never thrown. */
  revocationFailed: 'revocation_failed',
  /** ConfigurationError in a `warning` event: `monitorSession` is on but the provider has no `check_session_iframe`. Never thrown. */
  checkSessionUnavailable: 'check_session_unavailable',

  // Silent acquisition (InteractionRequiredError)
  /** InteractionRequiredError: The person must sign in again: call `acquireTokenInteractive`. */
  interactionRequired: 'interaction_required',
  /** ConfigurationError: `acquireTokenSilent` was called without an account. */
  noAccount: 'no_account',
  /** InteractionRequiredError: No token is cached for the account and no refresh token can get one (`acquireTokenSilent` with `forceRefresh`, or an account with no refresh token): sign in again. */
  noTokensFound: 'no_tokens_found',
  /** The hidden-iframe sign-in was skipped: earlier on this page the provider's session was not visible in a frame (third-party cookies blocked, or no session). */
  frameSsoUnavailable: 'frame_sso_unavailable',

  // React layer (ConfigurationError)
  /** ConfigurationError: A keyward/react hook or component was rendered outside `<AuthProvider>`: wrap the tree in one. */
  noAuthProvider: 'no_auth_provider',

  // Provider `error` / `suberror` values keyward branches on (RFC 6749 5.2, RFC 8628 3.5, Entra)
  /** InteractionRequiredError: The person must sign in again: call `acquireTokenInteractive`. */
  invalidGrant: 'invalid_grant',
  /** InteractionRequiredError (Entra `suberror`): the refresh token is revoked or invalid; keyward drops it and the person must sign in again. */
  badToken: 'bad_token',
  /** InteractionRequiredError (OIDC Core 3.1.2.6): a `prompt=none` request found no session the provider could use. */
  loginRequired: 'login_required',
  /** Device code flow (RFC 8628 3.5): the person has not approved yet; keyward keeps polling, it is never thrown. */
  authorizationPending: 'authorization_pending',
  /** Device code flow (RFC 8628 3.5): poll less often; keyward adds 5 seconds to the interval, it is never thrown. */
  slowDown: 'slow_down',
} as const;

/** Union of every {@link ErrorCode} value. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What `errorCode` holds: one of keyward's {@link ErrorCode} values, or (on a
 * {@link ServerError}) the provider's own `error` string. `(string & {})` keeps editor
 * completion for the known values while accepting any provider string.
 */
export type ErrorCodeString = ErrorCodeValue | (string & {});

/** Fields common to every keyward error. */
export interface KeywardErrorOptions {
  /** Longer, human-oriented explanation; for server errors, the server's `error_description`. */
  errorDescription?: string;
  /** The `client-request-id` of the request that failed, to quote to the provider's support. */
  correlationId?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of every error keyward throws. */
export class KeywardError extends Error {
  /** Stable, switchable code (see {@link ErrorCode}); server errors carry the server's `error` value. */
  readonly errorCode: ErrorCodeString;
  /** Longer explanation: for a `ServerError`, the provider's `error_description` (on Entra, starting with the `AADSTS` number); `undefined` when there is none. */
  readonly errorDescription: string | undefined;
  /** The `client-request-id` of the request that failed, to quote to the provider's support; `undefined` for errors raised before any request. */
  readonly correlationId: string | undefined;

  constructor(errorCode: ErrorCodeString, message: string, options: KeywardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errorCode = errorCode;
    this.errorDescription = options.errorDescription;
    this.correlationId = options.correlationId;
    // Test-only: keyward's test suites register a sink here to check that no error they
    // produce carries a secret or claim value. Nothing registers it outside those suites.
    const sink = (globalThis as Record<symbol, unknown>)[errorSinkKey];
    if (typeof sink === 'function') sink(this);
  }
}

const errorSinkKey = Symbol.for('keyward.test.errorSink');

/** The configuration or the arguments are wrong: fix the code, retrying will not help. */
export class ConfigurationError extends KeywardError {}

/** Something the client received or holds failed a protocol check (state, nonce, response shape). */
export class ClientAuthError extends KeywardError {}

/** The id_token failed validation (OIDC Core 3.1.3.7). Nothing from that response was stored. */
export class IdTokenError extends ClientAuthError {}

/** The request never got an HTTP answer: offline, DNS, CORS, or the `timeout` elapsed. */
export class NetworkError extends KeywardError {}

/** Fields the authorization server put in its error response. */
export interface ServerErrorOptions extends KeywardErrorOptions {
  /** HTTP status of the answer. */
  status?: number;
  /** Entra's `suberror`. */
  suberror?: string;
  /** Entra's numeric `error_codes`. */
  errorCodes?: number[];
  /** The provider's `error_uri`. */
  errorUri?: string;
  /** A claims challenge the server asked for (Entra puts it in token error bodies). */
  claims?: string;
  /** Seconds to wait before retrying, from `Retry-After`. */
  retryAfter?: number;
}

/** The authorization server answered with an error (OAuth error body, non-JSON body, 5xx…). */
export class ServerError extends KeywardError {
  /** HTTP status of the answer (e.g. 400, 429, 503); `undefined` when no answer was parsed (throttled before sending). */
  readonly status: number | undefined;
  /** Entra's `suberror` (e.g. `bad_token`, `consent_required`, `basic_action`), when sent. */
  readonly suberror: string | undefined;
  /** Entra's numeric `error_codes` (AADSTS numbers, e.g. `[50076]` when MFA is required), when sent. */
  readonly errorCodes: number[] | undefined;
  /** The provider's `error_uri`, a page about the error, when sent. */
  readonly errorUri: string | undefined;
  /** A claims challenge (JSON) the provider asked for: pass it as `claimsChallenge` to the next interactive request. */
  readonly claims: string | undefined;
  /** Seconds to wait before retrying (`Retry-After`, or keyward's throttle); `undefined` when the provider did not say. */
  readonly retryAfter: number | undefined;

  constructor(errorCode: ErrorCodeString, message: string, options: ServerErrorOptions = {}) {
    super(errorCode, message, options);
    this.status = options.status;
    this.suberror = options.suberror;
    this.errorCodes = options.errorCodes;
    this.errorUri = options.errorUri;
    this.claims = options.claims;
    this.retryAfter = options.retryAfter;
  }
}

/**
 * Silent acquisition cannot go on without the person: call `acquireTokenInteractive`.
 * Raised for `invalid_grant`, `interaction_required`, `login_required`, `consent_required`
 * and friends, and when no refresh token is cached.
 */
export class InteractionRequiredError extends ServerError {}

/** A browser feature failed or is missing: popups, storage, WebCrypto, a second interaction. */
export class BrowserError extends KeywardError {}

/**
 * The token cache could not store or read something. Whatever was already stored is intact.
 * When `keptInMemory` is true the change still took effect for this page (and was sent to
 * the other tabs) and will be written with the next successful write; tokens obtained from
 * the provider are never thrown away, since a rotated refresh token cannot be asked for again.
 */
export class CacheError extends KeywardError {
  /** True when the change could not be stored but is applied in memory (and retried with the next write): this page keeps working with it. */
  readonly keptInMemory: boolean;

  constructor(errorCode: ErrorCodeString, message: string, options: KeywardErrorOptions & { keptInMemory?: boolean } = {}) {
    super(errorCode, message, options);
    this.keptInMemory = options.keptInMemory ?? false;
  }
}

/** OAuth `error` values (and Entra `suberror` values) that mean "ask the person". */
const interactionRequiredErrors = new Set([
  'invalid_grant',
  'interaction_required',
  'login_required',
  'consent_required',
  'account_selection_required',
  'bad_token',
  'ui_not_allowed',
  'interrupted_user',
]);
const interactionRequiredSuberrors = new Set([
  'message_only',
  'additional_action',
  'basic_action',
  'user_password_expired',
  'consent_required',
  'bad_token',
  'ui_not_allowed',
  'interrupted_user',
]);

/** True when an OAuth error response means the person must interact (MSAL's rule set). */
export function isInteractionRequired(error: string | undefined, suberror?: string): boolean {
  return (error !== undefined && interactionRequiredErrors.has(error)) || (suberror !== undefined && interactionRequiredSuberrors.has(suberror));
}

/**
 * True when the provider itself stated the error (an OAuth error body), as opposed to a
 * transport failure or a body keyward could not read. Such errors can be handed back as
 * data (MSAL's result dictionaries: `acquireTokenByAuthCodeFlow`, `acquireTokenSilentWithError`).
 */
export function isProviderRefusal(error: unknown): error is ServerError {
  return error instanceof ServerError && error.errorCode !== ErrorCode.serverErrorNonJson && error.errorCode !== ErrorCode.invalidJson;
}

/** Silent acquisition found nothing usable (`null`): the error every caller that needs a token raises for it. */
export function noTokenError(): InteractionRequiredError {
  return new InteractionRequiredError(ErrorCode.noTokensFound, 'No token is cached for this account and no refresh token can get one: sign in again.');
}

/** A token was asked for with nobody signed in. */
export function nobodySignedInError(): InteractionRequiredError {
  return new InteractionRequiredError(ErrorCode.noAccount, 'Nobody is signed in: sign in to get a token.');
}
