// azureRegion: which host a client-credentials request goes to, and what telemetry says.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseAuthority, parseOidcAuthority } from '../../src/authority/authority.js';
import { regionalTokenEndpoint, resolveRegion } from '../../src/server/region.js';
import type { ConfidentialClientApplication, ClientCredential, ServerAuthenticationResult } from '../../src/server/index.js';

const endpoint = (host: string) => `https://${host}/contoso.onmicrosoft.com/oauth2/v2.0/token`;
const aad = (host: string) => parseAuthority(`https://${host}/contoso.onmicrosoft.com`);

describe('resolveRegion', () => {
  it('undefined: none; a name: configured; true: REGION_NAME, else a failed detection', () => {
    expect(resolveRegion(undefined, { REGION_NAME: 'eastus' })).toBeUndefined();
    expect(resolveRegion(' WestUS2 ', {})).toEqual({ region: 'westus2', telemetry: 'westus2,,2' });
    expect(resolveRegion(true, { REGION_NAME: ' EastUS\n' })).toEqual({ region: 'eastus', telemetry: 'eastus,3,4' });
    expect(resolveRegion(true, {})).toEqual({ region: undefined, telemetry: ',1,5' });
    expect(resolveRegion(true, { REGION_NAME: 'not a region!' })).toEqual({ region: undefined, telemetry: ',1,5' });
  });

  it('refuses a value that is not a region name', () => {
    expect(() => resolveRegion('west us/2', {})).toThrow(expect.objectContaining({ errorCode: 'invalid_configuration' }));
  });
});

describe('regionalTokenEndpoint', () => {
  it('public-cloud aliases go to {region}.login.microsoft.com; sovereign clouds to {region}.{host}', () => {
    for (const host of ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net']) {
      expect(regionalTokenEndpoint(aad(host), endpoint(host), 'westus2')).toBe(endpoint('westus2.login.microsoft.com'));
    }
    expect(regionalTokenEndpoint(aad('login.microsoftonline.us'), endpoint('login.microsoftonline.us'), 'usgovvirginia')).toBe(
      endpoint('usgovvirginia.login.microsoftonline.us'),
    );
  });

  it('no regional endpoint for custom hosts, B2C or other OIDC providers', () => {
    expect(regionalTokenEndpoint(aad('login.contoso.com'), endpoint('login.contoso.com'), 'westus2')).toBeUndefined();
    expect(
      regionalTokenEndpoint(
        parseAuthority('https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin'),
        'https://contoso.b2clogin.com/x/token',
        'westus2',
      ),
    ).toBeUndefined();
    expect(regionalTokenEndpoint(parseOidcAuthority('https://idp.example.com'), 'https://idp.example.com/token', 'westus2')).toBeUndefined();
  });
});

describe('public types', () => {
  it('credential forms, results without an account, and option names shared with the browser client', () => {
    expectTypeOf<'secret'>().toMatchTypeOf<ClientCredential>();
    expectTypeOf<{ privateKeyPfxPath: string; publicCertificate: true }>().toMatchTypeOf<ClientCredential>();
    expectTypeOf<{ clientAssertion: () => Promise<string> }>().toMatchTypeOf<ClientCredential>();
    expectTypeOf<ServerAuthenticationResult['account']>().toEqualTypeOf<import('../../src/index.js').AccountInfo | null>();
    expectTypeOf<ConfidentialClientApplication['acquireTokenForClient']>().returns.resolves.toEqualTypeOf<ServerAuthenticationResult>();
    expectTypeOf<ConstructorParameters<typeof ConfidentialClientApplication>[0]>().toHaveProperty('azureRegion').toEqualTypeOf<string | true | undefined>();
  });
});
