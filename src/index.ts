/**
 * keyward core: sign people in and get tokens in the browser, against Microsoft Entra ID
 * or any OpenID Connect provider. No React here; see `keyward/react`.
 * @packageDocumentation
 */
export { PublicClientApplication } from './client/PublicClientApplication.js';
export type { PublicClientApplicationOptions, SessionMonitorOptions, SharedClientOptions } from './client/options.js';
export { browserNavigationClient } from './client/browser/navigation.js';
export type { NavigationClient, NavigationOptions } from './client/browser/navigation.js';
export type { AuthSnapshot } from './types.js';
export type { AuthClient } from './types.js';
export type { AuthEvent } from './types.js';
export type { AccountInfo, AuthenticationResult, AuthorityType, TenantProfile, TokenErrorResult } from './types.js';
export { isTokenErrorResult } from './client/token/results.js';
export type { AuthorizationCodeOptions, AuthorizationRequestUrlOptions } from './client/flows/authCode.js';
export type { AuthCodeFlowOptions } from './types.js';
export type { InteractiveOptions } from './types.js';
export type { SilentOptions, CacheLookupPolicy, SsoSilentRequest } from './types.js';
export type { AcquireTokenByCodeRequest } from './client/flows/spaCode.js';
export type { LogoutOptions } from './types.js';
export type { DeviceFlow, DeviceFlowOptions, DeviceFlowPollOptions } from './client/flows/deviceFlow.js';
export type { UsernamePasswordOptions } from './client/flows/usernamePassword.js';
export type { AuthCodeFlow } from './protocol/authCodeFlow.js';
export type { AuthResponse } from './protocol/authResponse.js';
export type { IdTokenClaims } from './types.js';
export { parseClaimsChallenge } from './protocol/claimsChallenge.js';
export type { AuthScheme } from './types.js';
export { isPopSupported } from './pop/isPopSupported.js';
export { createAuthFetch } from './pop/authFetch.js';
export type { AuthFetchClient, AuthFetchOptions } from './pop/authFetch.js';
export { AuthorityBuilder, AZURE_CHINA, AZURE_PUBLIC, AZURE_US_GOVERNMENT } from './authority/authorityBuilder.js';
export type { AuthorityKind } from './authority/authority.js';
export type { HttpClient, HttpRequest, HttpResponse } from './http/httpClient.js';
export type { HttpCacheStore } from './http/httpCache.js';
export { StorageHttpCache } from './http/storageHttpCache.js';
// The option `tokenCache` takes one; the caches themselves and the schema are in `keyward/cache`.
export type { TokenCache } from './cache/tokenCache.js';
export type { LogLevel, LogCallback, LoggerOptions } from './logger.js';
export { ApiId, MsalApiIds } from './http/telemetry.js';
export type { ApiIdValue } from './http/telemetry.js';
export {
  ErrorCode,
  KeywardError,
  ConfigurationError,
  ClientAuthError,
  IdTokenError,
  NetworkError,
  ServerError,
  InteractionRequiredError,
  BrowserError,
  CacheError,
} from './errors.js';
export { isProviderRefusal } from './errors.js';
export type { ErrorCodeString, ErrorCodeValue, KeywardErrorOptions, ServerErrorOptions } from './errors.js';
