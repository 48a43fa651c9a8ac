import { afterEach, describe, expect, it, vi } from 'vitest';
import { PublicClientApplication } from '../../src/client/PublicClientApplication.js';
import type { PublicClientApplicationOptions } from '../../src/client/options.js';
import { ConfigurationError, ErrorCode } from '../../src/errors.js';
import { expectThrows } from './support/expectError.js';
import { scriptedHttpClient } from './support/scriptedHttp.js';

const construct = (options: unknown) => () => new PublicClientApplication(options as PublicClientApplicationOptions);

describe('PublicClientApplication options', () => {
  it('requires a clientId', () => {
    expectThrows(construct({}), ConfigurationError, ErrorCode.invalidConfiguration);
    expectThrows(construct({ clientId: '   ' }), ConfigurationError, ErrorCode.invalidConfiguration);
    expectThrows(construct({ clientId: 42 }), ConfigurationError, ErrorCode.invalidConfiguration);
    expectThrows(construct(undefined), ConfigurationError, ErrorCode.invalidConfiguration);
  });

  it('refuses verify and proxies: the browser decides TLS and proxies', () => {
    for (const option of [
      { verify: false },
      { verify: '-----BEGIN CERTIFICATE-----' },
      { proxies: 'http://proxy.example:3128' },
      { proxies: { https: 'http://proxy.example:3128' } },
    ]) {
      const error = expectThrows(construct({ clientId: 'c', ...option }), ConfigurationError, ErrorCode.invalidConfiguration);
      expect(error.message).toMatch(/browser decides TLS/);
    }
  });

  it('accepts allowBroker, warns once per client, and ignores it', () => {
    const lines: string[] = [];
    const logger = { level: 'verbose' as const, callback: (level: string, message: string) => lines.push(`${level} ${message}`) };
    new PublicClientApplication({ clientId: 'c', allowBroker: true, logger });
    expect(lines.filter((line) => line.includes('allowBroker'))).toEqual([expect.stringMatching(/^warning keyward: "allowBroker" is ignored/)]);
    new PublicClientApplication({ clientId: 'c', logger });
    expect(lines.filter((line) => line.includes('allowBroker'))).toHaveLength(1);
  });

  it('refuses both authority and oidcAuthority', () => {
    expectThrows(
      construct({ clientId: 'c', authority: 'https://login.microsoftonline.com/common', oidcAuthority: 'https://idp.example.com' }),
      ConfigurationError,
      ErrorCode.invalidConfiguration,
    );
  });

  it('refuses a non-positive or non-finite timeout', () => {
    for (const timeout of [-1, 0, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectThrows(construct({ clientId: 'c', timeout }), ConfigurationError, ErrorCode.invalidConfiguration);
    }
    expectThrows(construct({ clientId: 'c', popupTimeout: -5 }), ConfigurationError, ErrorCode.invalidConfiguration);
  });

  it('reports a bad authority at construction', () => {
    expectThrows(construct({ clientId: 'c', authority: 'http://login.microsoftonline.com/common' }), ConfigurationError, ErrorCode.insecureEndpoint);
    expectThrows(construct({ clientId: 'c', oidcAuthority: 'not a url' }), ConfigurationError, ErrorCode.invalidAuthority);
  });

  it('constructs with valid options without I/O and without a window', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const http = scriptedHttpClient([]);
    const httpCache = new Map<string, unknown>();
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'https://idp.example.com', httpClient: http, httpCache, timeout: 5000 });
    expect(app.clientId).toBe('spa');
    expect(http.requests).toHaveLength(0);
    expect(httpCache.size).toBe(0);
    const entra = new PublicClientApplication({ clientId: 'spa', httpClient: http });
    expect(entra.clientId).toBe('spa');
    expect(http.requests).toHaveLength(0);
  });
});

describe('importing keyward in Node', () => {
  const browserGlobals = ['window', 'document', 'location', 'sessionStorage', 'localStorage'] as const;

  afterEach(() => {
    for (const name of browserGlobals) delete (globalThis as Record<string, unknown>)[name];
  });

  it('does not touch browser globals at import or construction', async () => {
    const touched: string[] = [];
    for (const name of browserGlobals) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name);
          return undefined;
        },
      });
    }
    vi.resetModules();
    const keyward = await import('../../src/index.js');
    const app = new keyward.PublicClientApplication({ clientId: 'spa', oidcAuthority: 'https://idp.example.com' });
    expect(app.clientId).toBe('spa');
    expect(touched).toEqual([]);
  });
});
