import { ConfigurationError, ErrorCode } from '../errors.js';
import { type HttpCacheStore, readCachedDocument, writeCachedDocument } from '../http/httpCache.js';
import { send, type TransportOptions } from '../http/transport.js';
import type { Authority } from './authority.js';
import { isKnownMicrosoftHost, knownCloudGroup } from './microsoftHosts.js';

/** Where an Entra instance is reached and under which alias its tokens are cached (docs/protocol.md A2). */
export interface CloudMetadata {
  /** Host used on the wire. */
  preferredNetwork: string;
  /** Host tokens are cached under: one environment for every alias of the cloud. */
  preferredCache: string;
  /** Hosts whose tokens are interchangeable. */
  aliases: string[];
}

export interface InstanceDiscoverySettings {
  /** Default true: an instance Entra does not know is refused with `invalid_instance`. */
  validateAuthority?: boolean;
  /** Default true: ask Entra's instance discovery endpoint. False trusts the authority as given. */
  instanceDiscovery?: boolean;
  /** Hosts trusted without discovery (e.g. B2C or custom domains). */
  knownAuthorities?: readonly string[];
}

const ttlMs = 24 * 60 * 60 * 1000;

/**
 * Entra instance discovery. `GET https://login.microsoftonline.com/common/discovery/instance
 * ?api-version=1.1&authorization_endpoint={authority}oauth2/v2.0/authorize`, cached through
 * `httpCache`. `invalid_instance` refuses the authority (when validating) before any
 * credential is sent; a host the answer does not list is a custom domain, trusted as is;
 * other failures fall back to MSAL's hard-coded cloud groups. B2C, ADFS, CIAM and generic
 * OIDC authorities skip discovery, as in MSAL.
 */
export async function discoverInstance(
  authority: Authority,
  settings: InstanceDiscoverySettings,
  transport: TransportOptions,
  httpCache: HttpCacheStore,
): Promise<CloudMetadata> {
  const host = authority.host;
  const asGiven: CloudMetadata = { preferredNetwork: host, preferredCache: host, aliases: [host] };
  if (authority.kind !== 'aad') return asGiven;
  if (settings.knownAuthorities?.some((known) => known.toLowerCase() === host || safeHost(known) === host)) return asGiven;
  if (settings.instanceDiscovery === false) return knownCloudGroup(host) ?? asGiven;

  const cacheKey = `keyward.instance|${host}`;
  // The cache may be shared with every script of the origin: an entry is used only if it
  // passes the checks a fresh answer passes (otherwise it is asked for again).
  const cached = readCachedDocument(httpCache, cacheKey, ttlMs);
  if (isTrustedCloud(host, cached, settings)) return cached;

  const discoveryHost = isKnownMicrosoftHost(host) ? host : 'login.microsoftonline.com';
  const url = `https://${discoveryHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${authority.canonical}oauth2/v2.0/authorize`)}`;
  let body: Record<string, unknown> | undefined;
  try {
    const response = await send({ ...transport, maxRetryAfterWait: 5 }, { url, method: 'GET', headers: { accept: 'application/json' } });
    body = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    body = undefined; // unreachable or not JSON: fall back below
  }
  if (body?.error === 'invalid_instance') {
    if (settings.validateAuthority === false) return asGiven;
    throw new ConfigurationError(
      ErrorCode.invalidInstance,
      `Microsoft Entra does not know the instance "${host}" (invalid_instance). Check the authority, or, for a trusted custom host, list it in "knownAuthorities" or set "validateAuthority: false".`,
      {
        errorDescription: typeof body.error_description === 'string' ? body.error_description : undefined,
      },
    );
  }
  const groups = Array.isArray(body?.metadata) ? (body.metadata as unknown[]).map(toCloudMetadata) : undefined;
  if (!groups) return knownCloudGroup(host) ?? asGiven;
  // One answer describes every alias: remember it for each, so another alias costs no second call.
  for (const candidate of groups) {
    for (const alias of candidate?.aliases ?? []) {
      if (isTrustedCloud(alias, candidate, settings)) writeCachedDocument(httpCache, `keyward.instance|${alias}`, candidate, ttlMs);
    }
  }
  const listed = groups.find((candidate) => candidate?.aliases.includes(host));
  if (!listed) {
    // Not listed: a custom domain, trusted as is (MSAL).
    writeCachedDocument(httpCache, cacheKey, asGiven, ttlMs);
    return asGiven;
  }
  // The wire host decides where codes, verifiers and refresh tokens go: it must be one keyward can vouch for.
  return isTrustedCloud(host, listed, settings) ? listed : (knownCloudGroup(host) ?? asGiven);
}

/**
 * The checks every instance-discovery answer passes, fresh or cached: well formed, listing
 * `host` among its aliases, and sending traffic (`preferredNetwork`) and keying the cache
 * (`preferredCache`) only to hosts keyward can vouch for: `host` itself, a host of the same
 * Microsoft cloud in MSAL's hard-coded groups (msal-common `AuthorityMetadata.ts`), or a
 * host the app listed in `knownAuthorities`.
 */
function isTrustedCloud(host: string, cloud: unknown, settings: InstanceDiscoverySettings): cloud is CloudMetadata {
  const candidate = cloud as Partial<CloudMetadata> | undefined;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.preferredNetwork !== 'string' || typeof candidate.preferredCache !== 'string')
    return false;
  if (!Array.isArray(candidate.aliases) || !candidate.aliases.every((alias) => typeof alias === 'string') || !candidate.aliases.includes(host)) return false;
  const vouched = new Set([host, ...(knownCloudGroup(host)?.aliases ?? [])]);
  for (const known of settings.knownAuthorities ?? []) {
    const knownHost = safeHost(known);
    if (knownHost) vouched.add(knownHost);
  }
  return vouched.has(candidate.preferredNetwork) && vouched.has(candidate.preferredCache);
}

function toCloudMetadata(value: unknown): CloudMetadata | undefined {
  const entry = value as { preferred_network?: unknown; preferred_cache?: unknown; aliases?: unknown };
  if (typeof entry?.preferred_network !== 'string' || typeof entry.preferred_cache !== 'string' || !Array.isArray(entry.aliases)) return undefined;
  return {
    preferredNetwork: entry.preferred_network.toLowerCase(),
    preferredCache: entry.preferred_cache.toLowerCase(),
    aliases: entry.aliases.filter((alias): alias is string => typeof alias === 'string').map((alias) => alias.toLowerCase()),
  };
}

function safeHost(value: string): string | undefined {
  try {
    return new URL(value.includes('://') ? value : `https://${value}`).host.toLowerCase();
  } catch {
    return undefined;
  }
}
