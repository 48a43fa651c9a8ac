// keyward/server's own transport: `verify` (TLS trust) and `proxies` (plus HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY) over Node's fetch with an undici dispatcher, and `allowBroker`.
// Real servers only: oidc-provider over HTTPS with a self-signed CA, oidc-provider over
// HTTP behind a real CONNECT proxy written here (node:http + node:net).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { generate as generateCertificate } from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfidentialClientApplication, type ConfidentialClientApplicationOptions } from '../../src/server/index.js';
import { createIdp, type Idp } from '../idp/createIdp.mjs';
import { rejection } from './serverFixtures';

const SCOPES = ['api://demo/read'];
const SECRET = 'daemon-secret-value';
const daemon = {
  client_id: 'daemon',
  client_secret: SECRET,
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
};

/** A CA certificate that is also the server's certificate (self-signed, SAN 127.0.0.1). */
async function selfSignedCa(): Promise<{ key: string; cert: string }> {
  const generated = await generateCertificate([{ name: 'commonName', value: 'keyward test TLS CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { key: generated.private, cert: generated.cert };
}

/** Log lines of one client, all levels, personal data off. */
function logged(): { lines: string[]; logger: ConfidentialClientApplicationOptions['logger'] } {
  const lines: string[] = [];
  return { lines, logger: { level: 'verbose', callback: (level, message) => lines.push(`${level} ${message}`) } };
}

interface ProxyLog {
  /** `host:port` of every CONNECT. */
  connects: string[];
  proxyAuthorization: (string | undefined)[];
  /** Plain-HTTP bytes sent through the tunnels (the target here is http://, so the request is readable). */
  tunnelled: string;
}

/** A forward proxy that tunnels CONNECT (what undici's ProxyAgent sends), optionally demanding Basic credentials. */
async function startProxy(credentials?: { user: string; password: string }): Promise<{ url: string; log: ProxyLog; close(): Promise<void> }> {
  const log: ProxyLog = { connects: [], proxyAuthorization: [], tunnelled: '' };
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    log.connects.push(req.url ?? '');
    log.proxyAuthorization.push(req.headers['proxy-authorization']);
    const expected = credentials && `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
    if (expected && req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (chunk: Buffer) => {
        log.tunnelled += chunk.toString('latin1');
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const auth = credentials ? `${credentials.user}:${credentials.password}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    log,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('verify', () => {
  let tlsIdp: Idp;
  let ca: { key: string; cert: string };
  beforeAll(async () => {
    ca = await selfSignedCa();
    tlsIdp = await createIdp({ tls: ca, clientCredentials: true, clients: [daemon], redirectUris: [], corsOrigins: [] });
  });
  afterAll(() => tlsIdp?.close());
  const app = (options: Partial<ConfidentialClientApplicationOptions>) =>
    new ConfidentialClientApplication({ clientId: 'daemon', clientCredential: SECRET, oidcAuthority: tlsIdp.issuer, ...options });

  it('default (true): a self-signed CA is refused with a typed network error (tls_verification_failed)', async () => {
    expect(tlsIdp.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const error = await rejection(app({}).acquireTokenForClient(SCOPES));
    expect(error).toMatchObject({ name: 'NetworkError', errorCode: 'tls_verification_failed' });
    expect(error.message).toContain(tlsIdp.issuer);
    expect(tlsIdp.tokenRequests).toEqual([]);
  });

  it('a CA bundle (PEM text) is trusted for the authority: discovery and token requests pass', async () => {
    const result = await app({ verify: ca.cert }).acquireTokenForClient(SCOPES);
    expect(result).toMatchObject({ fromCache: false, tokenType: 'Bearer' });
    expect(tlsIdp.tokenRequests.at(-1)).toMatchObject({ grant_type: 'client_credentials', status: 200 });
    // Only keyward's requests trust it: Node's own fetch still refuses the same server.
    await expect(fetch(`${tlsIdp.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it('a CA bundle given as a file path works the same', async () => {
    const { writeTempFile } = await import('../server/testCredentials');
    const result = await app({ verify: writeTempFile(ca.cert) }).acquireTokenForClient(SCOPES, { forceRefresh: true });
    expect(result.fromCache).toBe(false);
  });

  it('false: no verification, and the warning is logged once per client', async () => {
    const { lines, logger } = logged();
    const daemonApp = app({ verify: false, logger });
    await daemonApp.acquireTokenForClient(SCOPES);
    await daemonApp.acquireTokenForClient(SCOPES, { forceRefresh: true });
    const warnings = lines.filter((line) => line.startsWith('warning') && line.includes('"verify: false"'));
    expect(warnings).toHaveLength(1);
  });

  it('a bundle without a certificate is a ConfigurationError at construction', () => {
    expect(() => app({ verify: '-----BEGIN NOTHING-----' })).toThrow(expect.objectContaining({ errorCode: 'ca_bundle_invalid' }));
    expect(() => app({ verify: '/nonexistent/ca.pem' })).toThrow(expect.objectContaining({ errorCode: 'ca_bundle_invalid' }));
  });
});

describe('proxies', () => {
  let idp: Idp;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const saved = { ...process.env };
  beforeAll(async () => {
    idp = await createIdp({ clientCredentials: true, clients: [daemon], redirectUris: [], corsOrigins: [] });
  });
  afterEach(async () => {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await proxy?.close();
    idp.reset();
  });
  afterAll(() => idp?.close());
  const app = (options: Partial<ConfidentialClientApplicationOptions> = {}) =>
    new ConfidentialClientApplication({ clientId: 'daemon', clientCredential: SECRET, oidcAuthority: idp.issuer, ...options });
  const target = () => new URL(idp.issuer).host;

  it('{ http } sends discovery and the token request through the proxy, with its Basic credentials; they never reach a log line', async () => {
    proxy = await startProxy({ user: 'proxy-user', password: 'proxy-pa55word' });
    const { lines, logger } = logged();
    const result = await app({ proxies: { http: proxy.url }, logger }).acquireTokenForClient(SCOPES);
    expect(result.fromCache).toBe(false);

    expect(proxy.log.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.log.connects)).toEqual(new Set([target()]));
    expect(proxy.log.tunnelled).toMatch(/^POST \/token HTTP\/1\.1/m);
    expect(proxy.log.tunnelled).toContain('grant_type=client_credentials');
    expect(proxy.log.proxyAuthorization.every((value) => value === `Basic ${Buffer.from('proxy-user:proxy-pa55word').toString('base64')}`)).toBe(true);
    expect(idp.tokenRequests).toHaveLength(1);

    expect(lines.some((line) => line.includes('through the proxy http://127.0.0.1:'))).toBe(true);
    expect(lines.join('\n')).not.toContain('proxy-pa55word');
    expect(lines.join('\n')).not.toContain('proxy-user');
  });

  it('wrong proxy credentials: a typed network error whose message and log carry no password', async () => {
    proxy = await startProxy({ user: 'proxy-user', password: 'right-password' });
    const { lines, logger } = logged();
    const wrong = proxy.url.replace('right-password', 'wrong-pa55word');
    const error = await rejection(app({ proxies: wrong, logger }).acquireTokenForClient(SCOPES));
    expect(error).toMatchObject({ name: 'NetworkError', errorCode: 'network_error' });
    expect(`${error.message}\n${lines.join('\n')}`).not.toContain('wrong-pa55word');
    expect(idp.tokenRequests).toEqual([]);
  });

  it('HTTP_PROXY is honoured when the option is absent', async () => {
    proxy = await startProxy();
    process.env.HTTP_PROXY = proxy.url;
    await app().acquireTokenForClient(SCOPES);
    expect(proxy.log.connects).toContain(target());
    expect(proxy.log.tunnelled).toContain('POST /token');
  });

  it('NO_PROXY bypasses the proxy (the environment one and the option)', async () => {
    proxy = await startProxy();
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = 'example.test, 127.0.0.1';
    await app().acquireTokenForClient(SCOPES);
    await app({ proxies: { http: proxy.url } }).acquireTokenForClient(SCOPES);
    expect(proxy.log.connects).toEqual([]);
    expect(idp.tokenRequests.filter((r) => r.status === 200)).toHaveLength(2);
  });

  it('{ https } only: an http:// authority is fetched directly', async () => {
    proxy = await startProxy();
    await app({ proxies: { https: proxy.url } }).acquireTokenForClient(SCOPES);
    expect(proxy.log.connects).toEqual([]);
  });

  it('a proxy URL that is not a URL is a ConfigurationError that does not echo it', () => {
    const attempt = () => app({ proxies: 'user:secret-in-url@::nonsense' });
    expect(attempt).toThrow(expect.objectContaining({ errorCode: 'invalid_configuration' }));
    expect(attempt).toThrow(expect.not.stringContaining('secret-in-url'));
  });

  it("with a custom httpClient, verify and proxies are refused (they configure keyward's own transport)", () => {
    const httpClient = { send: () => Promise.reject(new Error('unused')) };
    expect(() => app({ httpClient, proxies: 'http://127.0.0.1:1' })).toThrow(expect.objectContaining({ errorCode: 'invalid_configuration' }));
  });
});

describe('allowBroker', () => {
  let idp: Idp;
  beforeAll(async () => {
    idp = await createIdp({ clientCredentials: true, clients: [daemon], redirectUris: [], corsOrigins: [] });
  });
  afterAll(() => idp?.close());

  it('is accepted, warns once, and changes nothing on the wire', async () => {
    const withBroker = logged();
    const without = logged();
    const a = new ConfidentialClientApplication({
      clientId: 'daemon',
      clientCredential: SECRET,
      oidcAuthority: idp.issuer,
      allowBroker: true,
      logger: withBroker.logger,
    });
    const b = new ConfidentialClientApplication({ clientId: 'daemon', clientCredential: SECRET, oidcAuthority: idp.issuer, logger: without.logger });
    await a.acquireTokenForClient(SCOPES);
    await a.acquireTokenForClient(SCOPES, { forceRefresh: true });
    await b.acquireTokenForClient(SCOPES);
    expect(withBroker.lines.filter((line) => line.includes('allowBroker'))).toHaveLength(1);
    expect(withBroker.lines.find((line) => line.includes('allowBroker'))).toMatch(/^warning /);
    expect(without.lines.filter((line) => line.includes('allowBroker'))).toEqual([]);
    const [first, , third] = idp.tokenRequests;
    const fields = (body: Record<string, unknown>) =>
      Object.keys(body)
        .filter((k) => k !== 'client-request-id')
        .sort();
    expect(fields(first!.body)).toEqual(fields(third!.body));
  });
});
