import { describe, expect, it } from 'vitest';
import { ApiId, MsalApiIds } from '../../src/server/index.js';
import { noProxyMatcher, redact } from '../../src/server/nodeTransport.js';

describe('NO_PROXY matching (curl and undici rules)', () => {
  const bypass = (value: string, url: string) => noProxyMatcher(value)(new URL(url));
  it('matches a host, its subdomains, a leading dot or *., a port, and * for all', () => {
    expect(bypass('login.microsoftonline.com', 'https://login.microsoftonline.com/x')).toBe(true);
    expect(bypass('microsoftonline.com', 'https://login.microsoftonline.com/x')).toBe(true);
    expect(bypass('.microsoftonline.com', 'https://login.microsoftonline.com/x')).toBe(true);
    expect(bypass('*.microsoftonline.com', 'https://login.microsoftonline.com/x')).toBe(true);
    expect(bypass('soft.com', 'https://microsoft.com/')).toBe(false);
    expect(bypass('127.0.0.1:8443', 'https://127.0.0.1:8443/')).toBe(true);
    expect(bypass('127.0.0.1:8443', 'https://127.0.0.1:9443/')).toBe(false);
    expect(bypass('example.com:443', 'https://example.com/')).toBe(true);
    expect(bypass('a.example, b.example', 'https://b.example/')).toBe(true);
    expect(bypass('*', 'https://anything.example/')).toBe(true);
    expect(bypass('', 'https://anything.example/')).toBe(false);
  });
});

describe('proxy URLs in log lines', () => {
  it('lose their credentials', () => {
    expect(redact('http://user:p%40ss@proxy.example:3128/')).toBe('http://proxy.example:3128');
  });
});

describe('API ids', () => {
  it('MsalApiIds carry MSAL Python ClientApplication attribute values, the same numbers as ApiId', () => {
    expect(MsalApiIds).toEqual({
      ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID: '832',
      ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID: '622',
      ACQUIRE_TOKEN_BY_REFRESH_TOKEN: '85',
      ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID: '301',
      ACQUIRE_TOKEN_FOR_CLIENT_ID: '730',
      ACQUIRE_TOKEN_INTERACTIVE: '169',
      ACQUIRE_TOKEN_ON_BEHALF_OF_ID: '523',
      ACQUIRE_TOKEN_SILENT_ID: '84',
      GET_ACCOUNTS_ID: '902',
      REMOVE_ACCOUNT_ID: '903',
    });
    expect(new Set(Object.values(MsalApiIds))).toEqual(new Set(Object.values(ApiId).map(String)));
  });
});
