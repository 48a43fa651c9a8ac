// keyward/server (ConfidentialClientApplication) from Node against the local Entra authority,
// which verifies every client assertion for real (oidc-provider: signature, exp, aud, iss,
// jti replay; the Entra layer: sub, x5t of a registered certificate, x5c leaf). What keyward
// sent is read back from the authority's own request log.
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfidentialClientApplication, SerializableTokenCache, type ClientCredential } from '../../src/server/index.js';
import { createEntraIdp, type EntraIdp } from '../idp/entra/createEntraIdp.mjs';
import { derBase64, makeCertificate, makePfx, makeTestPki, thumbprintHex, x5tOf } from '../server/testCredentials';
import {
  APP_SCOPES,
  AUTHORITY,
  SECRET,
  TOKEN_ENDPOINT,
  confidentialClients,
  idpHttpClient,
  receivedAssertion,
  rejection,
  serverClient,
  tokenRequestsOf,
} from './serverFixtures';

let idp: EntraIdp;
let pki: ReturnType<typeof makeTestPki>;
let pfx: string;

beforeAll(async () => {
  pki = makeTestPki();
  pfx = makePfx(pki.leafKey, [pki.leaf, pki.ca], 'pfx-pass');
  idp = await createEntraIdp({ redirectUris: ['http://127.0.0.1:9/'], confidentialClients: confidentialClients(pki) });
});
afterAll(() => idp?.close());
afterEach(() => idp.reset());

/** Signs an assertion the way an external signer (a vault, a federated token service) would. */
async function externalAssertion(audience = TOKEN_ENDPOINT): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: audience, iss: 'daemon-cert', sub: 'daemon-cert', jti: crypto.randomUUID(), nbf: now, iat: now, exp: now + 300 })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: x5tOf(pki.leaf) })
    .sign(pki.leafKey.key);
}

describe('every credential form gets an app token (client credentials)', () => {
  const forms: [string, string, () => ClientCredential, 'none' | 'chain'][] = [
    ['client secret', 'daemon-secret', () => SECRET, 'none'],
    ['PEM key + thumbprint', 'daemon-cert', () => ({ privateKey: pki.leafKey.pkcs8, thumbprint: thumbprintHex(pki.leaf) }), 'none'],
    [
      'PEM key + SHA-256 thumbprint (PS256)',
      'daemon-cert',
      () => ({ privateKey: pki.leafKey.pkcs1, thumbprintSha256: thumbprintHex(pki.leaf, 'sha256') }),
      'none',
    ],
    [
      'PEM key + thumbprint + certificate chain (x5c)',
      'daemon-cert',
      () => ({ privateKey: pki.leafKey.pkcs8, thumbprint: thumbprintHex(pki.leaf), publicCertificate: `${pki.leaf}${pki.ca}` }),
      'chain',
    ],
    ['pre-signed client assertion (function)', 'daemon-cert', () => ({ clientAssertion: () => externalAssertion() }), 'none'],
    ['PFX file', 'daemon-cert', () => ({ privateKeyPfxPath: pfx, passphrase: 'pfx-pass' }), 'none'],
    ['PFX file + publicCertificate: true (x5c)', 'daemon-cert', () => ({ privateKeyPfxPath: pfx, passphrase: 'pfx-pass', publicCertificate: true }), 'chain'],
  ];
  it.each(forms)('%s', async (_name, clientId, credential, x5c) => {
    const app = serverClient(idp, { clientId, clientCredential: credential() });
    const result = await app.acquireTokenForClient(APP_SCOPES);

    expect(result).toMatchObject({ fromCache: false, account: null, tokenType: 'Bearer', scopes: APP_SCOPES });
    expect(decodeJwt(result.accessToken)).toMatchObject({ aud: 'api://demo', azp: clientId, idtyp: 'app', roles: expect.any(Array), tid: expect.any(String) });

    const [request, ...more] = tokenRequestsOf(idp, 'client_credentials');
    expect(more).toEqual([]);
    expect(request).toMatchObject({ status: 200, host: 'login.microsoftonline.com', client_id: clientId, scope: 'api://demo/.default' });
    expect(request!.headers['x-client-current-telemetry']).toBe('4|730,2|');
    if (clientId === 'daemon-secret') {
      expect(request!.body.client_secret).toBe('[redacted]'); // sent; the log never keeps it
      expect(request!.body.client_assertion).toBeUndefined();
      return;
    }
    expect(request!.body.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const { header, payload } = receivedAssertion(request);
    expect(payload).toMatchObject({ aud: TOKEN_ENDPOINT, iss: 'daemon-cert', sub: 'daemon-cert' });
    // x5c only when asked for, leaf first.
    expect(header.x5c).toEqual(x5c === 'chain' ? [derBase64(pki.leaf), derBase64(pki.ca)] : undefined);
  });
});

describe('the authority rejects bad assertions; keyward surfaces its error', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const pem = () => ({ privateKey: pki.leafKey.pkcs8, thumbprint: thumbprintHex(pki.leaf) });

  it('a tampered assertion: invalid_client, AADSTS700027', async () => {
    const tampered = async () => {
      const [h, p, s] = (await externalAssertion()).split('.');
      const payload = { ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'daemon-cert', extra: 'tampered' };
      return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    };
    const error = await rejection(
      serverClient(idp, { clientId: 'daemon-cert', clientCredential: { clientAssertion: tampered } }).acquireTokenForClient(APP_SCOPES),
    );
    expect(error).toMatchObject({ name: 'ServerError', errorCode: 'invalid_client', status: 401, errorCodes: [700027] });
  });

  it('an expired assertion: AADSTS700024', async () => {
    const expired = { exp: now() - 3600, nbf: now() - 4200, iat: now() - 4200 };
    const error = await rejection(
      serverClient(idp, { clientId: 'daemon-cert', clientCredential: pem(), clientClaims: expired }).acquireTokenForClient(APP_SCOPES),
    );
    expect(error).toMatchObject({ errorCode: 'invalid_client', errorCodes: [700024] });
  });

  it('a wrong aud: AADSTS50027', async () => {
    const error = await rejection(
      serverClient(idp, {
        clientId: 'daemon-cert',
        clientCredential: pem(),
        clientClaims: { aud: 'https://login.microsoftonline.com/other/oauth2/v2.0/token' },
      }).acquireTokenForClient(APP_SCOPES),
    );
    expect(error).toMatchObject({ errorCode: 'invalid_client', errorCodes: [50027] });
  });

  it('a replayed jti: the first request passes, the replay fails with AADSTS50027', async () => {
    const app = serverClient(idp, { clientId: 'daemon-cert', clientCredential: pem(), clientClaims: { jti: `fixed-${crypto.randomUUID()}` } });
    await app.acquireTokenForClient(APP_SCOPES);
    const error = await rejection(app.acquireTokenForClient(APP_SCOPES, { forceRefresh: true }));
    expect(error).toMatchObject({ errorCode: 'invalid_client', errorCodes: [50027] });
    expect(String(error.errorDescription)).toMatch(/jti/);
    // keyward itself never reuses a jti: the same client without the override signs fresh ones.
    const fresh = serverClient(idp, { clientId: 'daemon-cert', clientCredential: pem() });
    await fresh.acquireTokenForClient(APP_SCOPES);
    await fresh.acquireTokenForClient(APP_SCOPES, { forceRefresh: true });
    const jtis = tokenRequestsOf(idp, 'client_credentials')
      .slice(-2)
      .map((r) => receivedAssertion(r).payload.jti);
    expect(new Set(jtis).size).toBe(2);
  });

  it('a certificate the app registration does not hold: AADSTS700027; a wrong secret: AADSTS7000215', async () => {
    const otherCert = makeCertificate({ subject: 'unregistered', key: pki.otherKey });
    const unregistered = await rejection(
      serverClient(idp, { clientId: 'daemon-cert', clientCredential: { privateKey: pki.otherKey.pkcs8, publicCertificate: otherCert } }).acquireTokenForClient(
        APP_SCOPES,
      ),
    );
    expect(unregistered).toMatchObject({ errorCode: 'invalid_client', errorCodes: [700027] });
    const wrongSecret = await rejection(serverClient(idp, { clientId: 'daemon-secret', clientCredential: 'not-the-secret' }).acquireTokenForClient(APP_SCOPES));
    expect(wrongSecret).toMatchObject({ errorCode: 'invalid_client', errorCodes: [7000215] });
  });

  it('clientClaims appear in the signed assertion the authority verified', async () => {
    await serverClient(idp, {
      clientId: 'daemon-cert',
      clientCredential: pem(),
      clientClaims: { client_ip: '10.1.2.3', purpose: 'nightly-report' },
    }).acquireTokenForClient(APP_SCOPES);
    const [request] = tokenRequestsOf(idp, 'client_credentials');
    expect(request!.status).toBe(200);
    expect(receivedAssertion(request).payload).toMatchObject({ client_ip: '10.1.2.3', purpose: 'nightly-report', aud: TOKEN_ENDPOINT });
  });
});

describe('the app-token cache', () => {
  it('a second call is served from the cache with no request; forceRefresh asks again', async () => {
    const app = serverClient(idp, { clientId: 'daemon-secret', clientCredential: SECRET });
    const first = await app.acquireTokenForClient(APP_SCOPES);
    const second = await app.acquireTokenForClient(APP_SCOPES);
    expect(second).toMatchObject({ fromCache: true, accessToken: first.accessToken, account: null });
    expect(tokenRequestsOf(idp, 'client_credentials')).toHaveLength(1);

    const forced = await app.acquireTokenForClient(APP_SCOPES, { forceRefresh: true });
    expect(forced.fromCache).toBe(false);
    expect(forced.accessToken).not.toBe(first.accessToken);
    const requests = tokenRequestsOf(idp, 'client_credentials');
    expect(requests).toHaveLength(2);
    expect(requests[1]!.headers['x-client-current-telemetry']).toBe('4|730,1|');
  });

  it('serialize, deserialize into a new client: a cache hit with no request; the entry has no account, as MSAL Node writes it', async () => {
    const cache = new SerializableTokenCache();
    const first = await serverClient(idp, { clientId: 'daemon-secret', clientCredential: SECRET, tokenCache: cache }).acquireTokenForClient(APP_SCOPES);
    const json = cache.serialize();
    const stored = JSON.parse(json) as {
      AccessToken: Record<string, Record<string, string>>;
      AppMetadata: Record<string, unknown>;
      Account: Record<string, unknown>;
    };
    expect(Object.values(stored.AccessToken)).toEqual([
      expect.objectContaining({
        home_account_id: '',
        client_id: 'daemon-secret',
        environment: 'login.windows.net',
        target: 'api://demo/.default',
        credential_type: 'AccessToken',
      }),
    ]);
    expect(Object.keys(stored.AppMetadata)).toEqual(['appmetadata-login.windows.net-daemon-secret']);
    expect(stored.Account).toEqual({});

    idp.reset();
    const restored = new SerializableTokenCache();
    await restored.deserialize(json);
    const again = await serverClient(idp, { clientId: 'daemon-secret', clientCredential: SECRET, tokenCache: restored }).acquireTokenForClient(APP_SCOPES);
    expect(again).toMatchObject({ fromCache: true, accessToken: first.accessToken });
    expect(idp.tokenRequests).toEqual([]);
  });
});

describe('azureRegion', () => {
  const saved = process.env.REGION_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.REGION_NAME;
    else process.env.REGION_NAME = saved;
  });
  const cert = () => ({ privateKey: pki.leafKey.pkcs8, thumbprint: thumbprintHex(pki.leaf) });

  it("'westus2' sends client credentials to the regional host, with the region in telemetry and the assertion's aud", async () => {
    const result = await serverClient(idp, { clientId: 'daemon-cert', clientCredential: cert(), azureRegion: 'westus2' }).acquireTokenForClient(APP_SCOPES);
    expect(result.fromCache).toBe(false);
    const [request] = tokenRequestsOf(idp, 'client_credentials');
    expect(request).toMatchObject({ status: 200, host: 'westus2.login.microsoft.com' });
    expect(request!.headers['x-client-current-telemetry']).toBe('4|730,2|westus2,,2');
    expect(receivedAssertion(request).payload.aud).toBe(`https://westus2.login.microsoft.com/${AUTHORITY.split('/').at(-1)}/oauth2/v2.0/token`);
  });

  it('true + REGION_NAME=eastus reaches eastus; true without REGION_NAME uses the global host', async () => {
    process.env.REGION_NAME = ' EastUS ';
    await serverClient(idp, { clientId: 'daemon-secret', clientCredential: SECRET, azureRegion: true }).acquireTokenForClient(APP_SCOPES);
    delete process.env.REGION_NAME;
    await serverClient(idp, { clientId: 'daemon-secret', clientCredential: SECRET, azureRegion: true }).acquireTokenForClient(APP_SCOPES);
    const [eastus, global] = tokenRequestsOf(idp, 'client_credentials');
    expect(eastus).toMatchObject({ status: 200, host: 'eastus.login.microsoft.com' });
    expect(eastus!.headers['x-client-current-telemetry']).toBe('4|730,2|eastus,3,4');
    expect(global).toMatchObject({ status: 200, host: 'login.microsoftonline.com' });
    expect(global!.headers['x-client-current-telemetry']).toBe('4|730,2|,1,5');
  });
});

it('construction in Node checks nothing over the network: a bad credential fails before any request', () => {
  expect(
    () =>
      new ConfidentialClientApplication({
        clientId: 'daemon-cert',
        authority: AUTHORITY,
        httpClient: idpHttpClient(idp),
        clientCredential: { privateKeyPfxPath: pfx, passphrase: 'nope' },
      }),
  ).toThrow(expect.objectContaining({ errorCode: 'credential_passphrase_incorrect' }));
  expect(idp.tokenRequests).toEqual([]);
  expect(idp.discoveryRequests).toEqual([]);
});
