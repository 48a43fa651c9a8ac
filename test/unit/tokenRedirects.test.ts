// Token and device endpoints must not be followed through a redirect: a 307/308 would make
// fetch re-POST the code, verifier, refresh token or client secret to the new location.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfidentialClientApplication } from '../../src/server/index.js';
import { ErrorCode, ServerError } from '../../src/errors.js';
import { PublicClientApplication } from '../../src/index.js';
import { SerializableTokenCache } from '../../src/cache/serializableTokenCache.js';
import { expectRejects } from './support/expectError.js';

interface Received {
  method: string;
  url: string;
  body: string;
}

function listen(handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, body, res));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

let elsewhere: { server: Server; url: string };
let provider: { server: Server; url: string };
const stolen: Received[] = [];
let status = 307;

beforeAll(async () => {
  elsewhere = await listen((req, body, res) => {
    stolen.push({ method: req.method ?? '', url: req.url ?? '', body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"error":"nope"}');
  });
  provider = await listen((req, _body, res) => {
    const issuer = provider.url;
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          device_authorization_endpoint: `${issuer}/device`,
        }),
      );
      return;
    }
    res.writeHead(status, { location: `${elsewhere.url}/collect${req.url}` }).end();
  });
});
afterAll(async () => {
  await new Promise((resolve) => elsewhere.server.close(resolve));
  await new Promise((resolve) => provider.server.close(resolve));
});

describe('redirects on token POSTs', () => {
  for (const code of [307, 308]) {
    it(`a ${code} on the token endpoint is an error and the code and verifier go nowhere else`, async () => {
      status = code;
      stolen.length = 0;
      const app = new PublicClientApplication({
        clientId: 'spa',
        oidcAuthority: provider.url,
        httpCache: new Map(),
        tokenCache: new SerializableTokenCache(),
        redirectUri: 'http://127.0.0.1/cb',
      });
      const error = await expectRejects(
        app.acquireTokenByAuthorizationCode('code-sent-once-4471', ['openid'], { codeVerifier: 'verifier-never-forwarded-0c1d2e3f4a5b6c7d8e9f0a1b2c3d' }),
        ServerError,
        ErrorCode.redirectRefused,
      );
      expect(error.status).toBe(code);
      expect(stolen).toEqual([]);
    });
  }

  it('a redirect on the device endpoint is an error too', async () => {
    status = 307;
    stolen.length = 0;
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: provider.url, httpCache: new Map(), tokenCache: new SerializableTokenCache() });
    await expectRejects(app.initiateDeviceFlow(['openid']), ServerError, ErrorCode.redirectRefused);
    expect(stolen).toEqual([]);
  });

  it('a confidential client never re-sends its client secret to the redirect target', async () => {
    status = 308;
    stolen.length = 0;
    const app = new ConfidentialClientApplication({
      clientId: 'daemon',
      oidcAuthority: provider.url,
      clientCredential: 'client-secret-not-for-elsewhere-55aa',
    });
    await expectRejects(app.acquireTokenForClient(['api://demo/.default']), ServerError, ErrorCode.redirectRefused);
    expect(stolen).toEqual([]);
  });
});
