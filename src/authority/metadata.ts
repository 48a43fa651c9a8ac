import { ConfigurationError, ErrorCode } from '../errors.js';
import { type HttpCacheStore, readCachedDocument, writeCachedDocument } from '../http/httpCache.js';
import { parseJsonBody, send, type TransportOptions } from '../http/transport.js';
import { assertSecureUrl, type Authority, multiTenantAliases } from './authority.js';
import { SingleFlight } from '../util/singleFlight.js';
import { isKnownMicrosoftHost, isRegionalMicrosoftHost } from './microsoftHosts.js';

/**
 * The discovery document (OpenID Connect Discovery 1.0 section 3, RFC 8414 section 2): the
 * members keyward reads, all optional until {@link validateMetadata} checks them. Declared
 * here rather than borrowed from oidc-client-ts so the package needs no runtime dependency
 * for a type.
 */
export interface DiscoveryDocument {
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  jwks_uri?: string;
  end_session_endpoint?: string;
  /** RFC 7009 / RFC 8414 2. */
  revocation_endpoint?: string;
  /** OpenID Connect Session Management 1.0 section 3.3. */
  check_session_iframe?: string;
  userinfo_endpoint?: string;
  scopes_supported?: string[];
  response_types_supported?: string[];
  code_challenge_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  dpop_signing_alg_values_supported?: string[];
  device_authorization_endpoint?: string;
  pushed_authorization_request_endpoint?: string;
  require_pushed_authorization_requests?: boolean;
}

/** The parts of the OpenID configuration keyward uses, validated. */
export interface AuthorityMetadata {
  /** As published; Entra's multi-tenant documents keep a `{tenantid}` placeholder. */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  endSessionEndpoint: string | undefined;
  deviceAuthorizationEndpoint: string | undefined;
  /** Advertised id_token algorithms; empty when the provider does not say. */
  idTokenSigningAlgs: string[];
  /** RFC 9207: the provider promises `iss` on every authorization response. */
  authorizationResponseIssRequired: boolean;
  dpopSigningAlgs: string[];
  /** RFC 9126 5: where authorization requests are pushed. */
  pushedAuthorizationRequestEndpoint: string | undefined;
  /** RFC 9126 5: the provider accepts only pushed authorization requests. */
  requirePushedAuthorizationRequests: boolean;
  /**
   * RFC 7009 / RFC 8414 2: where tokens are revoked. Entra ID (and B2C, CIAM, ADFS) publish
   * none, so sign-out there revokes nothing.
   */
  revocationEndpoint: string | undefined;
  /** OpenID Connect Session Management 1.0 section 3.3: the provider's session-status page. */
  checkSessionIframe: string | undefined;
}

/** Discovery documents are public and change rarely; a day matches MSAL's metadata cache. */
const metadataTtlMs = 24 * 60 * 60 * 1000;

/**
 * Fetches (or reads from `httpCache`) and validates the OpenID configuration of an authority.
 * `oidc-client-ts`'s `MetadataService` fetches with its own `fetch` and keeps no shared
 * cache, so keyward fetches through its own transport (timeout, retry, `httpClient`).
 */
export async function loadMetadata(authority: Authority, transport: TransportOptions, httpCache: HttpCacheStore): Promise<AuthorityMetadata> {
  const cacheKey = `keyward.metadata|${authority.metadataUrl}`;
  const cached = trustedCachedMetadata(authority, readCachedDocument(httpCache, cacheKey, metadataTtlMs));
  if (cached) return cached;
  return inFlightFor(httpCache).run(cacheKey, async () => {
    const response = await send({ ...transport, maxRetryAfterWait: 5 }, { url: authority.metadataUrl, method: 'GET', headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      throw new ConfigurationError(
        ErrorCode.invalidMetadata,
        `The OpenID configuration at ${authority.metadataUrl} answered HTTP ${response.status}. Check the authority URL.`,
      );
    }
    const document = parseJsonBody(response, authority.metadataUrl) as DiscoveryDocument;
    const metadata = validateMetadata(authority, document);
    writeCachedDocument(httpCache, cacheKey, document, metadataTtlMs);
    return metadata;
  });
}

/** Concurrent fetches of one document through one `httpCache` share one request. */
const inFlight = new WeakMap<HttpCacheStore, SingleFlight<AuthorityMetadata>>();
function inFlightFor(httpCache: HttpCacheStore): SingleFlight<AuthorityMetadata> {
  let flights = inFlight.get(httpCache);
  if (!flights) {
    flights = new SingleFlight();
    inFlight.set(httpCache, flights);
  }
  return flights;
}

/**
 * A cached document passes every check a fresh one passes (issuer, https, and for Entra
 * shapes the endpoint hosts), and one more: each endpoint keyward sends a credential to, or
 * takes keys from, must be on the authority's own host (or, for Entra shapes, a Microsoft
 * host). A fresh document from a generic provider may place its endpoints elsewhere (TLS to
 * the issuer vouches for it); a cached one might have been written by any script of the
 * origin, so such a document is simply fetched again. Anything that fails is not an error:
 * the document is fetched fresh.
 */
function trustedCachedMetadata(authority: Authority, document: unknown): AuthorityMetadata | undefined {
  if (!document || typeof document !== 'object') return undefined;
  let metadata: AuthorityMetadata;
  try {
    metadata = validateMetadata(authority, document as DiscoveryDocument);
  } catch {
    return undefined;
  }
  if (authority.kind !== 'oidc') return metadata; // validateMetadata already checked the hosts
  return sensitiveEndpoints(metadata).every((url) => hostOf(url) === authority.host) ? metadata : undefined;
}

/** The endpoints that receive credentials or decide which tokens are genuine. */
function sensitiveEndpoints(metadata: AuthorityMetadata): string[] {
  // The revocation endpoint receives refresh tokens; the check_session iframe decides when an account is signed out here.
  return [
    metadata.authorizationEndpoint,
    metadata.tokenEndpoint,
    metadata.jwksUri,
    metadata.endSessionEndpoint,
    metadata.deviceAuthorizationEndpoint,
    metadata.revocationEndpoint,
    metadata.checkSessionIframe,
  ].filter((url): url is string => url !== undefined);
}

function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/**
 * Entra shapes: every endpoint is on the authority's host or a Microsoft host (known alias
 * or `{region}.{alias}`); CIAM may use another `ciamlogin.com` subdomain. This holds for
 * every document Entra, B2C, CIAM and ADFS publish.
 */
function assertEntraEndpointHost(authority: Authority, url: URL, what: string): void {
  if (authority.kind === 'oidc') return;
  const host = url.host.toLowerCase();
  if (host === authority.host || isKnownMicrosoftHost(host) || isRegionalMicrosoftHost(host)) return;
  if (authority.kind === 'ciam' && host.endsWith('.ciamlogin.com')) return;
  throw new ConfigurationError(
    ErrorCode.invalidMetadata,
    `${what} "${url.href}" is not on the authority's host (${authority.host}) or a Microsoft host: no credentials go there.`,
  );
}

/** Checks a discovery document against the authority it was fetched for: issuer, https endpoints, and for Entra shapes their hosts. */
export function validateMetadata(authority: Authority, document: DiscoveryDocument): AuthorityMetadata {
  const where = authority.metadataUrl;
  const issuer = requireString(document, 'issuer', where);
  const endpoint = (name: keyof DiscoveryDocument): string => {
    const value = substituteTenant(requireString(document, name, where), authority);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigurationError(ErrorCode.invalidMetadata, `"${String(name)}" in ${where} is not a URL.`);
    }
    assertSecureUrl(url, `"${name}" in ${where}`);
    assertEntraEndpointHost(authority, url, `"${name}" in ${where}`);
    return value;
  };
  const optionalEndpoint = (name: keyof DiscoveryDocument): string | undefined => (typeof document[name] === 'string' ? endpoint(name) : undefined);

  validateIssuer(authority, issuer);
  return {
    issuer,
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
    jwksUri: endpoint('jwks_uri'),
    endSessionEndpoint: optionalEndpoint('end_session_endpoint'),
    deviceAuthorizationEndpoint: optionalEndpoint('device_authorization_endpoint'),
    idTokenSigningAlgs: stringArray(document.id_token_signing_alg_values_supported),
    authorizationResponseIssRequired: document.authorization_response_iss_parameter_supported === true,
    dpopSigningAlgs: stringArray(document.dpop_signing_alg_values_supported),
    pushedAuthorizationRequestEndpoint: optionalEndpoint('pushed_authorization_request_endpoint'),
    requirePushedAuthorizationRequests: document.require_pushed_authorization_requests === true,
    revocationEndpoint: optionalEndpoint('revocation_endpoint'),
    checkSessionIframe: optionalEndpoint('check_session_iframe'),
  };
}

/**
 * The document's issuer must belong to the authority (OIDC Discovery 4.3; for Entra,
 * MSAL's `validateIssuer` rules, docs/protocol.md A3).
 */
function validateIssuer(authority: Authority, issuer: string): void {
  const mismatch = (): ConfigurationError =>
    new ConfigurationError(
      ErrorCode.issuerMismatch,
      `The OpenID configuration at ${authority.metadataUrl} names issuer "${issuer}", not the authority ${authority.canonical}'s: not trusted. Check the authority URL.`,
    );
  if (authority.kind === 'oidc') {
    if (trimSlash(issuer) !== trimSlash(authority.canonical)) throw mismatch();
    return;
  }
  let url: URL;
  try {
    url = new URL(issuer.replace(/\{tenantid\}/gi, 'tenantid'));
  } catch {
    throw mismatch();
  }
  const authorityUrl = new URL(authority.canonical);
  const host = url.host.toLowerCase();
  const sameOrigin = url.protocol === authorityUrl.protocol && host === authority.host;
  const https = url.protocol === 'https:';
  // CIAM issuers may sit on another ciamlogin.com subdomain than the authority (docs/protocol.md A3 rule 4).
  const ciam = https && authority.kind === 'ciam' && host.endsWith('.ciamlogin.com');
  if (sameOrigin || (https && (isKnownMicrosoftHost(host) || isRegionalMicrosoftHost(host))) || ciam) return;
  throw mismatch();
}

/** Entra documents for a named tenant may still carry `{tenant}`; MSAL's `replaceTenant`. */
function substituteTenant(value: string, authority: Authority): string {
  if (authority.kind === 'oidc' || multiTenantAliases.has(authority.tenant)) return value;
  return value.replace(/\{tenant\}|\{tenantid\}/gi, authority.tenant);
}

function requireString(document: DiscoveryDocument, name: keyof DiscoveryDocument, where: string): string {
  const value = document[name];
  if (typeof value !== 'string' || value === '') {
    throw new ConfigurationError(ErrorCode.invalidMetadata, `The OpenID configuration at ${where} has no "${String(name)}".`);
  }
  return value;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
