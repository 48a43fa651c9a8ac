// createAuthFetch attaches a token only for the origins configured for those scopes (MSAL's
// protectedResourceMap idea); anything else is refused before a token is even acquired.
import { describe, expect, it } from 'vitest';
import { ConfigurationError, createAuthFetch, ErrorCode } from '../../src/index.js';
import type { AuthFetchClient } from '../../src/pop/authFetch.js';
import { expectRejects } from './support/expectError.js';
import type { AccountInfo, AuthenticationResult } from '../../src/types.js';

const account = { homeAccountId: 'alice', environment: 'idp.example.test', tenantId: '', username: 'alice', localAccountId: 'alice' } as AccountInfo;

function client(): AuthFetchClient & { acquired: number } {
  const state = {
    acquired: 0,
    async getAccounts() {
      return [account];
    },
    async acquireTokenSilent() {
      state.acquired++;
      return { accessToken: 'bearer-token-for-api-only-71f2', tokenType: 'Bearer' } as AuthenticationResult;
    },
  };
  return state;
}

function recordingFetch() {
  const seen: { url: string; authorization: string | null; redirect: RequestRedirect }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push({ url: request.url, authorization: request.headers.get('authorization'), redirect: request.redirect });
    return new Response('{}', { status: 200 });
  }) as typeof fetch;
  return { seen, fetchImpl };
}

describe('createAuthFetch origins', () => {
  it('refuses an origin that is not configured for these scopes, before acquiring a token', async () => {
    const c = client();
    const { seen, fetchImpl } = recordingFetch();
    const authFetch = createAuthFetch(c, { scopes: ['api://demo/read'], fetch: fetchImpl, allowedOrigins: ['https://api.contoso.test'] });
    await expectRejects(authFetch('https://evil.example/collect'), ConfigurationError, ErrorCode.resourceOriginNotAllowed);
    expect(seen).toEqual([]);
    expect(c.acquired).toBe(0);
  });

  it('sends the token to a configured origin, and does not let fetch follow a redirect with it', async () => {
    const { seen, fetchImpl } = recordingFetch();
    const authFetch = createAuthFetch(client(), { scopes: ['api://demo/read'], fetch: fetchImpl, allowedOrigins: ['https://api.contoso.test/'] });
    await authFetch('https://api.contoso.test/orders?x=1');
    expect(seen).toEqual([{ url: 'https://api.contoso.test/orders?x=1', authorization: 'Bearer bearer-token-for-api-only-71f2', redirect: 'manual' }]);
  });

  it('without allowedOrigins outside a browser, no origin gets a token', async () => {
    const { seen, fetchImpl } = recordingFetch();
    const authFetch = createAuthFetch(client(), { scopes: ['api://demo/read'], fetch: fetchImpl });
    await expectRejects(authFetch('https://api.contoso.test/orders'), ConfigurationError, ErrorCode.resourceOriginNotAllowed);
    expect(seen).toEqual([]);
  });
});
