import { ConfigurationError, ErrorCode } from '../errors.js';
import { AuthorityBuilder } from './authorityBuilder.js';

/**
 * How an authority is treated. `oidc` is any standard provider given as `oidcAuthority`;
 * the others are Microsoft identity platform shapes (see docs/protocol.md A1).
 */
export type AuthorityKind = 'aad' | 'b2c' | 'adfs' | 'ciam' | 'oidc';

/** A parsed, canonical authority. Immutable; cheap to compare by `canonical`. */
export interface Authority {
  kind: AuthorityKind;
  /** `https://host/path/` with exactly one trailing slash. */
  canonical: string;
  /** Host (with port when not default), lower-case; the cache `environment` until instance discovery says otherwise. */
  host: string;
  /** Tenant path segment for Entra shapes (`common`, a GUID, a domain); the B2C policy for B2C; `''` for OIDC. */
  tenant: string;
  /** Where the OpenID configuration lives. */
  metadataUrl: string;
}

/** Entra's tenant-less aliases: they never name a tenant, so the issuer keeps its placeholder. */
export const multiTenantAliases = new Set(['common', 'organizations', 'consumers']);

/** The default authority, as in MSAL. */
export const defaultAuthority = new AuthorityBuilder('login.microsoftonline.com', 'common').toString();

const b2cHostSuffixes = ['.b2clogin.com', '.b2clogin.cn', '.b2clogin.us', '.b2clogin.de'];

/** Parses an Entra-shaped `authority` (see the kinds above). */
export function parseAuthority(url: string | AuthorityBuilder): Authority {
  const parsed = parseUrl(String(url), 'authority');
  const segments = parsed.pathname.split('/').filter(Boolean);
  const host = parsed.host.toLowerCase();

  if (host.endsWith('.ciamlogin.com')) {
    // A path-less CIAM authority means the tenant named by the subdomain (MSAL rewrites it the same way).
    if (segments.length === 0) segments.push(`${host.slice(0, -'.ciamlogin.com'.length)}.onmicrosoft.com`);
    return build('ciam', parsed, segments, segments[0] ?? '');
  }
  if (b2cHostSuffixes.some((suffix) => host.endsWith(suffix)) || segments[0]?.toLowerCase() === 'tfp') {
    const policy = segments.at(-1) ?? '';
    if (segments.length < 2 || (segments[0]?.toLowerCase() === 'tfp' && segments.length < 3))
      throw invalid(String(url), 'a B2C authority needs a tenant and a policy: https://{tenant}.b2clogin.com/{tenant}.onmicrosoft.com/{policy}');
    return build('b2c', parsed, segments, policy.toLowerCase());
  }
  if (segments[0]?.toLowerCase() === 'adfs') return build('adfs', parsed, segments, 'adfs');
  if (segments.length === 0)
    throw invalid(
      String(url),
      'an Entra authority names a tenant: https://login.microsoftonline.com/{tenant id | domain | common | organizations | consumers}',
    );
  return build('aad', parsed, segments, (segments[0] ?? '').toLowerCase());
}

/** Parses an `oidcAuthority`: any OpenID Connect issuer URL. */
export function parseOidcAuthority(url: string): Authority {
  const parsed = parseUrl(url, 'oidcAuthority');
  const base = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  return {
    kind: 'oidc',
    canonical: `${base}/`,
    host: parsed.host.toLowerCase(),
    tenant: '',
    metadataUrl: `${base}/.well-known/openid-configuration`,
  };
}

function build(kind: AuthorityKind, url: URL, segments: string[], tenant: string): Authority {
  const canonical = `${url.origin}/${segments.join('/')}/`;
  const lowerCanonical = canonical.toLowerCase();
  // Entra's v2.0 document lives under /v2.0/ unless the authority already ends there; ADFS has none.
  const metadataUrl =
    kind === 'adfs' || lowerCanonical.endsWith('/v2.0/') ? `${canonical}.well-known/openid-configuration` : `${canonical}v2.0/.well-known/openid-configuration`;
  return { kind, canonical, host: url.host.toLowerCase(), tenant, metadataUrl };
}

function parseUrl(value: string, option: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigurationError(
      ErrorCode.invalidAuthority,
      `The "${option}" option "${value}" is not an absolute URL. Use e.g. https://login.microsoftonline.com/common or your provider's issuer URL.`,
    );
  }
  if (parsed.search || parsed.hash) {
    throw new ConfigurationError(ErrorCode.invalidAuthority, `The "${option}" option must not carry a query or fragment ("${value}").`);
  }
  assertSecureUrl(parsed, option);
  return parsed;
}

/** The same authority reached through another host of its cloud (instance discovery's preferred network). */
export function withHost(authority: Authority, host: string): Authority {
  if (host === authority.host) return authority;
  const swap = (url: string): string => {
    const parsed = new URL(url);
    parsed.host = host;
    return parsed.toString();
  };
  return { ...authority, host, canonical: swap(authority.canonical), metadataUrl: swap(authority.metadataUrl) };
}

/** Loopback hosts may use http (local development and tests); everything else must be https. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname.endsWith('.localhost');
}

/** Throws unless `url` is https, or http on a loopback host. */
export function assertSecureUrl(url: URL, what: string): void {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return;
  throw new ConfigurationError(ErrorCode.insecureEndpoint, `${what} "${url.href}" must use https (plain http is accepted only for 127.0.0.1 and localhost).`);
}

function invalid(value: string, hint: string): ConfigurationError {
  return new ConfigurationError(ErrorCode.invalidAuthority, `The authority "${value}" is not a valid authority: ${hint}.`);
}
