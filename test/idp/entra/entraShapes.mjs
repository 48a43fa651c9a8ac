// Entra ID wire shapes used by createEntraIdp.mjs: discovery documents,
// instance discovery metadata and the AADSTS error body. Every shape names the
// public source it was copied from; /work/shared/docs/protocol.md section A is the
// project's digest of the same sources.
import { randomUUID } from 'node:crypto';

/** Hosts of the public cloud, first = preferred_network, second = preferred_cache. */
export const PUBLIC_CLOUD_ALIASES = ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'];

/**
 * Instance discovery `metadata`, in the order Entra sends it.
 * Source: recorded live response to `GET https://login.microsoftonline.com/common/discovery/instance`
 * in Azure/azure-sdk-for-js `sdk/relay/arm-relay/recordings/node/relay_test/recording_namespaces_list_test.js`
 * (2021; the first five groups, byte for byte), plus the `login.sovcloud-identity.*` groups that
 * msal-common hard-codes from the same endpoint (docs/protocol.md A1, [mc/authority/AuthorityMetadata.ts]).
 */
export const INSTANCE_METADATA = [
  { preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: PUBLIC_CLOUD_ALIASES },
  {
    preferred_network: 'login.partner.microsoftonline.cn',
    preferred_cache: 'login.partner.microsoftonline.cn',
    aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
  },
  { preferred_network: 'login.microsoftonline.de', preferred_cache: 'login.microsoftonline.de', aliases: ['login.microsoftonline.de'] },
  {
    preferred_network: 'login.microsoftonline.us',
    preferred_cache: 'login.microsoftonline.us',
    aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'],
  },
  { preferred_network: 'login-us.microsoftonline.com', preferred_cache: 'login-us.microsoftonline.com', aliases: ['login-us.microsoftonline.com'] },
  { preferred_network: 'login.sovcloud-identity.fr', preferred_cache: 'login.sovcloud-identity.fr', aliases: ['login.sovcloud-identity.fr'] },
  { preferred_network: 'login.sovcloud-identity.de', preferred_cache: 'login.sovcloud-identity.de', aliases: ['login.sovcloud-identity.de'] },
  { preferred_network: 'login.sovcloud-identity.sg', preferred_cache: 'login.sovcloud-identity.sg', aliases: ['login.sovcloud-identity.sg'] },
];

/** Every host instance discovery knows (docs/protocol.md A1 / A2). */
export const KNOWN_MICROSOFT_HOSTS = new Set(INSTANCE_METADATA.flatMap((g) => g.aliases));

/**
 * Headers Entra sends on discovery, instance discovery and keys.
 * Source: the same azure-sdk-for-js recordings (`Cache-Control: max-age=86400, private`,
 * `Access-Control-Allow-Origin: *`, `Access-Control-Allow-Methods: GET, OPTIONS`).
 * Note the browser HTTP cache honours max-age: a page that fetches the same
 * document twice in one context sees one request on the wire, as with Entra.
 */
export const METADATA_HEADERS = {
  'Cache-Control': 'max-age=86400, private',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, OPTIONS',
};

/** "2023-01-04 19:44:18Z", Entra's timestamp format (error bodies, see entraError). */
export function entraTimestamp(date = new Date()) {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * The AADSTS error body.
 * Source (member order and description layout): a live token-endpoint error quoted in
 * AzureAD/microsoft-authentication-library-for-js issue #5491 (2023):
 *   {"error":"invalid_grant","error_description":"AADSTS50076: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: 2023-01-04 19:44:18Z",
 *    "error_codes":[50076],"timestamp":"2023-01-04 19:44:18Z","trace_id":"…","correlation_id":"…",
 *    "error_uri":"https://login.microsoftonline.com/error?code=50076","suberror":"basic_action","claims":"{…}"}
 * and the sample on learn.microsoft.com/entra/identity-platform/reference-error-codes
 * ("Handling error codes in your application"). docs/protocol.md A11.
 * @param {{ error: string, code: number, text: string, correlationId?: string, traceId?: string,
 *   suberror?: string, claims?: string, host?: string }} e
 */
export function entraError({ error, code, text, correlationId, traceId = randomUUID(), suberror, claims, host = 'login.microsoftonline.com' }) {
  const timestamp = entraTimestamp();
  const correlation = correlationId || randomUUID();
  /** @type {Record<string, unknown>} */
  const body = {
    error,
    error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://${host}/error?code=${code}`,
  };
  if (suberror) body.suberror = suberror;
  if (claims !== undefined) body.claims = claims;
  return body;
}

/**
 * AADSTS codes and their sentences. Numbers and meanings from
 * learn.microsoft.com/entra/identity-platform/reference-error-codes (docs/protocol.md A11);
 * sentences as Entra words them on the wire where a capture was found (marked), the
 * reference table's text otherwise. Clients must never branch on these (Microsoft says so).
 */
export const AADSTS = {
  // Wire capture: learn.microsoft.com/answers/questions/981553 (device flow, 2022).
  authorizationPending: [70016, 'The provided request has not yet been authorized by the user. The user must input their code.'],
  codeExpired: [70019, 'Verification code expired.'],
  // Entra's device flow page lists `authorization_declined` for a user who says no (v2-oauth2-device-code).
  authorizationDeclined: [70000, 'The user declined the authorization request.'],
  badVerificationCode: [70018, 'Invalid verification code due to User typing in wrong user code for device code flow. Authorization is not approved.'],
  invalidCredentials: [50126, 'Error validating credentials due to invalid username or password.'],
  expiredOrRevokedGrant: [
    70008,
    'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
  ],
  expiredInactiveRefreshToken: [700082, 'The refresh token has expired due to inactivity.'],
  spaRefreshTokenExpired: [
    700084,
    'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page.',
  ],
  codeRedeemed: [54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'],
  codeVerifierMismatch: [501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'],
  replyAddressMismatch: [500112, 'The reply address does not match the reply address provided when requesting Authorization code.'],
  tokensRevoked: [
    50173,
    'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
  ],
  invalidScope: [70011, "The provided value for the input parameter 'scope' is not valid."],
  unsupportedGrantType: [70003, 'The app requested an unsupported grant type.'],
  appNotFound: [
    700016,
    'Application was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.',
  ],
  missingParameter: [900144, 'The request body must contain the following parameter.'],
  invalidRequest: [9002313, 'Invalid request. Request is malformed or invalid.'],
  resourceNotFound: [500011, 'The resource principal was not found in the tenant.'],
  // Conditional Access step-up; wire capture in MSAL.js issue #5491 (see entraError).
  mfaRequired: [
    50076,
    'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.',
  ],
  noSession: [50058, 'A silent sign-in request was sent but no user is signed in.'],
  consentRequired: [65001, 'The user or administrator has not consented to use the application.'],
  userDeclined: [65004, 'User declined to consent to access the app.'],
  tenantNotFound: [90002, 'Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.'],
  invalidTenantIdentifier: [900023, 'Specified tenant identifier is neither a valid DNS name, nor a valid external domain.'],
  // docs/protocol.md A2 (learn.microsoft.com MSAL.NET "Custom authority aliases").
  unknownInstance: [50049, 'Unknown or invalid instance.'],
  throttled: [90055, 'There are too many incoming requests. Try again later.'],
  unavailable: [90033, 'A transient error has occurred. Please try again.'],
  server: [90100, 'An unexpected error occurred.'],
};

/**
 * Entra's v2.0 OpenID configuration, member for member and in Entra's order.
 * Source: recorded live `GET https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration`
 * in Azure/azure-sdk-for-js test recordings (2021, tenant ids sanitized), and docs/protocol.md A3.
 * `tenant_region_scope` is `null` in the multi-tenant documents (common/organizations/consumers).
 * The endpoint URLs themselves come from oidc-provider (see createEntraIdp.mjs): they prove the
 * mounting, this function only puts them in Entra's document.
 * @param {{ issuer: string, host: string, segment: string, multiTenant: boolean,
 *   endpoints: { token_endpoint: string, jwks_uri: string, authorization_endpoint: string,
 *     device_authorization_endpoint: string, end_session_endpoint: string } }} o
 */
export function openidConfiguration({ issuer, host, segment, multiTenant, endpoints }) {
  return {
    token_endpoint: endpoints.token_endpoint,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: endpoints.jwks_uri,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: endpoints.authorization_endpoint,
    device_authorization_endpoint: endpoints.device_authorization_endpoint,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: endpoints.end_session_endpoint,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `https://${host}/${segment}/kerberos`,
    tenant_region_scope: multiTenant ? null : 'WW',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/**
 * Device authorization response, Entra's member order.
 * Source: live response quoted on learn.microsoft.com/answers/questions/981553 (2022):
 *   {"user_code":"YZMYLD4K","device_code":"…","verification_uri":"https://www.microsoft.com/link",
 *    "expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page
 *    https://www.microsoft.com/link and enter the code YZMYLD4K to authenticate."}
 * Entra sends no `verification_uri_complete` (learn.microsoft.com v2-oauth2-device-code).
 */
export function deviceCodeResponse({ userCode, deviceCode, verificationUri, expiresIn, interval }) {
  return {
    user_code: userCode,
    device_code: deviceCode,
    verification_uri: verificationUri,
    expires_in: expiresIn,
    interval,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
  };
}
