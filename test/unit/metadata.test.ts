import { describe, expect, it } from 'vitest';
import { parseAuthority, parseOidcAuthority } from '../../src/authority/authority.js';
import { type DiscoveryDocument, loadMetadata, validateMetadata } from '../../src/authority/metadata.js';
import { ConfigurationError, ErrorCode } from '../../src/errors.js';
import { expectRejects, expectThrows } from './support/expectError.js';
import { json, scriptedHttpClient } from './support/scriptedHttp.js';

const expectConfigError = (fn: () => unknown, code: string) => expectThrows(fn, ConfigurationError, code);

const oidcDocument = (issuer: string): DiscoveryDocument => ({
  issuer,
  authorization_endpoint: 'https://idp.example.com/authorize',
  token_endpoint: 'https://idp.example.com/token',
  jwks_uri: 'https://idp.example.com/jwks',
  end_session_endpoint: 'https://idp.example.com/logout',
});

/** Entra's multi-tenant v2.0 document, as published for /common (docs/protocol.md A3). */
const entraCommonDocument: DiscoveryDocument = {
  issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
  authorization_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
  token_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
  jwks_uri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
  end_session_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/logout',
  id_token_signing_alg_values_supported: ['RS256'],
};

/** A document with `{tenant}` placeholders in its endpoints. */
const placeholderDocument: DiscoveryDocument = {
  issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
  authorization_endpoint: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
  token_endpoint: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
  jwks_uri: 'https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys',
};

describe('validateMetadata: generic OIDC', () => {
  const authority = parseOidcAuthority('https://idp.example.com');

  it('accepts the exact issuer and returns the endpoints', () => {
    expect(validateMetadata(authority, oidcDocument('https://idp.example.com'))).toEqual({
      issuer: 'https://idp.example.com',
      authorizationEndpoint: 'https://idp.example.com/authorize',
      tokenEndpoint: 'https://idp.example.com/token',
      jwksUri: 'https://idp.example.com/jwks',
      endSessionEndpoint: 'https://idp.example.com/logout',
      deviceAuthorizationEndpoint: undefined,
      idTokenSigningAlgs: [],
      authorizationResponseIssRequired: false,
      dpopSigningAlgs: [],
      pushedAuthorizationRequestEndpoint: undefined,
      requirePushedAuthorizationRequests: false,
    });
  });

  it('tolerates a trailing-slash difference, keeping the issuer as published', () => {
    expect(validateMetadata(authority, oidcDocument('https://idp.example.com/')).issuer).toBe('https://idp.example.com/');
    const withPath = parseOidcAuthority('https://idp.example.com/realms/main/');
    expect(validateMetadata(withPath, oidcDocument('https://idp.example.com/realms/main')).issuer).toBe('https://idp.example.com/realms/main');
  });

  it('rejects another issuer', () => {
    expectConfigError(() => validateMetadata(authority, oidcDocument('https://evil.example.com')), ErrorCode.issuerMismatch);
    expectConfigError(() => validateMetadata(authority, oidcDocument('https://idp.example.com/other')), ErrorCode.issuerMismatch);
  });

  it('does not substitute placeholders for OIDC', () => {
    const metadata = validateMetadata(authority, { ...oidcDocument('https://idp.example.com'), token_endpoint: 'https://idp.example.com/{tenant}/token' });
    expect(metadata.tokenEndpoint).toBe('https://idp.example.com/{tenant}/token');
  });

  it('reads the RFC 9207 flag and advertised algorithms', () => {
    const metadata = validateMetadata(authority, {
      ...oidcDocument('https://idp.example.com'),
      authorization_response_iss_parameter_supported: true,
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
      dpop_signing_alg_values_supported: ['ES256'],
    });
    expect(metadata.authorizationResponseIssRequired).toBe(true);
    expect(metadata.idTokenSigningAlgs).toEqual(['ES256', 'RS256']);
    expect(metadata.dpopSigningAlgs).toEqual(['ES256']);
  });

  it('treats a non-true RFC 9207 flag as not advertised', () => {
    const document = { ...oidcDocument('https://idp.example.com'), authorization_response_iss_parameter_supported: 'true' } as unknown as DiscoveryDocument;
    expect(validateMetadata(authority, document).authorizationResponseIssRequired).toBe(false);
  });

  it('requires issuer, authorization, token and jwks endpoints', () => {
    for (const name of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      const document: DiscoveryDocument = { ...oidcDocument('https://idp.example.com') };
      delete document[name];
      expectConfigError(() => validateMetadata(authority, document), ErrorCode.invalidMetadata);
    }
    expectConfigError(() => validateMetadata(authority, { ...oidcDocument('https://idp.example.com'), token_endpoint: '' }), ErrorCode.invalidMetadata);
  });

  it('rejects an http endpoint on a non-loopback host', () => {
    expectConfigError(
      () => validateMetadata(authority, { ...oidcDocument('https://idp.example.com'), jwks_uri: 'http://idp.example.com/jwks' }),
      ErrorCode.insecureEndpoint,
    );
    expectConfigError(
      () => validateMetadata(authority, { ...oidcDocument('https://idp.example.com'), token_endpoint: 'http://idp.example.com/token' }),
      ErrorCode.insecureEndpoint,
    );
    expectConfigError(
      () => validateMetadata(authority, { ...oidcDocument('https://idp.example.com'), end_session_endpoint: 'http://idp.example.com/logout' }),
      ErrorCode.insecureEndpoint,
    );
  });

  it('accepts http endpoints on loopback', () => {
    const local = parseOidcAuthority('http://127.0.0.1:4000');
    const metadata = validateMetadata(local, {
      issuer: 'http://127.0.0.1:4000',
      authorization_endpoint: 'http://127.0.0.1:4000/auth',
      token_endpoint: 'http://127.0.0.1:4000/token',
      jwks_uri: 'http://localhost:4000/jwks',
    });
    expect(metadata.jwksUri).toBe('http://localhost:4000/jwks');
  });
});

describe('validateMetadata: Entra', () => {
  it('accepts the {tenantid} multi-tenant document for common and keeps the placeholder', () => {
    const metadata = validateMetadata(parseAuthority('https://login.microsoftonline.com/common'), entraCommonDocument);
    expect(metadata.issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
    expect(metadata.tokenEndpoint).toBe('https://login.microsoftonline.com/common/oauth2/v2.0/token');
    expect(metadata.idTokenSigningAlgs).toEqual(['RS256']);
    expect(metadata.authorizationResponseIssRequired).toBe(false);
  });

  it('substitutes {tenant} in endpoints for a named tenant', () => {
    const metadata = validateMetadata(parseAuthority('https://login.microsoftonline.com/contoso.onmicrosoft.com'), placeholderDocument);
    expect(metadata.authorizationEndpoint).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize');
    expect(metadata.tokenEndpoint).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(metadata.jwksUri).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys');
  });

  it('does not substitute {tenant} for common', () => {
    const metadata = validateMetadata(parseAuthority('https://login.microsoftonline.com/common'), placeholderDocument);
    expect(metadata.tokenEndpoint).toBe('https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token');
  });

  it('accepts an issuer on another known Microsoft alias or a regional host', () => {
    const authority = parseAuthority('https://login.microsoftonline.com/contoso.onmicrosoft.com');
    expect(validateMetadata(authority, { ...entraCommonDocument, issuer: 'https://sts.windows.net/abc/' }).issuer).toBe('https://sts.windows.net/abc/');
    expect(validateMetadata(authority, { ...entraCommonDocument, issuer: 'https://westus2.login.microsoft.com/abc/v2.0' }).issuer).toBe(
      'https://westus2.login.microsoft.com/abc/v2.0',
    );
  });

  it('accepts a same-origin issuer (ADFS, B2C)', () => {
    const adfs = parseAuthority('https://sts.contoso.com/adfs');
    expect(
      validateMetadata(adfs, {
        issuer: 'https://sts.contoso.com/adfs',
        authorization_endpoint: 'https://sts.contoso.com/adfs/oauth2/authorize/',
        token_endpoint: 'https://sts.contoso.com/adfs/oauth2/token/',
        jwks_uri: 'https://sts.contoso.com/adfs/discovery/keys',
      }).issuer,
    ).toBe('https://sts.contoso.com/adfs');
  });

  it('rejects an issuer on an unrelated https host', () => {
    const authority = parseAuthority('https://login.microsoftonline.com/common');
    expectConfigError(
      () => validateMetadata(authority, { ...entraCommonDocument, issuer: 'https://evil.example.com/{tenantid}/v2.0' }),
      ErrorCode.issuerMismatch,
    );
    expectConfigError(
      () => validateMetadata(authority, { ...entraCommonDocument, issuer: 'https://login.microsoftonline.com.evil.example/x/v2.0' }),
      ErrorCode.issuerMismatch,
    );
  });

  it('rejects an http issuer on a known Microsoft host and a non-URL issuer', () => {
    const authority = parseAuthority('https://login.microsoftonline.com/common');
    expectConfigError(
      () => validateMetadata(authority, { ...entraCommonDocument, issuer: 'http://login.microsoftonline.com/{tenantid}/v2.0' }),
      ErrorCode.issuerMismatch,
    );
    expectConfigError(() => validateMetadata(authority, { ...entraCommonDocument, issuer: 'not a url' }), ErrorCode.issuerMismatch);
  });

  it('rejects a missing token_endpoint', () => {
    const document: DiscoveryDocument = { ...entraCommonDocument };
    delete document.token_endpoint;
    expectConfigError(() => validateMetadata(parseAuthority('https://login.microsoftonline.com/common'), document), ErrorCode.invalidMetadata);
  });

  it('rejects a jwks_uri on http non-loopback', () => {
    expectConfigError(
      () =>
        validateMetadata(parseAuthority('https://login.microsoftonline.com/common'), {
          ...entraCommonDocument,
          jwks_uri: 'http://login.microsoftonline.com/common/discovery/v2.0/keys',
        }),
      ErrorCode.insecureEndpoint,
    );
  });
});

describe('loadMetadata', () => {
  const authority = parseOidcAuthority('https://idp.example.com');

  it('fetches the discovery document once, then serves it from httpCache', async () => {
    const http = scriptedHttpClient([json(200, oidcDocument('https://idp.example.com'))]);
    const httpCache = new Map<string, unknown>();
    const transport = { httpClient: http, timeout: 1000 };

    const first = await loadMetadata(authority, transport, httpCache);
    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]).toMatchObject({ url: 'https://idp.example.com/.well-known/openid-configuration', method: 'GET' });
    expect(httpCache.size).toBe(1);

    const second = await loadMetadata(authority, transport, httpCache);
    expect(http.requests).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('rejects a non-200 answer with invalid_metadata and caches nothing', async () => {
    const http = scriptedHttpClient([json(404, { error: 'not_found' })]);
    const httpCache = new Map<string, unknown>();
    await expectRejects(loadMetadata(authority, { httpClient: http, timeout: 1000 }, httpCache), ConfigurationError, ErrorCode.invalidMetadata);
    expect(httpCache.size).toBe(0);
  });

  it('does not cache a document that fails validation', async () => {
    const http = scriptedHttpClient([json(200, oidcDocument('https://evil.example.com'))]);
    const httpCache = new Map<string, unknown>();
    await expectRejects(loadMetadata(authority, { httpClient: http, timeout: 1000 }, httpCache), ConfigurationError, ErrorCode.issuerMismatch);
    expect(httpCache.size).toBe(0);
  });
});
