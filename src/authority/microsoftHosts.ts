/**
 * Microsoft identity platform hosts whose tokens are interchangeable within a group
 * (msal-common `AuthorityMetadata.ts`; PROTOCOL.md A1). Instance discovery (its own
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

/** True for a host in the hard-coded Microsoft alias groups. */
export function isKnownMicrosoftHost(host: string): boolean {
  return knownHosts.has(host.toLowerCase());
}

/** True for `{region}.{known host}` (regional ESTS endpoints). */
export function isRegionalMicrosoftHost(host: string): boolean {
  const dot = host.indexOf('.');
  return dot > 0 && knownHosts.has(host.slice(dot + 1).toLowerCase());
}
