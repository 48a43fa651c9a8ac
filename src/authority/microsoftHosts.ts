/**
 * Microsoft identity platform hosts whose tokens are interchangeable within a group
 * (msal-common `AuthorityMetadata.ts`; docs/protocol.md A1). Instance discovery (its own
 * module) can add groups at run time; these are the ones every MSAL ships.
 */
export const knownMicrosoftHostGroups: readonly (readonly string[])[] = [
  ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
  ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
  ['login.microsoftonline.us', 'login.usgovcloudapi.net'],
  ['login.microsoftonline.de'],
  ['login-us.microsoftonline.com'],
  ['login.sovcloud-identity.fr'],
  ['login.sovcloud-identity.de'],
  ['login.sovcloud-identity.sg'],
];

const knownHosts = new Set(knownMicrosoftHostGroups.flat());

/** The hard-coded cloud metadata of a known host (msal-common `AuthorityMetadata.ts`), or undefined. */
export function knownCloudGroup(host: string): { preferredNetwork: string; preferredCache: string; aliases: string[] } | undefined {
  const lower = host.toLowerCase();
  const group = knownMicrosoftHostGroups.find((aliases) => aliases.includes(lower));
  if (!group) return undefined;
  // Only the public cloud caches under a different alias than it talks to.
  const preferredCache = group[0] === 'login.microsoftonline.com' ? 'login.windows.net' : group[0]!;
  return { preferredNetwork: group[0]!, preferredCache, aliases: [...group] };
}

/** True for a host in the hard-coded Microsoft alias groups. */
export function isKnownMicrosoftHost(host: string): boolean {
  return knownHosts.has(host.toLowerCase());
}

/** True for `{region}.{known host}` (regional ESTS endpoints). */
export function isRegionalMicrosoftHost(host: string): boolean {
  const dot = host.indexOf('.');
  return dot > 0 && knownHosts.has(host.slice(dot + 1).toLowerCase());
}

/**
 * The regional host of a Microsoft cloud (msal-common `Authority.buildRegionalAuthorityString`):
 * the public cloud's aliases all go to `{region}.login.microsoft.com`; another known cloud
 * (e.g. `login.microsoftonline.us`) to `{region}.{its host}`. `undefined` for hosts with no
 * regional endpoints (B2C, CIAM, ADFS, custom domains, other providers).
 */
export function regionalHost(host: string, region: string): string | undefined {
  const group = knownMicrosoftHostGroups.find((aliases) => aliases.includes(host.toLowerCase()));
  if (!group) return undefined;
  return group[0] === 'login.microsoftonline.com' ? `${region}.login.microsoft.com` : `${region}.${host.toLowerCase()}`;
}
