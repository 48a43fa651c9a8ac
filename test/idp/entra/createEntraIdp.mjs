// A local authority that speaks Microsoft Entra ID's wire format, built on the
// real oidc-provider 9: one Provider per tenant, mounted under Entra's paths by
// a plain node:https request handler (the documented "rewrite req.url, keep
// req.originalUrl" mount), plus the Entra-only endpoints (instance discovery,
// the multi-tenant `{tenantid}` documents) and Entra's response extras.
// Plain ESM + JSDoc like ../createIdp.mjs; types in createEntraIdp.d.mts;
// browser helpers (Chromium flags, device-code pages) in browser.ts.
import { createServer } from 'node:https';
import { request as httpsRequest } from 'node:https';
import { createHash, randomUUID } from 'node:crypto';
import {
  CONFIDENTIAL_AADSTS,
  REGIONAL_HOSTS,
  assertEntraClientAssertion,
  clientAuthFailureKey,
  confidentialClient,
  registerConfidentialGrants,
} from './confidential.mjs';
import Provider, { errors } from 'oidc-provider';
import { consentPolicy, IMPLICIT_CONSENT } from '../implicitConsent.mjs';
// oidc-provider's own token issuance, used by the ROPC grant exactly as its
// device_code grant uses it (docs: "see /lib/actions/grants for references on
// how to instantiate and issue tokens"). Pinned to the installed 9.13.
import { issueTokens } from 'oidc-provider/lib/helpers/grant_common.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import { exportJWK, generateKeyPair } from 'jose';
import { generate as generateCertificate } from 'selfsigned';
import {
  AADSTS,
  KNOWN_MICROSOFT_HOSTS,
  INSTANCE_METADATA,
  METADATA_HEADERS,
  PUBLIC_CLOUD_ALIASES,
  deviceCodeResponse,
  entraError,
  openidConfiguration,
} from './entraShapes.mjs';

export { entraError, entraTimestamp, INSTANCE_METADATA, KNOWN_MICROSOFT_HOSTS } from './entraShapes.mjs';
export { DOWNSTREAM_AUDIENCE, DOWNSTREAM_SCOPES, REGIONAL_HOSTS } from './confidential.mjs';

// ---------------------------------------------------------------- constants

/** Tenant A ("Contoso"): also what `common`, `organizations` and `consumers` resolve to. */
export const TENANT_A = '7d1f3a2b-4c5e-4f60-8a9b-0c1d2e3f4a5b';
/** Tenant B ("Fabrikam"). */
export const TENANT_B = 'c2e4f6a8-1b3d-4e5f-9a7b-8c9d0e1f2a3b';
/** Domain aliases accepted as `{tenant}`. */
export const TENANT_DOMAINS = { 'contoso.onmicrosoft.com': TENANT_A, 'fabrikam.onmicrosoft.com': TENANT_B };
/** Multi-tenant authority segments; all served by tenant A's provider. */
export const MULTI_TENANT_SEGMENTS = ['common', 'organizations', 'consumers'];
/** The consumer (MSA) tenant GUID, for reference (docs/protocol.md A3). Not served. */
export const CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

import { API_AUDIENCE, API_SCOPES, demoApiResourceIndicators } from '../demoApi.mjs';
export { API_AUDIENCE, API_SCOPES };

/** Entra's four public-cloud hosts; all answer like login.microsoftonline.com. */
export const ENTRA_HOSTS = [...PUBLIC_CLOUD_ALIASES];
/**
 * Entra's device-code page (`verification_uri`). Entra has sent both
 * https://microsoft.com/devicelogin and https://www.microsoft.com/link; both
 * redirect to https://login.microsoftonline.com/common/oauth2/deviceauth.
 */
export const DEVICE_VERIFICATION_URI = 'https://microsoft.com/devicelogin';
export const DEVICE_LOGIN_HOSTS = ['microsoft.com', 'www.microsoft.com'];
/** Every host the browser is pointed at this server by default (and the certificate's SANs). */
export const DEFAULT_MAPPED_HOSTS = [...ENTRA_HOSTS, ...REGIONAL_HOSTS, ...DEVICE_LOGIN_HOSTS, 'unknown-instance.example'];

const ISSUER_HOST = 'login.microsoftonline.com';
const PATHS = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  device_authorization: '/oauth2/v2.0/devicecode',
  end_session: '/oauth2/v2.0/logout',
  jwks: '/discovery/v2.0/keys',
  code_verification: '/oauth2/deviceauth',
  // Not reachable from outside (the front handler does not forward it): Entra's
  // userinfo lives on graph.microsoft.com, which the discovery document advertises.
  userinfo: '/oidc/userinfo',
};
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Request headers copied into the logs. `password` never is (it travels in the body). */
const LOGGED_HEADERS = [
  'origin',
  'content-type',
  'user-agent',
  'dpop',
  'authorization',
  'referer',
  'x-client-current-telemetry',
  'x-client-last-telemetry',
  'client-request-id',
  'return-client-request-id',
  'x-client-sku',
  'x-client-ver',
  'x-client-os',
  'x-client-cpu',
  'x-app-name',
  'x-app-ver',
  'x-ms-lib-capability',
  'x-anchormailbox',
];

// ---------------------------------------------------------------- identities

const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));

function guidFrom(text) {
  const h = createHash('sha1').update(text).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // RFC 4122 version 5 layout, so it looks like Entra's GUIDs
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Login names are case-insensitive, as UPNs are. */
export const normalizeLogin = (login) => String(login).trim().toLowerCase();

/** Object id of a login: a GUID derived from the login name; with `tenant`, the id of that tenant's guest object. */
export function oidFor(login, tenant) {
  return guidFrom(`keyward-oid:${normalizeLogin(login)}${tenant ? `:${tenant}` : ''}`);
}

/** Entra-like opaque `sub` (43 base64url chars), one per user per tenant. It is oidc-provider's accountId. */
export function subFor(login, tenant) {
  return createHash('sha256')
    .update(`keyward-sub:${tenant}:${normalizeLogin(login)}`)
    .digest('base64url')
    .slice(0, 43);
}

export function preferredUsername(login) {
  const n = normalizeLogin(login);
  return n.includes('@') ? n : `${n}@contoso.onmicrosoft.com`;
}

export function displayName(login) {
  const local = normalizeLogin(login).split('@')[0] ?? '';
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join(' ');
}

const b64urlJson = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
export const decodeClientInfo = (value) => JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));

// ---------------------------------------------------------------- adapter

/**
 * oidc-provider storage, one per tenant (the stock MemoryAdapter shares one
 * module-wide LRU between providers). Plain Maps, so revokeRefreshTokens() can
 * look inside.
 */
function createAdapter() {
  /** @type {Map<string, { payload: any, expiresAt: number }>} */
  const store = new Map();
  const grantIndex = new Map(); // grantId -> Set<key>
  const uidIndex = new Map();
  const userCodeIndex = new Map();
  const get = (key) => {
    const hit = store.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return hit.payload;
  };
  class EntraMemoryAdapter {
    constructor(model) {
      this.model = model;
    }
    key(id) {
      return `${this.model}:${id}`;
    }
    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      store.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity });
      if (payload.grantId) {
        if (!grantIndex.has(payload.grantId)) grantIndex.set(payload.grantId, new Set());
        grantIndex.get(payload.grantId).add(key);
      }
      if (this.model === 'Session' && payload.uid) uidIndex.set(payload.uid, id);
      if (payload.userCode) userCodeIndex.set(payload.userCode, id);
    }
    async find(id) {
      return get(this.key(id));
    }
    async findByUid(uid) {
      const id = uidIndex.get(uid);
      return id === undefined ? undefined : this.find(id);
    }
    async findByUserCode(userCode) {
      const id = userCodeIndex.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }
    async consume(id) {
      const p = get(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId) {
      for (const key of grantIndex.get(grantId) ?? []) store.delete(key);
      grantIndex.delete(grantId);
    }
  }
  return {
    Adapter: EntraMemoryAdapter,
    /** Live entries of one model: [id, payload]. */
    *entries(model) {
      for (const key of [...store.keys()]) {
        if (!key.startsWith(`${model}:`)) continue;
        const payload = get(key);
        if (payload) yield [key.slice(model.length + 1), payload];
      }
    },
    peek: (model, id) => get(`${model}:${id}`),
    delete: (model, id) => store.delete(`${model}:${id}`),
  };
}

// Interaction policy: consentPolicy() from ../implicitConsent.mjs, the same arrangement as ../createIdp.mjs.

/** Does `have` contain everything `want` has (deep, arrays by JSON equality)? */
function containsClaims(have, want) {
  if (want === null || typeof want !== 'object') return JSON.stringify(have) === JSON.stringify(want);
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.every((w) => have.some((h) => JSON.stringify(h) === JSON.stringify(w)));
  }
  if (have === null || typeof have !== 'object') return false;
  return Object.entries(want).every(([k, v]) => containsClaims(have[k], v));
}

const parseJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * MSAL AT-PoP (docs/protocol.md A10): `req_cnf` = base64url(JSON `{"kid":"<RFC 7638 thumbprint>","xms_ksl":"sw"}`).
 * msal-common encodes it with its base64 helper, so plain base64 (+ / =) is accepted as well.
 * @returns {{ kid: string, xms_ksl?: string } | { error: string }}
 */
function parseReqCnf(value) {
  if (typeof value !== 'string' || !value) return { error: "missing required parameter 'req_cnf'" };
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(value)) return { error: 'req_cnf is not base64url' };
  const cnf = parseJson(Buffer.from(value, 'base64url').toString('utf8'));
  if (!cnf || typeof cnf !== 'object' || Array.isArray(cnf)) return { error: 'req_cnf is not a JSON object' };
  // A SHA-256 JWK thumbprint is 32 bytes: 43 base64url characters.
  if (typeof cnf.kid !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(cnf.kid)) return { error: 'req_cnf.kid is not an RFC 7638 SHA-256 thumbprint' };
  if (cnf.xms_ksl !== undefined && cnf.xms_ksl !== 'sw' && cnf.xms_ksl !== 'uhw') return { error: 'req_cnf.xms_ksl must be sw or uhw' };
  return { kid: cnf.kid, ...(cnf.xms_ksl ? { xms_ksl: cnf.xms_ksl } : {}) };
}

/** Values of `access_token.acrs` asked for in a `claims` parameter. */
function requestedAcrs(claimsJson) {
  const acrs = parseJson(claimsJson ?? '')?.access_token?.acrs;
  if (!acrs || typeof acrs !== 'object') return [];
  return [acrs.value, ...(Array.isArray(acrs.values) ? acrs.values : [])].filter((v) => typeof v === 'string');
}

// ---------------------------------------------------------------- the IdP

/** @param {import('./createEntraIdp.d.mts').EntraIdpOptions} options */
export async function createEntraIdp(options) {
  const {
    port = 0,
    redirectUris,
    clientIds = ['spa'],
    accessTokenTtl = 3600,
    idTokenTtl = 3600,
    refreshTokenTtl = 24 * 3600,
    rotateRefreshTokens = true,
    refreshIn = true,
    refreshTokenExpiresIn = false,
    deviceInterval = 1,
    deviceSlowDown = false,
    deviceCodeTtl = 900,
    deviceVerificationUri = DEVICE_VERIFICATION_URI,
    guestLogins = [],
    autoConsent = true,
    exposeRetryAfter = false,
    extraHosts = [],
    confidentialClients = [],
  } = options;
  const corsOrigins = new Set(options.corsOrigins ?? redirectUris.map((u) => new URL(u).origin));
  const guests = new Set(guestLogins.map(normalizeLogin));
  const mappedHosts = [...new Set([...DEFAULT_MAPPED_HOSTS, ...extraHosts])];

  // TLS for every host the browser maps here (Chromium still checks names; tests
  // also pass ignoreHTTPSErrors). Node callers use idp.fetch, which trusts `certificate.cert`.
  const certificate = await generateCertificate([{ name: 'commonName', value: ISSUER_HOST }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...mappedHosts, 'localhost'].map((value) => ({ type: 2, value })).concat([{ type: 7, ip: '127.0.0.1' }]) },
    ],
  });

  // Server first: with port 0 only the bound socket knows the port (the
  // browser's resolver rules carry it); the issuers themselves are fixed.
  /** @type {import('node:http').RequestListener} */
  let handler = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer({ key: certificate.private, cert: certificate.cert }, (req, res) => handler(req, res));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('Entra IdP server has no TCP address');

  // One signing key for both tenants, like Entra's shared keys.
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `keyward-entra-${randomUUID().slice(0, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };

  // Confidential clients (keyward/server): secret or certificate, client credentials, on-behalf-of.
  const confidential = new Map(confidentialClients.map((spec) => [spec.client_id, confidentialClient(spec, redirectUris)]));
  const clients = [...confidential.values()]
    .map((c) => c.metadata)
    .concat(
      options.clients ??
        clientIds.map((client_id) => ({
          client_id,
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT, 'password'],
          response_types: ['code'],
          redirect_uris: redirectUris,
          post_logout_redirect_uris: redirectUris,
        })),
    );

  // ---------------------------------------------------------------- state + logs
  /** @type {import('./createEntraIdp.d.mts').EntraTokenRequest[]} */
  const tokenRequests = [];
  /** @type {import('./createEntraIdp.d.mts').EntraTokenRequest[]} */
  const deviceRequests = [];
  /** @type {import('./createEntraIdp.d.mts').EntraAuthorizeRequest[]} */
  const authorizeRequests = [];
  /** @type {import('./createEntraIdp.d.mts').EntraDiscoveryRequest[]} */
  const discoveryRequests = [];
  /** @type {import('./createEntraIdp.d.mts').EntraEvent[]} */
  const events = [];
  /** @type {Array<Required<Pick<import('./createEntraIdp.d.mts').FailNextOptions, 'status' | 'count' | 'endpoint'>> & import('./createEntraIdp.d.mts').FailNextOptions>} */
  let failures = [];
  /** @type {(import('./createEntraIdp.d.mts').DemandClaimsOptions & { remaining: number }) | undefined} */
  let demand;
  const revokedRefreshTokens = new Set();
  /** Hybrid SPA codes issued (`return_spa_code=1`): code -> the confidential client and the redirect URI of the code it came with. */
  const spaCodes = new Map();
  const devicePolls = new Map(); // device_code -> last poll (ms)
  const userCodeTenants = new Map(); // normalized user code -> tenant GUID
  const subjects = new Map(); // accountId (sub) -> { login, tenant }

  /** @type {Map<string, ReturnType<typeof makeTenant>>} */
  const tenants = new Map();

  function registerSubject(login, tenant) {
    const sub = subFor(login, tenant);
    subjects.set(sub, { login: normalizeLogin(login), tenant });
    return sub;
  }

  /** Ids of `login` in `tenant`: member in both by default, guest in B with `guestLogins`. */
  function identity(login, tenant) {
    const n = normalizeLogin(login);
    const guest = guests.has(n) && tenant !== TENANT_A;
    const homeOid = oidFor(n);
    return {
      login: n,
      sub: subFor(n, tenant),
      oid: guest ? oidFor(n, tenant) : homeOid,
      tid: tenant,
      // client_info carries the home account (uid.utid): a guest's home is tenant A.
      uid: homeOid,
      utid: guest ? TENANT_A : tenant,
      name: displayName(n),
      preferred_username: preferredUsername(n),
    };
  }

  // ---------------------------------------------------------------- tenants
  function makeTenant(tenantId, label) {
    const adapter = createAdapter();
    const issuer = `https://${ISSUER_HOST}/${tenantId}/v2.0`;

    const provider = new Provider(issuer, {
      adapter: adapter.Adapter,
      clients: structuredClone(clients),
      jwks: { keys: [privateJwk] },
      routes: PATHS,
      // Both tenants live on one host: separate cookie names keep their sessions apart.
      cookies: {
        keys: ['keyward-entra-test-cookie-secret'],
        names: { session: `_kw_${label}_session`, interaction: `_kw_${label}_interaction`, resume: `_kw_${label}_resume` },
      },
      async findAccount(_ctx, sub) {
        const subject = subjects.get(sub);
        if (!subject || subject.tenant !== tenantId) return undefined;
        const id = identity(subject.login, tenantId);
        return {
          accountId: sub,
          async claims() {
            return { sub, oid: id.oid, tid: id.tid, ver: '2.0', name: id.name, preferred_username: id.preferred_username, email: id.preferred_username };
          },
        };
      },
      // Entra v2 id_token: tid and ver always, oid/name/preferred_username with `profile`.
      claims: { openid: ['sub', 'tid', 'ver'], profile: ['name', 'preferred_username', 'oid'], email: ['email'] },
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      clientBasedCORS: (_ctx, origin) => corsOrigins.has(origin),
      rotateRefreshToken: rotateRefreshTokens,
      assertJwtClientAuthClaimsAndHeader: assertEntraClientAssertion(confidential),
      extraParams: [IMPLICIT_CONSENT, 'client_info'],
      interactions: { policy: consentPolicy() },
      // Entra apps are consented once by an admin: auto-grant what is asked, so
      // only prompt=consent shows a consent page.
      async loadExistingGrant(ctx) {
        const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
        if (!autoConsent || !ctx.oidc.account) return grant;
        if (!grant || grant.accountId !== ctx.oidc.account.accountId) {
          grant = new ctx.oidc.provider.Grant({ accountId: ctx.oidc.account.accountId, clientId: ctx.oidc.client.clientId });
        }
        grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
        for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
          const wanted = [...ctx.oidc.requestParamScopes].filter((s) => server.scopes.has(s));
          if (wanted.length) grant.addResourceScope(indicator, wanted.join(' '));
        }
        await grant.save();
        return grant;
      },
      ttl: {
        AccessToken: accessTokenTtl,
        IdToken: idTokenTtl,
        RefreshToken: refreshTokenTtl,
        AuthorizationCode: 600,
        DeviceCode: deviceCodeTtl,
        Grant: Math.max(refreshTokenTtl, 14 * 24 * 3600),
        Session: 14 * 24 * 3600,
        Interaction: 3600,
      },
      formats: {
        customizers: {
          // Entra-shaped JWT access tokens: `typ: JWT`, `scp` (names without the
          // resource prefix), `azp`, `ver`, `oid`, `tid`; `acrs` when the token
          // request asked for an auth context through `claims`.
          async jwt(ctx, token, jwt) {
            const p = jwt.payload;
            const subject = subjects.get(token.accountId);
            jwt.header = { typ: 'JWT' };
            if (typeof p.scope === 'string') {
              const audience = typeof p.aud === 'string' ? p.aud : API_AUDIENCE;
              p.scp = p.scope
                .split(' ')
                .map((s) => (s.startsWith(`${audience}/`) ? s.slice(audience.length + 1) : s))
                .join(' ');
            }
            // App tokens (client credentials): the app roles granted to the client, `idtyp: app`, the service principal as oid/sub.
            if (token.kind === 'ClientCredentials') {
              Object.assign(p, {
                idtyp: 'app',
                roles: confidential.get(p.client_id)?.spec.roles ?? ['Data.Read.All'],
                oid: oidFor(`sp:${p.client_id}`),
                sub: oidFor(`sp:${p.client_id}`),
              });
            }
            delete p.scope;
            p.azp = p.client_id;
            p.azpacr = '0';
            delete p.client_id;
            p.ver = '2.0';
            p.tid = tenantId;
            if (subject) {
              const id = identity(subject.login, tenantId);
              Object.assign(p, { oid: id.oid, name: id.name, preferred_username: id.preferred_username });
            }
            p.uti = randomUUID().replace(/-/g, '').slice(0, 22);
            const acrs = requestedAcrs(ctx?.req?.entra?.params?.claims);
            if (acrs.length) p.acrs = acrs;
            // MSAL AT-PoP: the token is bound to the req_cnf key (docs/protocol.md A10).
            const pop = ctx?.req?.entra?.pop;
            if (pop) p.cnf = { ...(p.cnf ?? {}), kid: pop.kid };
          },
        },
      },
      features: {
        devInteractions: { enabled: true },
        clientCredentials: { enabled: true },
        userinfo: { enabled: true },
        revocation: { enabled: false },
        rpInitiatedLogout: {
          enabled: true,
          // Entra signs out without a confirmation page: submit oidc-provider's form at once.
          async logoutSource(ctx, form) {
            ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head><body>
${form}<input type="hidden" form="op.logoutForm" name="logout" value="yes"/>
<script>document.forms[0].submit()</script><noscript><button type="submit" form="op.logoutForm">Sign out</button></noscript></body></html>`;
          },
          async postLogoutSuccessSource(ctx) {
            ctx.body =
              '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head><body><h1>You signed out of your account</h1></body></html>';
          },
        },
        deviceFlow: {
          enabled: true,
          charset: 'base-20',
          mask: '********',
        },
        resourceIndicators: demoApiResourceIndicators(),
      },
    });

    // Failures keep their error object for the Entra rewrite below.
    for (const type of ['grant.error', 'authorization.error', 'device_authorization.error', 'server_error', 'code_verification.error', 'end_session.error']) {
      provider.on(type, (ctx, err) => {
        if (ctx?.state) ctx.state.entraError = err;
        events.push({ type, tenant: tenantId, at: Date.now(), detail: { error: err?.error, description: err?.error_description, detail: err?.error_detail } });
      });
    }
    for (const type of ['grant.success', 'authorization.success', 'grant.revoked', 'refresh_token.consumed', 'end_session.success', 'interaction.started']) {
      provider.on(type, () => events.push({ type, tenant: tenantId, at: Date.now(), detail: {} }));
    }

    // ROPC: grant_type=password, through oidc-provider's registerGrantType.
    const boundHelpers = Object.fromEntries(Object.entries(grantHelpers).map(([name, fn]) => [name, fn.bind(undefined, provider)]));
    provider.registerGrantType(
      'password',
      async function passwordGrant(ctx) {
        const { username, password, scope } = ctx.oidc.params;
        if (!username) throw new errors.InvalidRequest("missing required parameter 'username'");
        if (!password) throw new errors.InvalidRequest("missing required parameter 'password'");
        if (password !== `pw-${username}` && password !== `pw-${normalizeLogin(username)}`) {
          throw Object.assign(new errors.InvalidGrant('invalid username or password'), { entra: 'invalidCredentials' });
        }
        const dPoP = await boundHelpers.validateDpop(ctx);
        boundHelpers.checkDpopRequired(ctx, dPoP);
        const accountId = registerSubject(username, tenantId);
        const scopes = [
          ...new Set(
            String(scope ?? 'openid')
              .split(' ')
              .filter(Boolean),
          ),
        ];
        const resourceScopes = scopes.filter((s) => API_SCOPES.includes(s));
        const unknown = scopes.find((s) => s.includes('/') && !API_SCOPES.includes(s));
        if (unknown) throw new errors.InvalidScope('requested scope is not allowed', unknown);
        const grant = new provider.Grant({ accountId, clientId: ctx.oidc.client.clientId });
        grant.addOIDCScope(scopes.filter((s) => ['openid', 'profile', 'email', 'offline_access'].includes(s)).join(' '));
        if (resourceScopes.length) grant.addResourceScope(API_AUDIENCE, resourceScopes.join(' '));
        await grant.save();
        // An unsaved code-shaped source: the same input device_code hands issueTokens().
        const source = new provider.AuthorizationCode({
          client: ctx.oidc.client,
          accountId,
          grantId: grant.jti,
          scope: scopes.join(' '),
          resource: resourceScopes.length ? API_AUDIENCE : undefined,
          authTime: Math.floor(Date.now() / 1000),
          amr: ['pwd'],
          claims: {},
          expiresWithSession: false,
        });
        ctx.oidc.entity('Grant', grant);
        await issueTokens(provider, boundHelpers, ctx, source, grant, { gty: 'password', entityLabel: 'password grant', cert: undefined, dPoP });
      },
      ['username', 'password', 'scope', 'resource'],
      ['resource'],
    );

    registerConfidentialGrants(provider, {
      tenantId,
      issuers: [issuer],
      jwks: { keys: [publicJwk] },
      registry: confidential,
      isKnownSubject: (sub) => subjects.get(sub)?.tenant === tenantId,
      entraError: (key) => {
        const Class = key === 'defaultScopeRequired' ? errors.InvalidScope : key === 'oboUseMissing' ? errors.InvalidRequest : errors.InvalidGrant;
        return Object.assign(new Class(key), { entra: key });
      },
    });

    // Pre: login form posts create the account's Entra-like sub. Post: Entra's response shapes.
    provider.use(async (ctx, next) => {
      /** @type {EntraRequest | undefined} */
      const entra = ctx.req.entra;
      await next();
      if (!entra) return;
      const route = ctx.oidc?.route;
      try {
        if (route === 'token') await issueSpaCode(ctx, entra, provider);
        if (route === 'discovery') rewriteDiscovery(ctx, entra, tenantId);
        else if (route === 'jwks') setHeaders(ctx, METADATA_HEADERS);
        else if (route === 'token') rewriteTokenResponse(ctx, entra, tenantId);
        else if (route === 'device_authorization') rewriteDeviceResponse(ctx, entra, tenantId);
        else if (route === 'authorization' || route === 'resume') rewriteAuthorizationResponse(ctx, entra, tenantId);
      } finally {
        if (route === 'token' || route === 'device_authorization') logToken(entra, ctx.status, ctx.body, route);
      }
    });

    return { id: tenantId, label, issuer, provider, adapter, callback: provider.callback() };
  }

  tenants.set(TENANT_A, makeTenant(TENANT_A, 'a'));
  tenants.set(TENANT_B, makeTenant(TENANT_B, 'b'));

  /** @returns {{ tenant: ReturnType<typeof makeTenant>, multiTenant: boolean } | { error: [number, string], kind: string } } */
  function resolveTenant(segment) {
    const s = segment.toLowerCase();
    if (MULTI_TENANT_SEGMENTS.includes(s)) return { tenant: tenants.get(TENANT_A), multiTenant: true };
    const guid = TENANT_DOMAINS[s] ?? (tenants.has(s) ? s : undefined);
    if (guid) return { tenant: tenants.get(guid), multiTenant: false };
    const guidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);
    return { error: guidLike || s.includes('.') ? AADSTS.tenantNotFound : AADSTS.invalidTenantIdentifier, kind: 'tenant' };
  }

  // ---------------------------------------------------------------- response rewrites

  function setHeaders(ctx, headers) {
    for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
  }

  function rewriteDiscovery(ctx, entra, tenantId) {
    if (ctx.status !== 200 || !ctx.body) return;
    const b = ctx.body;
    ctx.body = openidConfiguration({
      issuer: entra.multiTenant ? `https://${ISSUER_HOST}/{tenantid}/v2.0` : `https://${ISSUER_HOST}/${tenantId}/v2.0`,
      host: entra.host,
      segment: entra.segment,
      multiTenant: entra.multiTenant,
      endpoints: b,
    });
    setHeaders(ctx, METADATA_HEADERS);
    ctx.remove('Vary');
  }

  function clientInfo(accountId) {
    const subject = subjects.get(accountId);
    if (!subject) return undefined;
    const id = identity(subject.login, subject.tenant);
    return b64urlJson({ uid: id.uid, utid: id.utid });
  }

  /**
   * Hybrid SPA (learn.microsoft.com/entra/msal/dotnet/advanced/spa-authorization-code; MSAL
   * Node's `enableSpaAuthorizationCode` sends `return_spa_code=1`, msal-common reads the
   * answer's `spa_code`): a confidential client's successful code redemption that asks for it
   * gets a second authorization code for the same grant, person, scopes and session, without
   * a PKCE challenge, which the browser then redeems cross-origin without a secret.
   */
  async function issueSpaCode(ctx, entra, provider) {
    const body = ctx.body;
    const clientId = ctx.oidc?.client?.clientId;
    const used = ctx.oidc?.entities?.AuthorizationCode;
    if (ctx.status !== 200 || !body?.access_token || entra.params?.grant_type !== 'authorization_code' || entra.params?.return_spa_code !== '1') return;
    if (!used || !confidential.has(clientId)) return;
    const fields = [
      'sessionUid',
      'expiresWithSession',
      'grantId',
      'accountId',
      'acr',
      'amr',
      'authTime',
      'claims',
      'nonce',
      'resource',
      'scope',
      'sid',
      'redirectUri',
    ];
    const code = new provider.AuthorizationCode({
      client: ctx.oidc.client,
      ...Object.fromEntries(fields.filter((f) => used[f] !== undefined).map((f) => [f, used[f]])),
    });
    const value = await code.save();
    spaCodes.set(value, { clientId, redirectUri: used.redirectUri });
    body.spa_code = value;
  }

  function rewriteTokenResponse(ctx, entra, tenantId) {
    const body = ctx.body;
    if (!body || typeof body !== 'object') return;
    if (ctx.status === 200 && body.access_token) {
      const accountId = ctx.oidc.account?.accountId;
      // Member order of a live Entra token response (azure-sdk-for-js recordings:
      // {"token_type":"Bearer","expires_in":86399,"ext_expires_in":86399,"access_token":…}),
      // with scope/refresh_in/refresh_token/id_token/client_info placed as msal-common's
      // ServerAuthorizationTokenResponse lists them (docs/protocol.md A4/A5).
      // MSAL AT-PoP: token_type "pop" (docs/protocol.md A10); the JWT carries cnf.kid (see the jwt customizer).
      /** @type {Record<string, unknown>} */
      const out = { token_type: entra.pop ? 'pop' : body.token_type, scope: body.scope, expires_in: body.expires_in, ext_expires_in: body.expires_in };
      if (refreshIn && typeof body.expires_in === 'number') out.refresh_in = Math.floor(body.expires_in / 2);
      out.access_token = body.access_token;
      if (body.refresh_token) {
        out.refresh_token = body.refresh_token;
        // Opt-in: no capture of Entra sending this was found (msal-common's
        // ServerAuthorizationTokenResponse has no such member); SPA redemptions only.
        if (refreshTokenExpiresIn && ctx.get('origin')) {
          const rt = adapterPeekRefresh(tenantId, body.refresh_token);
          out.refresh_token_expires_in = rt?.exp ? Math.max(0, rt.exp - Math.floor(Date.now() / 1000)) : refreshTokenTtl;
        }
      }
      if (body.id_token) out.id_token = body.id_token;
      // client_info only when asked (docs/protocol.md A4: base64url {"uid","utid"}).
      if (entra.params?.client_info === '1' && accountId) out.client_info = clientInfo(accountId);
      for (const [k, v] of Object.entries(body)) if (!(k in out)) out[k] = v;
      ctx.body = out;
      ctx.set('Cache-Control', 'no-store, no-cache');
      ctx.set('Pragma', 'no-cache');
      return;
    }
    if (body.error) ctx.body = toEntraError(ctx, entra, body);
  }

  function adapterPeekRefresh(tenantId, value) {
    return tenants.get(tenantId)?.adapter.peek('RefreshToken', value);
  }

  /** oidc-provider error -> Entra error body (docs/protocol.md A11). */
  function toEntraError(ctx, entra, body) {
    const err = ctx.state.entraError;
    const detail = String(err?.error_detail ?? err?.error_description ?? body.error_description ?? '');
    const grantType = entra.params?.grant_type;
    let error = body.error;
    let key;
    switch (body.error) {
      case 'invalid_grant':
        if (err?.entra) key = err.entra;
        else if (grantType === 'refresh_token') {
          if (/expired/.test(detail)) key = ctx.get('origin') ? 'spaRefreshTokenExpired' : 'expiredInactiveRefreshToken';
          else key = 'expiredOrRevokedGrant';
        } else if (grantType === 'authorization_code') {
          if (/already consumed/.test(detail)) key = 'codeRedeemed';
          else if (/redirect_uri/.test(detail)) key = 'replyAddressMismatch';
          else if (err?.cause || /code_verifier|PKCE/i.test(detail)) key = 'codeVerifierMismatch';
          else key = 'expiredOrRevokedGrant';
        } else if (grantType === DEVICE_GRANT) {
          error = 'bad_verification_code';
          key = 'badVerificationCode';
        } else key = 'expiredOrRevokedGrant';
        break;
      case 'authorization_pending':
        key = 'authorizationPending';
        break;
      case 'expired_token':
        key = 'codeExpired';
        break;
      case 'access_denied':
        if (grantType === DEVICE_GRANT) {
          error = 'authorization_declined';
          key = 'authorizationDeclined';
        } else key = 'userDeclined';
        break;
      case 'invalid_scope':
        key = 'invalidScope';
        break;
      case 'invalid_target':
        error = 'invalid_resource';
        key = 'resourceNotFound';
        break;
      case 'unsupported_grant_type':
        key = 'unsupportedGrantType';
        break;
      case 'unauthorized_client':
        key = 'appNotFound';
        break;
      case 'invalid_client':
        if (/not found/.test(detail)) {
          error = 'unauthorized_client';
          key = 'appNotFound';
        } else key = clientAuthFailureKey(detail, entra.params) ?? 'invalidRequest';
        break;
      case 'invalid_request':
        key = /missing required parameter/.test(detail) ? 'missingParameter' : 'invalidRequest';
        break;
      case 'server_error':
        key = 'server';
        break;
      default:
        key = 'invalidRequest';
    }
    if (err?.entra && CONFIDENTIAL_AADSTS[err.entra]) key = err.entra;
    const [code, text] = AADSTS[key] ?? CONFIDENTIAL_AADSTS[key];
    const missing = /missing required parameter '?([\w-]+)'?/.exec(detail)?.[1];
    const sentence = key === 'missingParameter' && missing ? text.replace('parameter.', `parameter: '${missing}'.`) : text;
    return entraError({ error, code, text: sentence, correlationId: entra.correlationId, traceId: entra.traceId, host: entra.host });
  }

  function rewriteDeviceResponse(ctx, entra, tenantId) {
    const b = ctx.body;
    if (ctx.status !== 200 || !b?.device_code) {
      if (b?.error) ctx.body = toEntraError(ctx, entra, b);
      return;
    }
    userCodeTenants.set(normalizeUserCode(b.user_code), { tenant: tenantId, segment: entra.segment });
    ctx.body = deviceCodeResponse({
      userCode: b.user_code,
      deviceCode: b.device_code,
      verificationUri: deviceVerificationUri,
      expiresIn: b.expires_in,
      interval: deviceInterval,
    });
  }

  /** Authorization redirects: add client_info, drop RFC 9207 `iss` (Entra sends none), AADSTS descriptions. */
  function rewriteAuthorizationResponse(ctx, entra, _tenantId) {
    const location = ctx.response.get('Location');
    if (!location || ctx.status < 300 || ctx.status >= 400) return;
    const redirectUri = ctx.oidc.params?.redirect_uri;
    if (!redirectUri || !location.startsWith(String(redirectUri))) return;
    const url = new URL(location);
    const inFragment = url.hash.length > 1;
    const params = new URLSearchParams(inFragment ? url.hash.slice(1) : url.search);
    if (!params.has('code') && !params.has('error')) return;
    params.delete('iss');
    if (params.has('code')) {
      const accountId = ctx.oidc.account?.accountId ?? ctx.oidc.session?.accountId;
      if (ctx.oidc.params?.client_info === '1' && accountId) params.set('client_info', clientInfo(accountId));
    } else {
      const map = {
        login_required: 'noSession',
        consent_required: 'consentRequired',
        interaction_required: 'mfaRequired',
        access_denied: 'userDeclined',
        invalid_scope: 'invalidScope',
        unauthorized_client: 'appNotFound',
      };
      const [code, text] = AADSTS[map[params.get('error')] ?? 'invalidRequest'];
      const e = entraError({
        error: params.get('error') ?? 'invalid_request',
        code,
        text,
        correlationId: entra.correlationId,
        traceId: entra.traceId,
        host: entra.host,
      });
      params.set('error_description', String(e.error_description));
      params.set('error_uri', String(e.error_uri));
    }
    if (inFragment) url.hash = params.toString();
    else url.search = params.toString();
    ctx.set('Location', url.href);
    if (typeof ctx.body === 'string' && ctx.body.includes('Redirecting')) ctx.body = `Redirecting to ${url.href}.`;
  }

  // ---------------------------------------------------------------- logs

  function redactBody(params) {
    if (!params) return {};
    const out = {};
    for (const [k, v] of Object.entries(params)) out[k] = k === 'password' || k === 'client_secret' ? '[redacted]' : v;
    return out;
  }

  function logToken(entra, status, body, route = 'token') {
    if (entra.logged) return;
    entra.logged = true;
    const p = entra.params ?? {};
    const entry = {
      endpoint: route === 'device_authorization' ? 'devicecode' : 'token',
      tenant: entra.tenantId,
      segment: entra.segment,
      host: entra.host,
      grant_type: p.grant_type ?? '',
      refresh_token: p.refresh_token,
      code: p.code,
      device_code: p.device_code,
      username: p.username,
      scope: p.scope,
      client_id: p.client_id,
      client_info: p.client_info,
      claims: p.claims,
      token_type: p.token_type,
      req_cnf: p.req_cnf,
      popKid: entra.pop?.kid,
      body: redactBody(p),
      headers: pick(entra.headers, LOGGED_HEADERS),
      status,
      error: body && typeof body === 'object' ? body.error : undefined,
      suberror: body && typeof body === 'object' ? body.suberror : undefined,
      at: Date.now(),
    };
    if (route === 'device_authorization') deviceRequests.push(entry);
    else tokenRequests.push(entry);
  }
  // ---------------------------------------------------------------- front handler

  /**
   * @typedef {{ host: string, segment: string, tenantId?: string, multiTenant: boolean, kind: string,
   *   params?: Record<string, string>, headers: Record<string, string>, traceId: string, correlationId?: string,
   *   origin?: string, logged?: boolean, pop?: { kid: string, xms_ksl?: string } }} EntraRequest
   */

  function send(res, status, body, headers = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  function corsHeaders(entra) {
    const origin = entra.headers.origin;
    const h = origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
    if (origin && exposeRetryAfter) h['Access-Control-Expose-Headers'] = 'Retry-After';
    return h;
  }

  function sendError(res, entra, status, spec, extraHeaders = {}) {
    const body = entraError({ ...spec, correlationId: entra.correlationId, traceId: entra.traceId, host: entra.host });
    if (entra.kind === 'token' || entra.kind === 'devicecode') logToken(entra, status, body, entra.kind === 'devicecode' ? 'device_authorization' : 'token');
    send(res, status, body, { ...corsHeaders(entra), 'Cache-Control': 'no-store, no-cache', 'x-ms-request-id': entra.traceId, ...extraHeaders });
  }

  async function readBody(req) {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > 56 * 1024) throw new Error('request entity too large');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Classifies `/{tenant}<rest>` into an Entra endpoint and the path oidc-provider routes. */
  function classify(rest) {
    if (rest === '/v2.0/.well-known/openid-configuration') return { kind: 'discovery', inner: '/.well-known/openid-configuration' };
    if (rest === PATHS.authorization) return { kind: 'authorize', inner: rest };
    if (rest.startsWith(`${PATHS.authorization}/`)) return { kind: 'resume', inner: rest };
    if (rest === PATHS.token) return { kind: 'token', inner: rest };
    if (rest === PATHS.device_authorization) return { kind: 'devicecode', inner: rest };
    if (rest === PATHS.end_session || rest.startsWith(`${PATHS.end_session}/`)) return { kind: 'logout', inner: rest };
    if (rest === PATHS.jwks) return { kind: 'keys', inner: rest };
    if (rest === PATHS.code_verification || rest.startsWith(`${PATHS.code_verification}/`)) return { kind: 'deviceauth', inner: rest };
    if (rest.startsWith('/interaction/')) return { kind: 'interaction', inner: rest };
    return undefined;
  }

  function takeFailure(kind, tenantId) {
    const i = failures.findIndex((f) => f.endpoint === kind && f.count > 0 && (!f.tenant || f.tenant === tenantId));
    if (i < 0) return undefined;
    const f = failures[i];
    f.count -= 1;
    if (f.count <= 0) failures.splice(i, 1);
    return f;
  }

  function sendFailure(res, entra, f) {
    const headers = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
    if (f.plainText) {
      const text = f.status === 429 ? 'Too Many Requests' : 'Service Unavailable';
      if (entra.kind === 'token') logToken(entra, f.status, undefined);
      res.writeHead(f.status, { 'Content-Type': 'text/plain', ...corsHeaders(entra), ...headers });
      res.end(text);
      return;
    }
    const [code, text] = f.errorCode ? [f.errorCode, f.description ?? 'Service error.'] : AADSTS[f.status === 429 ? 'throttled' : 'unavailable'];
    sendError(res, entra, f.status, { error: f.error ?? 'temporarily_unavailable', code, text: f.description ?? text }, headers);
  }

  function instanceDiscovery(res, entra, url) {
    const endpoint = url.searchParams.get('authorization_endpoint');
    discoveryRequests.push({
      kind: 'instance',
      host: entra.host,
      segment: entra.segment,
      url: url.href,
      params: Object.fromEntries(url.searchParams),
      headers: pick(entra.headers, LOGGED_HEADERS),
      at: Date.now(),
    });
    const failure = takeFailure('instance');
    if (failure) return sendFailure(res, entra, failure);
    let target;
    try {
      target = endpoint ? new URL(endpoint) : undefined;
    } catch {
      target = undefined;
    }
    if (!target) {
      return sendError(
        res,
        entra,
        400,
        {
          error: 'invalid_request',
          code: AADSTS.missingParameter[0],
          text: "The request body must contain the following parameter: 'authorization_endpoint'.",
        },
        METADATA_HEADERS,
      );
    }
    if (!KNOWN_MICROSOFT_HOSTS.has(target.hostname.toLowerCase())) {
      const [code, text] = AADSTS.unknownInstance;
      return sendError(res, entra, 400, { error: 'invalid_instance', code, text }, METADATA_HEADERS);
    }
    const tenant = target.pathname.split('/')[1] || 'common';
    send(
      res,
      200,
      {
        tenant_discovery_endpoint: `https://${target.host}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': url.searchParams.get('api-version') ?? '1.1',
        metadata: INSTANCE_METADATA,
      },
      { ...METADATA_HEADERS, 'x-ms-request-id': entra.traceId },
    );
  }

  const normalizeUserCode = (code) =>
    String(code ?? '')
      .toUpperCase()
      .replace(/[^BCDFGHJKLMNPQRSTVWXZ]/g, '');

  handler = async (req, res) => {
    /** @type {EntraRequest} */
    let entra;
    try {
      const host = String(req.headers.host ?? ISSUER_HOST)
        .replace(/:\d+$/, '')
        .toLowerCase();
      const url = new URL(req.url ?? '/', `https://${host}`);
      const headers = /** @type {Record<string, string>} */ (
        Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]))
      );

      // https://microsoft.com/devicelogin (and www.microsoft.com/link) -> the common device page.
      if (DEVICE_LOGIN_HOSTS.includes(host)) {
        if (url.pathname === '/devicelogin' || url.pathname === '/link') {
          res.writeHead(302, { Location: `https://${ISSUER_HOST}/common${PATHS.code_verification}` });
        } else res.writeHead(404);
        res.end();
        return;
      }

      const [, segment = '', ...restParts] = url.pathname.split('/');
      const rest = `/${restParts.join('/')}`;
      entra = {
        host,
        segment,
        multiTenant: false,
        kind: 'unknown',
        headers,
        traceId: randomUUID(),
        correlationId: headers['client-request-id'] || url.searchParams.get('client-request-id') || undefined,
      };

      if (rest === '/discovery/instance' && req.method === 'GET') {
        instanceDiscovery(res, entra, url);
        return;
      }
      if (req.method === 'OPTIONS' && rest === '/discovery/instance') {
        res.writeHead(204, METADATA_HEADERS);
        res.end();
        return;
      }

      const route = classify(rest);
      if (!route) {
        send(res, 404, '<!DOCTYPE html><title>404</title><h1>Not found</h1>');
        return;
      }
      entra.kind = route.kind;

      /** @type {Record<string, string> | undefined} */
      let params;
      if (req.method === 'POST') {
        const raw = await readBody(req);
        // oidc-provider reads an already-consumed body from req.body (selective_body.js fallback).
        /** @type {any} */ (req).body = raw;
        if (String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          params = Object.fromEntries(new URLSearchParams(raw));
        }
        entra.params = params;
        entra.correlationId ||= params?.['client-request-id'];
      }

      if (route.kind === 'discovery' || route.kind === 'keys') {
        discoveryRequests.push({
          kind: route.kind === 'keys' ? 'keys' : 'openid-configuration',
          host,
          segment,
          url: url.href,
          params: Object.fromEntries(url.searchParams),
          headers: pick(headers, LOGGED_HEADERS),
          at: Date.now(),
        });
      }
      const resolved = resolveTenant(segment);
      if ('error' in resolved) {
        const [code, text] = resolved.error;
        const status = 400;
        return sendError(res, entra, status, {
          error: route.kind === 'discovery' ? 'invalid_tenant' : 'invalid_request',
          code,
          text: text.replace('Tenant not found', `Tenant '${segment}' not found`),
        });
      }
      const { tenant, multiTenant } = resolved;
      entra.tenantId = tenant.id;
      entra.multiTenant = multiTenant;

      const inner = route.inner;
      const query = new URLSearchParams(url.search);

      const preflight = req.method === 'OPTIONS';
      const failure = preflight ? undefined : takeFailure(route.kind, tenant.id);
      if (failure) return sendFailure(res, entra, failure);

      switch (preflight ? 'preflight' : route.kind) {
        case 'discovery':
        case 'keys': {
          const logged = discoveryRequests.at(-1);
          if (logged) logged.tenant = tenant.id;
          break;
        }
        case 'authorize': {
          const p = Object.fromEntries(req.method === 'POST' ? Object.entries(params ?? {}) : query);
          authorizeRequests.push({ tenant: tenant.id, segment, host, params: p, headers: pick(headers, LOGGED_HEADERS), at: Date.now() });
          if (req.method === 'GET') {
            query.delete(IMPLICIT_CONSENT); // only this IdP may set it
            // Entra's prompt values oidc-provider lacks: an account picker is a login page here.
            const prompts = (query.get('prompt') ?? '')
              .split(' ')
              .filter(Boolean)
              .map((p) => (p === 'select_account' || p === 'create' ? 'login' : p));
            if (prompts.length) query.set('prompt', [...new Set(prompts)].join(' '));
            if ((query.get('scope') ?? '').split(' ').includes('offline_access') && !prompts.includes('none') && !prompts.includes('consent')) {
              query.set('prompt', [...new Set([...prompts, 'consent'])].join(' '));
              query.set(IMPLICIT_CONSENT, '1');
            }
          }
          break;
        }
        case 'interaction':
          // The dev login form: the typed login becomes this tenant's opaque `sub` (oidc-provider's accountId).
          if (req.method === 'POST' && params?.prompt === 'login' && params.login) {
            const body = new URLSearchParams(params);
            body.set('login', registerSubject(params.login, tenant.id));
            /** @type {any} */ (req).body = body.toString();
          }
          break;
        case 'deviceauth':
          // One device page for every tenant, as Entra has: a code another tenant issued goes there.
          if (req.method === 'POST' && params?.user_code && !params.confirm && !params.abort) {
            const owner = userCodeTenants.get(normalizeUserCode(params.user_code));
            if (owner && owner.tenant !== tenant.id) {
              res.writeHead(303, { Location: `https://${host}/${owner.segment}${PATHS.code_verification}?user_code=${encodeURIComponent(params.user_code)}` });
              res.end();
              return;
            }
          }
          break;
        case 'logout':
          // Entra needs no id_token_hint for post_logout_redirect_uri; oidc-provider wants a client_id.
          if (query.get('post_logout_redirect_uri') && !query.get('client_id') && !query.get('id_token_hint')) {
            const target = query.get('post_logout_redirect_uri');
            const client = clients.find((c) => Array.isArray(c.post_logout_redirect_uris) && c.post_logout_redirect_uris.includes(target));
            if (client) query.set('client_id', client.client_id);
          }
          break;
        case 'token': {
          const p = params ?? {};
          // A hybrid SPA code is the browser's to redeem: cross-origin only (Entra's AADSTS9002327
          // for SPA tokens redeemed without Origin), no secret and no redirect_uri from the page
          // (MSAL.js's HybridSpaAuthorizationCodeClient omits it). Behind the front, oidc-provider
          // still sees the confidential client: the secret and redirect URI are filled in here.
          const spa = p.grant_type === 'authorization_code' && p.code ? spaCodes.get(p.code) : undefined;
          if (spa && p.client_id === spa.clientId) {
            if (!headers.origin) {
              return sendError(res, entra, 400, {
                error: 'invalid_request',
                code: 9002327,
                text: "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
              });
            }
            const forwarded = new URLSearchParams(p);
            forwarded.set('client_secret', confidential.get(spa.clientId)?.spec.client_secret ?? '');
            if (!p.redirect_uri) forwarded.set('redirect_uri', spa.redirectUri);
            /** @type {any} */ (req).body = forwarded.toString();
            entra.spaCodeRedemption = true;
          }
          // MSAL AT-PoP: token_type=pop + req_cnf, on any grant (docs/protocol.md A10).
          if (String(p.token_type ?? '').toLowerCase() === 'pop') {
            const cnf = parseReqCnf(p.req_cnf);
            if ('error' in cnf) {
              // No capture of Entra's answer to a bad req_cnf was found: AADSTS9002313 / 900144 stand in.
              const missing = p.req_cnf === undefined || p.req_cnf === '';
              const [code, text] = missing ? AADSTS.missingParameter : AADSTS.invalidRequest;
              return sendError(res, entra, 400, {
                error: 'invalid_request',
                code,
                text: missing ? text.replace('parameter.', "parameter: 'req_cnf'.") : `${text} ${cnf.error}.`,
              });
            }
            entra.pop = cnf;
          }
          if (demand) {
            const have = parseJson(p.claims ?? '');
            if (have && containsClaims(have, parseJson(demand.claims))) {
              demand = undefined; // satisfied
            } else {
              demand.remaining -= 1;
              const d = demand;
              if (d.remaining <= 0) demand = undefined;
              const [code, text] = d.errorCode ? [d.errorCode, d.description ?? AADSTS.mfaRequired[1]] : AADSTS.mfaRequired;
              return sendError(res, entra, 400, {
                error: d.error ?? 'interaction_required',
                code,
                text: d.description ?? text,
                suberror: d.suberror === null ? undefined : (d.suberror ?? 'basic_action'),
                claims: d.claims,
              });
            }
          }
          if (p.grant_type === 'refresh_token' && p.refresh_token && revokedRefreshTokens.has(p.refresh_token)) {
            const [code, text] = AADSTS.tokensRevoked;
            return sendError(res, entra, 400, { error: 'invalid_grant', code, text });
          }
          if (p.grant_type === DEVICE_GRANT && p.device_code && deviceSlowDown) {
            const last = devicePolls.get(p.device_code);
            devicePolls.set(p.device_code, Date.now());
            if (last !== undefined && Date.now() - last < deviceInterval * 1000) {
              // RFC 8628 3.5; Entra's device-flow page does not list slow_down (opt-in here).
              const [code] = AADSTS.authorizationPending;
              return sendError(res, entra, 400, { error: 'slow_down', code, text: 'You are polling too quickly. Increase the polling interval by 5 seconds.' });
            }
          }
          break;
        }
        default:
          break;
      }

      const search = query.toString();
      const innerUrl = `${inner}${search ? `?${search}` : ''}`;
      // The documented mount: oidc-provider routes req.url and derives the mount
      // path (hence every URL it prints) from req.originalUrl minus req.url.
      /** @type {any} */ (req).originalUrl = `/${segment}${innerUrl}`;
      req.url = innerUrl;
      /** @type {any} */ (req).entra = entra;
      res.setHeader('x-ms-request-id', entra.traceId);
      if (entra.correlationId && (route.kind === 'token' || route.kind === 'devicecode')) res.setHeader('client-request-id', entra.correlationId);
      tenant.callback(req, res);
    } catch (error) {
      if (!res.headersSent) {
        send(res, 500, entraError({ error: 'server_error', code: AADSTS.server[0], text: String(/** @type {Error} */ (error)?.message ?? error) }));
      } else res.end();
    }
  };

  // ---------------------------------------------------------------- Node-side client

  /** fetch() for Node code: Entra URLs go to this server, TLS checked against its certificate. */
  async function entraFetch(input, init = {}) {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    let body = init.body;
    if (body instanceof URLSearchParams) {
      if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
      body = body.toString();
    }
    const chunk = body === undefined || body === null ? undefined : Buffer.from(String(body));
    if (chunk) headers.set('content-length', String(chunk.length));
    headers.set('host', url.host);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: address.port,
          servername: url.hostname,
          ca: certificate.cert,
          method: init.method ?? 'GET',
          path: `${url.pathname}${url.search}`,
          headers: Object.fromEntries(headers),
          agent: false,
        },
        (res) => {
          const parts = [];
          res.on('data', (c) => parts.push(c));
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) h.append(k, String(one));
            }
            const status = res.statusCode ?? 500;
            const payload = status === 204 || status === 304 ? null : Buffer.concat(parts);
            resolve(new Response(payload, { status, headers: h }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(chunk);
    });
  }

  return {
    port: address.port,
    issuer: (tenant = TENANT_A) => `https://${ISSUER_HOST}/${tenant}/v2.0`,
    authority: (tenant = TENANT_A) => `https://${ISSUER_HOST}/${tenant}/`,
    tenants: { A: TENANT_A, B: TENANT_B },
    providers: { [TENANT_A]: tenants.get(TENANT_A).provider, [TENANT_B]: tenants.get(TENANT_B).provider },
    server,
    certificate: { cert: certificate.cert, fingerprint: certificate.fingerprint },
    mappedHosts,
    signingKey: { jwk: privateJwk, key: privateKey, kid, alg: 'RS256' },
    jwks: { keys: [publicJwk] },
    account: (login, tenant = TENANT_A) => identity(login, tenant),
    clientInfo: (login, tenant = TENANT_A) => {
      const id = identity(login, tenant);
      return b64urlJson({ uid: id.uid, utid: id.utid });
    },
    events,
    tokenRequests,
    deviceRequests,
    authorizeRequests,
    discoveryRequests,
    fetch: entraFetch,
    failNext(spec = {}) {
      failures.push({ status: 429, count: 1, endpoint: 'token', ...spec });
    },
    demandClaims(spec) {
      if (!parseJson(spec.claims)) throw new TypeError('demandClaims: claims must be a JSON string');
      demand = { ...spec, remaining: spec.count ?? Infinity };
    },
    revokeRefreshTokens(login, { sessions = false } = {}) {
      const wanted = login === undefined ? undefined : normalizeLogin(login);
      let n = 0;
      for (const tenant of tenants.values()) {
        for (const [id, payload] of tenant.adapter.entries('RefreshToken')) {
          const subject = subjects.get(payload.accountId);
          if (wanted === undefined || subject?.login === wanted) {
            revokedRefreshTokens.add(id);
            n += 1;
          }
        }
        if (sessions) {
          for (const [id, payload] of tenant.adapter.entries('Session')) {
            const subject = subjects.get(payload.accountId);
            if (payload.accountId && (wanted === undefined || subject?.login === wanted)) tenant.adapter.delete('Session', id);
          }
        }
      }
      return n;
    },
    reset() {
      events.length = 0;
      tokenRequests.length = 0;
      deviceRequests.length = 0;
      authorizeRequests.length = 0;
      discoveryRequests.length = 0;
      failures = [];
      demand = undefined;
      devicePolls.clear();
    },
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The value of Chromium's single `--host-resolver-rules` flag: every mapped
 * host to this server's port, everything else NOTFOUND, loopback untouched.
 * MAP rules are tried in order (first match wins), so the catch-all must come
 * after the Entra hosts; EXCLUDE rules apply wherever they stand (both checked
 * with Chromium 156, see test/e2e/entraIdp.smoke.e2e.test.ts).
 * @param {{ port: number, mappedHosts: string[] }} idp
 */
export function entraResolverRules(idp) {
  const maps = idp.mappedHosts.map((h) => `MAP ${h} 127.0.0.1:${idp.port}`);
  return `${[...maps, 'MAP * ~NOTFOUND'].join(', ')} , EXCLUDE 127.0.0.1, EXCLUDE localhost`;
}
