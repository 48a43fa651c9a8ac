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
  invalidAuthority: 'invalid_authority',
  invalidInstance: 'invalid_instance',
  invalidConfiguration: 'invalid_configuration',
  insecureEndpoint: 'insecure_endpoint',
  issuerMismatch: 'issuer_mismatch',
  invalidMetadata: 'invalid_metadata',
  invalidRequest: 'invalid_request',
  invalidClaims: 'invalid_claims',
  reservedScope: 'reserved_scope',
  parUnsupported: 'par_unsupported',

  // Confidential clients, keyward/server (ConfigurationError at construction)
  serverClientInBrowser: 'server_client_in_browser',
  credentialInvalid: 'credential_invalid',
  credentialPassphraseIncorrect: 'credential_passphrase_incorrect',
  credentialKeyMalformed: 'credential_key_malformed',
  credentialCertificateMalformed: 'credential_certificate_malformed',
  credentialKeyCertificateMismatch: 'credential_key_certificate_mismatch',
  credentialCertificateExpired: 'credential_certificate_expired',
  credentialCertificateNotYetValid: 'credential_certificate_not_yet_valid',
  credentialThumbprintInvalid: 'credential_thumbprint_invalid',
  credentialPfxUnreadable: 'credential_pfx_unreadable',
  caBundleInvalid: 'ca_bundle_invalid',
  undiciMissing: 'undici_missing',
  nodeForgeMissing: 'node_forge_missing',
  // Confidential clients at request time (ClientAuthError)
  clientAssertionFailed: 'client_assertion_failed',

  // Authorization response (ClientAuthError)
  stateMissing: 'state_missing',
  stateMismatch: 'state_mismatch',
  noPendingRequest: 'no_token_request_cache_error',
  issMismatch: 'iss_mismatch',
  issMissing: 'iss_missing',
  codeMissing: 'code_missing',
  aborted: 'aborted',
  flowAlreadyUsed: 'flow_already_used',
  flowMismatch: 'flow_mismatch',
  flowExpired: 'flow_expired',
  requestUriExpired: 'request_uri_expired',
  invalidParResponse: 'invalid_par_response',

  // Token response (ClientAuthError)
  invalidTokenResponse: 'invalid_token_response',
  accessTokenMissing: 'access_token_missing',
  tokenTypeMismatch: 'token_type_mismatch',
  dpopTokenTypeMismatch: 'dpop_token_type_mismatch',
  popTokenTypeMismatch: 'pop_token_type_mismatch',
  popCnfMismatch: 'token_claims_cnf_required_for_signedjwt',

  // id_token validation (IdTokenError)
  idTokenMissing: 'id_token_missing',
  idTokenMalformed: 'id_token_malformed',
  idTokenAlgNotAllowed: 'id_token_alg_not_allowed',
  idTokenSignatureInvalid: 'id_token_signature_invalid',
  idTokenKeyNotFound: 'id_token_key_not_found',
  idTokenIssuerMismatch: 'id_token_issuer_mismatch',
  idTokenAudienceMismatch: 'id_token_audience_mismatch',
  idTokenAzpMismatch: 'id_token_azp_mismatch',
  idTokenExpired: 'id_token_expired',
  idTokenIssuedInFuture: 'id_token_issued_in_future',
  idTokenClaimMissing: 'id_token_claim_missing',
  nonceMismatch: 'nonce_mismatch',
  authTimeMissing: 'auth_time_missing',
  authTimeTooOld: 'auth_time_too_old',
  idTokenSubjectChanged: 'id_token_subject_changed',

  // Transport (NetworkError / ServerError)
  networkError: 'network_error',
  timedOut: 'timed_out',
  tlsVerificationFailed: 'tls_verification_failed',
  serverErrorNonJson: 'server_error_non_json',
  serverError: 'server_error',
  throttled: 'throttled',
  invalidJson: 'invalid_json',
  responseTooLarge: 'response_too_large',
  redirectRefused: 'redirect_refused',

  // Authenticated fetch (ConfigurationError)
  resourceOriginNotAllowed: 'resource_origin_not_allowed',

  // Interaction (BrowserError)
  popupWindowError: 'popup_window_error',
  userCancelled: 'user_cancelled',
  monitorWindowTimeout: 'monitor_window_timeout',
  interactionInProgress: 'interaction_in_progress',
  notInBrowser: 'not_in_browser',
  cryptoUnavailable: 'crypto_unavailable',
  storageUnavailable: 'storage_unavailable',

  // Token cache (CacheError, and cache warning events)
  cacheUnavailable: 'cache_unavailable',
  cacheQuotaExceeded: 'cache_quota_exceeded',
  cacheWriteFailed: 'cache_write_failed',
  cacheDeserializeFailed: 'cache_deserialize_failed',
  cacheEntryDropped: 'cache_entry_dropped',
  cacheMigrated: 'cache_migrated',
  cacheBroadcastRejected: 'cache_broadcast_rejected',
  accountSignedOut: 'account_signed_out',

  // Silent acquisition (InteractionRequiredError)
  interactionRequired: 'interaction_required',
  noAccount: 'no_account',
  noTokensFound: 'no_tokens_found',

  // React layer (ConfigurationError)
  noAuthProvider: 'no_auth_provider',

  // Provider `error` / `suberror` values keyward branches on (RFC 6749 5.2, RFC 8628 3.5, Entra)
  invalidGrant: 'invalid_grant',
  badToken: 'bad_token',
  authorizationPending: 'authorization_pending',
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
  readonly errorDescription: string | undefined;
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
  status?: number;
  suberror?: string;
  errorCodes?: number[];
  errorUri?: string;
  /** A claims challenge the server asked for (Entra puts it in token error bodies). */
  claims?: string;
  /** Seconds to wait before retrying, from `Retry-After`. */
  retryAfter?: number;
}

/** The authorization server answered with an error (OAuth error body, non-JSON body, 5xx…). */
export class ServerError extends KeywardError {
  readonly status: number | undefined;
  readonly suberror: string | undefined;
  readonly errorCodes: number[] | undefined;
  readonly errorUri: string | undefined;
  readonly claims: string | undefined;
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
