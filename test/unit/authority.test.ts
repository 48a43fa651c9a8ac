import { describe, expect, it } from 'vitest';
import { parseAuthority, parseOidcAuthority } from '../../src/authority/authority.js';
import { AuthorityBuilder, AZURE_CHINA, AZURE_PUBLIC, AZURE_US_GOVERNMENT } from '../../src/authority/authorityBuilder.js';
import { ConfigurationError, ErrorCode } from '../../src/errors.js';
import { expectThrows } from './support/expectError.js';

const expectConfigError = (fn: () => unknown, code: string) => expectThrows(fn, ConfigurationError, code);

describe('parseAuthority: Entra (aad)', () => {
  it('parses the common endpoint', () => {
    expect(parseAuthority('https://login.microsoftonline.com/common')).toEqual({
      kind: 'aad',
      canonical: 'https://login.microsoftonline.com/common/',
      host: 'login.microsoftonline.com',
      tenant: 'common',
      metadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    });
  });

  it('parses a GUID tenant', () => {
    const guid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(parseAuthority(`https://login.microsoftonline.com/${guid}`)).toEqual({
      kind: 'aad',
      canonical: `https://login.microsoftonline.com/${guid}/`,
      host: 'login.microsoftonline.com',
      tenant: guid,
      metadataUrl: `https://login.microsoftonline.com/${guid}/v2.0/.well-known/openid-configuration`,
    });
  });

  it('parses a domain tenant, lower-casing the tenant and host', () => {
    const authority = parseAuthority('https://Login.MicrosoftOnline.com/Contoso.onmicrosoft.com');
    expect(authority.kind).toBe('aad');
    expect(authority.tenant).toBe('contoso.onmicrosoft.com');
    expect(authority.host).toBe('login.microsoftonline.com');
    expect(authority.canonical).toBe('https://login.microsoftonline.com/Contoso.onmicrosoft.com/');
    expect(authority.metadataUrl).toBe('https://login.microsoftonline.com/Contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration');
  });

  it('parses a sovereign cloud authority', () => {
    expect(parseAuthority('https://login.chinacloudapi.cn/x')).toEqual({
      kind: 'aad',
      canonical: 'https://login.chinacloudapi.cn/x/',
      host: 'login.chinacloudapi.cn',
      tenant: 'x',
      metadataUrl: 'https://login.chinacloudapi.cn/x/v2.0/.well-known/openid-configuration',
    });
  });

  it('canonicalizes to exactly one trailing slash', () => {
    for (const input of [
      'https://login.microsoftonline.com/common',
      'https://login.microsoftonline.com/common/',
      'https://login.microsoftonline.com/common//',
      'https://login.microsoftonline.com//common',
    ]) {
      expect(parseAuthority(input).canonical).toBe('https://login.microsoftonline.com/common/');
    }
  });

  it('does not add a second /v2.0 when the authority already ends with it', () => {
    expect(parseAuthority('https://login.microsoftonline.com/common/v2.0').metadataUrl).toBe(
      'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    );
  });

  it('accepts an AuthorityBuilder', () => {
    expect(parseAuthority(new AuthorityBuilder(AZURE_PUBLIC, 'organizations')).canonical).toBe('https://login.microsoftonline.com/organizations/');
  });

  it('allows http on loopback hosts', () => {
    const authority = parseAuthority('http://127.0.0.1:4000/tenant');
    expect(authority.kind).toBe('aad');
    expect(authority.canonical).toBe('http://127.0.0.1:4000/tenant/');
    expect(authority.host).toBe('127.0.0.1:4000');
    expect(parseAuthority('http://localhost:4000/common').canonical).toBe('http://localhost:4000/common/');
  });
});

describe('parseAuthority: B2C', () => {
  it('classifies a b2clogin.com authority; the tenant is the lower-cased policy', () => {
    expect(parseAuthority('https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin')).toEqual({
      kind: 'b2c',
      canonical: 'https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/',
      host: 'contoso.b2clogin.com',
      tenant: 'b2c_1_signin',
      metadataUrl: 'https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin/v2.0/.well-known/openid-configuration',
    });
  });

  it('classifies the legacy /tfp/ form', () => {
    const authority = parseAuthority('https://login.microsoftonline.com/tfp/contoso.onmicrosoft.com/B2C_1_SignIn');
    expect(authority.kind).toBe('b2c');
    expect(authority.tenant).toBe('b2c_1_signin');
    expect(authority.canonical).toBe('https://login.microsoftonline.com/tfp/contoso.onmicrosoft.com/B2C_1_SignIn/');
  });

  it('requires a policy', () => {
    expectConfigError(() => parseAuthority('https://contoso.b2clogin.com/contoso.onmicrosoft.com'), ErrorCode.invalidAuthority);
  });
});

describe('parseAuthority: ADFS', () => {
  it('uses the discovery URL without v2.0', () => {
    expect(parseAuthority('https://sts.contoso.com/adfs')).toEqual({
      kind: 'adfs',
      canonical: 'https://sts.contoso.com/adfs/',
      host: 'sts.contoso.com',
      tenant: 'adfs',
      metadataUrl: 'https://sts.contoso.com/adfs/.well-known/openid-configuration',
    });
  });
});

describe('parseAuthority: CIAM', () => {
  it('rewrites a path-less authority to the tenant named by the subdomain', () => {
    expect(parseAuthority('https://contoso.ciamlogin.com')).toEqual({
      kind: 'ciam',
      canonical: 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/',
      host: 'contoso.ciamlogin.com',
      tenant: 'contoso.onmicrosoft.com',
      metadataUrl: 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
    });
    expect(parseAuthority('https://contoso.ciamlogin.com/').canonical).toBe('https://contoso.ciamlogin.com/contoso.onmicrosoft.com/');
  });

  it('keeps an explicit tenant path', () => {
    const guid = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const authority = parseAuthority(`https://contoso.ciamlogin.com/${guid}`);
    expect(authority.kind).toBe('ciam');
    expect(authority.canonical).toBe(`https://contoso.ciamlogin.com/${guid}/`);
    expect(authority.tenant).toBe(guid);
  });
});

describe('parseAuthority: errors', () => {
  it('rejects a value that is not an absolute URL', () => {
    expectConfigError(() => parseAuthority('not a url'), ErrorCode.invalidAuthority);
    expectConfigError(() => parseAuthority('/common'), ErrorCode.invalidAuthority);
  });

  it('rejects a query string or fragment', () => {
    expectConfigError(() => parseAuthority('https://login.microsoftonline.com/common?x=1'), ErrorCode.invalidAuthority);
    expectConfigError(() => parseAuthority('https://login.microsoftonline.com/common#x'), ErrorCode.invalidAuthority);
  });

  it('rejects http on a non-loopback host', () => {
    expectConfigError(() => parseAuthority('http://login.microsoftonline.com/common'), ErrorCode.insecureEndpoint);
    expectConfigError(() => parseAuthority('http://sts.contoso.com/adfs'), ErrorCode.insecureEndpoint);
  });

  it('rejects a tenant-less Entra authority', () => {
    expectConfigError(() => parseAuthority('https://login.microsoftonline.com'), ErrorCode.invalidAuthority);
    expectConfigError(() => parseAuthority('https://login.microsoftonline.com/'), ErrorCode.invalidAuthority);
  });
});

describe('parseOidcAuthority', () => {
  it('parses an issuer without a trailing slash', () => {
    expect(parseOidcAuthority('https://idp.example.com')).toEqual({
      kind: 'oidc',
      canonical: 'https://idp.example.com/',
      host: 'idp.example.com',
      tenant: '',
      metadataUrl: 'https://idp.example.com/.well-known/openid-configuration',
    });
  });

  it('gives the same result with a trailing slash', () => {
    expect(parseOidcAuthority('https://idp.example.com/')).toEqual(parseOidcAuthority('https://idp.example.com'));
  });

  it('keeps an issuer path', () => {
    const authority = parseOidcAuthority('https://idp.example.com/realms/main/');
    expect(authority.canonical).toBe('https://idp.example.com/realms/main/');
    expect(authority.metadataUrl).toBe('https://idp.example.com/realms/main/.well-known/openid-configuration');
    expect(parseOidcAuthority('https://idp.example.com/realms/main').metadataUrl).toBe('https://idp.example.com/realms/main/.well-known/openid-configuration');
  });

  it('applies the same URL rules', () => {
    expectConfigError(() => parseOidcAuthority('http://idp.example.com'), ErrorCode.insecureEndpoint);
    expectConfigError(() => parseOidcAuthority('https://idp.example.com/?tenant=1'), ErrorCode.invalidAuthority);
    expect(parseOidcAuthority('http://127.0.0.1:4000').canonical).toBe('http://127.0.0.1:4000/');
  });
});

describe('AuthorityBuilder', () => {
  it('builds the exact authority string per cloud', () => {
    expect(new AuthorityBuilder(AZURE_PUBLIC, 'contoso.onmicrosoft.com').toString()).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com');
    expect(new AuthorityBuilder(AZURE_CHINA, 'contoso.onmicrosoft.com').toString()).toBe('https://login.chinacloudapi.cn/contoso.onmicrosoft.com');
    expect(new AuthorityBuilder(AZURE_US_GOVERNMENT, 'common').toString()).toBe('https://login.microsoftonline.us/common');
  });

  it('accepts an https URL instance and trims slashes', () => {
    expect(new AuthorityBuilder('https://login.microsoftonline.com/', '/organizations/').toString()).toBe('https://login.microsoftonline.com/organizations');
  });
});
