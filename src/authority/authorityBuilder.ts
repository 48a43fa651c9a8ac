/** Azure public cloud instance host. */
export const AZURE_PUBLIC = 'login.microsoftonline.com';
/** Azure operated by 21Vianet (China) instance host. */
export const AZURE_CHINA = 'login.chinacloudapi.cn';
/** Azure US Government instance host. */
export const AZURE_US_GOVERNMENT = 'login.microsoftonline.us';

/**
 * Builds an Entra authority URL from a cloud instance and a tenant, as MSAL's
 * `AuthorityBuilder` does: `new AuthorityBuilder(AZURE_CHINA, 'contoso.onmicrosoft.com').toString()`
 * → `https://login.chinacloudapi.cn/contoso.onmicrosoft.com`.
 */
export class AuthorityBuilder {
  /** The cloud instance host, e.g. `login.microsoftonline.com`. */
  readonly instance: string;
  /** The tenant: an id, a domain, or `common` / `organizations` / `consumers`. */
  readonly tenant: string;

  /**
   * @param instance A host such as {@link AZURE_PUBLIC}, or an `https://` URL.
   * @param tenant A tenant id, a domain, or `common` / `organizations` / `consumers`.
   */
  constructor(instance: string, tenant: string) {
    this.instance = instance.includes('://') ? instance.replace(/\/+$/, '') : `https://${instance}`;
    this.tenant = tenant.replace(/^\/+|\/+$/g, '');
  }

  /** The authority URL, `https://<instance>/<tenant>`, for the `authority` option. */
  toString(): string {
    return `${this.instance}/${this.tenant}`;
  }
}
