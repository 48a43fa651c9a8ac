/**
 * keyward/server: a confidential client for server runtimes (Node 20.16+), sharing the
 * core's authority handling, protocol, cache format and errors. Do not import it into
 * browser code: constructing the client there throws `server_client_in_browser`.
 * @packageDocumentation
 */
export { ConfidentialClientApplication } from './confidentialClient.js';
export type { AppTokenOptions, HybridSpaOptions } from './confidentialClient.js';
export type { ConfidentialClientApplicationOptions } from './options.js';
export type { ProxyOption, VerifyOption } from './nodeTransport.js';
export type { ServerAuthenticationResult } from './appTokens.js';
export type { CertificateCredential, ClientAssertionCredential, ClientCredential, PfxCredential } from './credentials/types.js';
export { SerializableTokenCache } from '../cache/serializableTokenCache.js';
export type { CacheAccessContext, CachePlugin, SerializableTokenCacheOptions } from '../cache/serializableTokenCache.js';
export type { TokenCache } from '../cache/tokenCache.js';
export { cachePartition, distributedCachePlugin, redisCacheStore, userAssertionHash } from './distributedCache.js';
export type { DistributedCacheStore, PartitionChange, RedisCacheStoreOptions, RedisCommands } from './distributedCache.js';
export type { AccountInfo, AuthenticationResult, TokenErrorResult } from '../types.js';
export type { AuthorizationCodeOptions } from '../client/flows/authCode.js';
export type { AuthCodeFlowOptions } from '../types.js';
export type { SilentOptions } from '../types.js';
export type { AuthCodeFlow } from '../protocol/authCodeFlow.js';
export type { AuthResponse } from '../protocol/authResponse.js';
export { ApiId, MsalApiIds } from '../http/telemetry.js';
export type { ApiIdValue } from '../http/telemetry.js';
export {
  ErrorCode,
  KeywardError,
  ConfigurationError,
  ClientAuthError,
  NetworkError,
  ServerError,
  InteractionRequiredError,
  CacheError,
} from '../errors.js';
