import type { OidcMetadata } from 'oidc-client-ts';
import { ConfigurationError, ErrorCode } from '../errors.js';
import { type HttpCacheStore, readCachedDocument, writeCachedDocument } from '../http/httpCache.js';
import { parseJsonBody, send, type TransportOptions } from '../http/transport.js';
import { assertSecureUrl, type Authority, multiTenantAliases } from './authority.js';
import { isKnownMicrosoftHost, isRegionalMicrosoftHost } from './microsoftHosts.js';

/** The discovery document: oidc-client-ts's `OidcMetadata` plus the members it does not model. */
export type DiscoveryDocument = Partial<OidcMetadata> & {
  id_token_signing_alg_values_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  dpop_signing_alg_values_supported?: string[];
  device_authorization_endpoint?: string;
};

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
}

/** Discovery documents are public and change rarely; a day matches MSAL's metadata cache. */
const metadataTtlMs = 24 * 60 * 60 * 1000;

/**
 * Fetches (or reads from `httpCache`) and validates the OpenID configuration of an authority.
 * `oidc-client-ts`'s `MetadataService` fetches with its own `fetch` and keeps no shared
 * cache, so keyward fetches through its own transport (timeout, retry, `httpClient`) and
 * borrows only its `OidcMetadata` type.
 */
export async function loadMetadata(authority: Authority, transport: TransportOptions, httpCache: HttpCacheStore): Promise<AuthorityMetadata> {
  const cacheKey = `keyward.metadata|${authority.metadataUrl}`;
  let document = readCachedDocument(httpCache, cacheKey) as DiscoveryDocument | undefined;
  if (!document) {
    const response = await send({ ...transport, maxRetryAfterWait: 5 }, { url: authority.metadataUrl, method: 'GET', headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      throw new ConfigurationError(ErrorCode.invalidMetadata, `The OpenID configuration at ${authority.metadataUrl} answered HTTP ${response.status}. Check the authority URL.`);
    }
    document = parseJsonBody(response, authority.metadataUrl) as DiscoveryDocument;
    const metadata = validateMetadata(authority, document);
    writeCachedDocument(httpCache, cacheKey, document, metadataTtlMs);
    return metadata;
  }
  return validateMetadata(authority, document);
}

/** Checks a discovery document against the authority it was fetched for (checklist #6, #7). */
export function validateMetadata(authority: Authority, document: DiscoveryDocument): AuthorityMetadata {
  const where = authority.metadataUrl;
  const issuer = requireString(document, 'issuer', where);
  const endpoint = (name: keyof DiscoveryDocument): string => {
    const value = requireString(document, name, where);
    assertSecureUrl(new URL(substituteTenant(value, authority)), `"${name}" in ${where}`);
    return substituteTenant(value, authority);
  };
  const optionalEndpoint = (name: keyof DiscoveryDocument): string | undefined =>
    typeof document[name] === 'string' ? endpoint(name) : undefined;

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
  };
}

/**
 * The document's issuer must belong to the authority (OIDC Discovery 4.3; for Entra,
 * MSAL's `validateIssuer` rules, PROTOCOL.md A3).
 */
function validateIssuer(authority: Authority, issuer: string): void {
  const mismatch = (): ConfigurationError =>
    new ConfigurationError(ErrorCode.issuerMismatch, `The OpenID configuration at ${authority.metadataUrl} names issuer "${issuer}", which does not belong to the authority ${authority.canonical}. Refusing to trust it (possible mix-up or misconfiguration).`);
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
  // CIAM issuers may sit on another ciamlogin.com subdomain than the authority (PROTOCOL.md A3 rule 4).
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
