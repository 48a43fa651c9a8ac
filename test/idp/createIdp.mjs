// The local identity provider for keyward's e2e tests and `npm start`.
// Plain ESM + JSDoc so `node test/idp/cli.mjs` runs it without a TS loader;
// types for TS callers live in createIdp.d.mts.
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { randomBytes, randomUUID } from 'node:crypto';
import Provider, { interactionPolicy } from 'oidc-provider';
import { consentPolicy, IMPLICIT_CONSENT } from './implicitConsent.mjs';
import { exportJWK, generateKeyPair } from 'jose';
import { sessionManagement as sessionManagementFor } from './sessionManagement.mjs';

/** The one resource server. Its scopes are spelled MSAL-style (`<audience>/<name>`). */
import { API_AUDIENCE, API_SCOPES, demoApiResourceIndicators } from './demoApi.mjs';
export { API_AUDIENCE, API_SCOPES };

/** Provider events copied into `idp.events`; `detail` picks what a test can assert on. */
const EVENTS = {
  'authorization.success': (ctx) => ({ clientId: ctx.oidc?.client?.clientId }),
  'authorization.error': (_ctx, err) => ({ error: err.error, description: err.error_description }),
  'grant.success': (ctx) => ({ clientId: ctx.oidc?.client?.clientId, grantType: ctx.oidc?.params?.grant_type }),
  // `detail` is oidc-provider's internal reason (error_detail), e.g. 'failed jkt verification'.
  'grant.error': (ctx, err) => ({ error: err.error, description: err.error_description, detail: err.error_detail, grantType: ctx.oidc?.params?.grant_type }),
  'grant.revoked': (_ctx, grantId) => ({ grantId }),
  'refresh_token.saved': (token) => ({ token: token.jti, grantId: token.grantId }),
  'refresh_token.consumed': (token) => ({ token: token.jti, grantId: token.grantId }),
  'refresh_token.destroyed': (token) => ({ token: token.jti, grantId: token.grantId }),
  'end_session.success': (ctx) => ({ clientId: ctx.oidc?.client?.clientId }),
  'end_session.error': (_ctx, err) => ({ error: err.error, description: err.error_description }),
  'revocation.success': (_ctx, token) => ({ kind: token?.kind }),
  'revocation.error': (_ctx, err) => ({ error: err.error }),
  'interaction.started': (_ctx, prompt) => ({ prompt: prompt?.name, reasons: prompt?.reasons }),
  'interaction.ended': () => ({}),
  server_error: (_ctx, err) => ({ message: err?.message }),
};

/** Headers worth seeing in a token request log (CORS, DPoP, content type). */
const LOGGED_HEADERS = ['origin', 'content-type', 'dpop', 'authorization', 'user-agent'];

const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => obj[k] !== undefined).map((k) => [k, obj[k]]));

/**
 * Refresh tokens need `offline_access` in the code's scope (v9's default
 * issueRefreshToken; a refresh request re-sending `offline_access` also needs it
 * in the refresh token's scope). But oidc-provider's authorization endpoint
 * DROPS `offline_access` unless the request carries `prompt=consent` — and the
 * SDK sends a plain MSAL-style request with no prompt at all.
 *
 * So, provider side: a request to the authorization endpoint that asks for
 * `offline_access` without `prompt=consent` (or `none`) gets `consent` added to
 * its `prompt` (no prompt → `consent`, `login` → `login consent`) before
 * oidc-provider parses it, plus a private marker parameter. consentPolicy()
 * then ignores a consent prompt that only the marker asked for, so the consent
 * page shows only when something is really missing from the grant (first
 * login), and a later authorization with the session cookie redirects back at
 * once — still with `offline_access`, so still a refresh token. A real
 * `prompt=consent` from a client keeps forcing the consent page.
 */
const AUTH_PATH = '/auth';

/** @param {{ method: string, path: string, querystring: string }} ctx Koa context @param {string} authPath */
function implicitConsent(ctx, authPath = AUTH_PATH) {
  if (ctx.method !== 'GET' || ctx.path !== authPath) return;
  const query = new URLSearchParams(ctx.querystring);
  const forged = query.has(IMPLICIT_CONSENT); // only this IdP may set it
  query.delete(IMPLICIT_CONSENT);
  const prompts = (query.get('prompt') ?? '').split(' ').filter(Boolean);
  // prompt=none must stay alone (silent renew loses offline_access, as upstream).
  const inject = (query.get('scope') ?? '').split(' ').includes('offline_access') && !prompts.includes('none') && !prompts.includes('consent');
  if (inject) {
    query.set('prompt', [...prompts, 'consent'].join(' '));
    query.set(IMPLICIT_CONSENT, '1');
  }
  if (inject || forged) ctx.querystring = query.toString();
}

/**
 * `silentRefreshTokens`: a `prompt=none` request keeps `offline_access`, so a silent renewal
 * in an iframe gets a refresh token (as Entra issues one), where oidc-provider drops it
 * unless the request says `prompt=consent` (lib/actions/authorization/scopes.js). Only a
 * scope the grant already holds comes back (the code's scope is the grant's, filtered by the
 * request). Done in a login-prompt check, which runs after the scope is parsed and before the
 * code is made, and never asks for a prompt itself.
 * @param {ReturnType<typeof consentPolicy>} policy
 */
function withSilentOfflineAccess(policy) {
  const { checks } = policy.get('login');
  checks.unshift(
    new interactionPolicy.Check('keyward_silent_offline_access', 'never prompts', (ctx) => {
      const { params } = ctx.oidc;
      const asked = (new URLSearchParams(ctx.querystring).get('scope') ?? '').split(' ').includes('offline_access');
      const scopes = String(params.scope ?? '').split(' ');
      if (asked && String(params.prompt ?? '') === 'none' && !scopes.includes('offline_access')) params.scope = [...scopes, 'offline_access'].join(' ');
      return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

const titleCase = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * MSAL AT-PoP (docs/protocol.md A10), as test/idp/entra/createEntraIdp.mjs does it: a token request
 * with `token_type=pop` carries `req_cnf` = base64url(JSON `{"kid":"<RFC 7638 thumbprint>","xms_ksl":"sw"}`).
 * Returns the key's `kid`, `{ error }` for a bad `req_cnf`, or undefined when the request is not PoP.
 * @param {Record<string, unknown> | undefined} body the parsed token request form
 * @returns {{ kid: string } | { error: string } | undefined}
 */
function popRequest(body) {
  if (String(body?.token_type ?? '').toLowerCase() !== 'pop') return undefined;
  const value = body?.req_cnf;
  if (typeof value !== 'string' || !value) return { error: "missing required parameter 'req_cnf'" };
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(value)) return { error: 'req_cnf is not base64url' };
  let cnf;
  try {
    cnf = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    cnf = undefined;
  }
  if (!cnf || typeof cnf !== 'object' || Array.isArray(cnf)) return { error: 'req_cnf is not a JSON object' };
  if (typeof cnf.kid !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(cnf.kid)) return { error: 'req_cnf.kid is not an RFC 7638 SHA-256 thumbprint' };
  if (cnf.xms_ksl !== undefined && cnf.xms_ksl !== 'sw' && cnf.xms_ksl !== 'uhw') return { error: 'req_cnf.xms_ksl must be sw or uhw' };
  return { kid: cnf.kid };
}

/**
 * Values of `access_token.acrs` asked for in a token request's `claims` parameter
 * (as test/idp/entra/createEntraIdp.mjs reads them).
 * @param {unknown} claimsJson
 * @returns {string[]}
 */
function requestedAcrs(claimsJson) {
  let acrs;
  try {
    acrs = typeof claimsJson === 'string' ? JSON.parse(claimsJson)?.access_token?.acrs : undefined;
  } catch {
    acrs = undefined;
  }
  if (!acrs || typeof acrs !== 'object') return [];
  return [acrs.value, ...(Array.isArray(acrs.values) ? acrs.values : [])].filter((v) => typeof v === 'string');
}

/** @param {import('./createIdp.d.mts').IdpOptions} options */
/** A public single-page-app client of this IdP (PKCE, no secret, refresh tokens): the default `spa` and any test's own. */
export function publicClient(clientId, redirectUris) {
  return {
    client_id: clientId,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris,
  };
}

export async function createIdp(options) {
  const {
    port = 0,
    host = '127.0.0.1',
    redirectUris,
    corsOrigins,
    accessTokenTtl = 3600,
    idTokenTtl = 3600 * 24,
    refreshTokenTtl = 14 * 24 * 3600,
    rotateRefreshTokens = true,
    dpopNonce = false,
    dpopBoundClient = false,
    authContext = false,
    routes = {},
    tls,
    clientCredentials = false,
    requirePushedAuthorizationRequests = false,
    pushedAuthorizationRequests = true,
    pushedRequestTtl,
    headers = {},
    sessionManagement = false,
    revocation = true,
    sessionTtl = refreshTokenTtl,
    refreshTokenExpiresIn = false,
    silentRefreshTokens = false,
    issuerHost = host,
    crossSiteCookies = false,
  } = options;
  const authPath = routes.authorization ?? AUTH_PATH;

  // Listen first: with port 0 only the bound socket knows the port, and the
  // issuer (and every URL in discovery) must carry it.
  /** @type {import('node:http').RequestListener} */
  let handler = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, (req, res) => handler(req, res)) : createServer((req, res) => handler(req, res));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('IdP server has no TCP address');
  const issuer = `${tls ? 'https' : 'http'}://${issuerHost}:${address.port}`;

  // A fresh key per IdP: tests that forge/tamper tokens re-sign with `signingKey`.
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `keyward-test-${randomUUID().slice(0, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };

  // SameSite=None cookies must be Secure, and only an HTTPS response can set those.
  if (crossSiteCookies && !tls) throw new Error('crossSiteCookies needs tls: SameSite=None cookies are Secure');

  const clients = options.clients ?? [
    {
      ...publicClient('spa', redirectUris),
      // RFC 9449 5.2 / oidc-provider: every token request must carry a DPoP proof.
      ...(dpopBoundClient ? { dpop_bound_access_tokens: true } : {}),
    },
  ];
  const allowedOrigins = new Set(corsOrigins);
  // OpenID Connect Session Management 1.0, which oidc-provider 9 lacks (see sessionManagement.mjs).
  const session = sessionManagement ? sessionManagementFor(issuer) : undefined;

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [privateJwk] },
    routes: { ...routes, authorization: authPath },
    // Fixed secret: cookies only need to survive this process.
    cookies: {
      keys: ['keyward-test-cookie-secret'],
      // A provider on another site than the app: its session cookie must be SameSite=None (and
      // so Secure) to reach a frame at all; browsers blocking third-party cookies still drop it.
      ...(crossSiteCookies && {
        long: { httpOnly: true, sameSite: 'none', secure: true },
        short: { httpOnly: true, sameSite: 'none', secure: true },
      }),
    },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, name: titleCase(sub), preferred_username: `${sub}@example.test`, email: `${sub}@example.test` };
        },
      };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
    // By default an id_token issued next to an access token carries only `sub`
    // (the rest is for userinfo); keyward reads the user from the id_token.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ...(session ? { discovery: session.discovery } : {}),
    clientBasedCORS: (_ctx, origin) => allowedOrigins.has(origin),
    rotateRefreshToken: rotateRefreshTokens,
    // See implicitConsent() below for how offline_access survives a plain request.
    extraParams: [IMPLICIT_CONSENT],
    interactions: { policy: silentRefreshTokens ? withSilentOfflineAccess(consentPolicy()) : consentPolicy() },
    // MSAL AT-PoP: a `token_type=pop` request's JWT access token is bound to the req_cnf key
    // (`cnf.kid`); the token response then says `token_type: "pop"` (see the middleware below).
    // Requests without `token_type=pop` are untouched.
    formats: {
      customizers: {
        jwt(ctx, _token, jwt) {
          const pop = popRequest(ctx?.oidc?.body);
          if (pop && 'kid' in pop) jwt.payload.cnf = { ...(jwt.payload.cnf ?? {}), kid: pop.kid };
          // Opt-in (`authContext`): `acrs` from the token request's `claims`, as the Entra authority does.
          if (authContext) {
            const acrs = requestedAcrs(ctx?.oidc?.body?.claims);
            if (acrs.length) jwt.payload.acrs = acrs;
          }
        },
      },
    },
    ttl: {
      // A function is asked at every issuance (oidc-provider: `(ctx, token, client) => seconds`).
      AccessToken: typeof accessTokenTtl === 'function' ? (...args) => accessTokenTtl(...args) : accessTokenTtl,
      IdToken: idTokenTtl,
      RefreshToken: refreshTokenTtl,
      AuthorizationCode: 60,
      // The grant lives as long as the session: a prompt=none renewal after the refresh token
      // ran out still finds it (with a dead grant the provider would ask for consent again).
      Grant: Math.max(refreshTokenTtl, sessionTtl),
      Session: sessionTtl,
      Interaction: 3600,
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      // RFC 7009: sign-out revokes refresh tokens here (`revocation: false` for a provider without the endpoint).
      revocation: { enabled: revocation },
      // DPoP (RFC 9449) is on by default in oidc-provider 9: a token request with
      // a `DPoP` proof gets token_type DPoP, an access token with cnf.jkt and (public
      // client) a refresh token bound to the same key. `dpopNonce` adds server
      // nonces (RFC 9449 8): nonceSecret turns oidc-provider's stateless HKDF
      // nonces on (and `DPoP-Nonce` into the token endpoint's
      // Access-Control-Expose-Headers); requireNonce answers a proof without one
      // with 400 use_dpop_nonce + `DPoP-Nonce`. Without the option the feature
      // keeps its defaults (no nonces at all).
      ...(dpopNonce ? { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } } : {}),
      // MSAL-style: the SDK sends only `scope=... api://demo/read`, never `resource`.
      // defaultResource maps a scope prefix to its resource server, which makes
      // those scopes known (consented on the dev consent page) and the access
      // token a JWT with aud=api://demo. Requests without an api:// scope get no
      // resource, i.e. an opaque token good for userinfo. useGrantedResource
      // lets the code/refresh grants reuse the resource without a `resource` param.
      // Note: the token response's `scope` then lists only the resource scopes
      // (`api://demo/read`), not openid/profile/offline_access, as with Entra.
      resourceIndicators: demoApiResourceIndicators(),
      // RFC 9126: on by default in oidc-provider 9 (the discovery document advertises
      // pushed_authorization_request_endpoint); `requirePushedAuthorizationRequests` makes the
      // provider refuse plain requests and say so in discovery.
      pushedAuthorizationRequests: { enabled: pushedAuthorizationRequests, requirePushedAuthorizationRequests },
      ...(clientCredentials ? { clientCredentials: { enabled: true } } : {}),
    },
  });

  /** @type {import('./createIdp.d.mts').IdpEvent[]} */
  const events = [];
  for (const [type, detail] of Object.entries(EVENTS)) {
    provider.on(type, (...args) => events.push({ type, at: Date.now(), detail: detail(...args) }));
  }

  // Extra response headers on every page and endpoint (e.g. Cross-Origin-Opener-Policy).
  provider.use(async (ctx, next) => {
    for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
    await next();
  });

  provider.use((ctx, next) => {
    implicitConsent(ctx, authPath);
    return next();
  });
  if (refreshTokenExpiresIn) {
    // `refresh_token_expires_in` (Entra's token response field, which oidc-provider does not
    // send): the seconds the issued refresh token has left, as the provider stored it.
    provider.use(async (ctx, next) => {
      await next();
      const body = /** @type {{ refresh_token?: unknown, refresh_token_expires_in?: number } | undefined} */ (ctx.body);
      if (ctx.oidc?.route !== 'token' || ctx.status !== 200 || !body || typeof body.refresh_token !== 'string') return;
      const stored = await provider.RefreshToken.find(body.refresh_token);
      if (stored?.exp) body.refresh_token_expires_in = Math.max(0, stored.exp - Math.floor(Date.now() / 1000));
    });
  }
  session?.install(provider);

  // Token request log. Runs outside oidc-provider's router: after `next()` the
  // route has parsed the form into ctx.oidc.body (all fields, not only known
  // params) and the error handler has already turned failures into a response.
  /** @type {import('./createIdp.d.mts').TokenRequest[]} */
  const tokenRequests = [];
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.method !== 'POST') return;
    const body = /** @type {Record<string, string | string[]>} */ (ctx.oidc.body ?? {});
    const field = (/** @type {string} */ k) => (typeof body[k] === 'string' ? body[k] : undefined);
    const response = /** @type {{ error?: string, token_type?: string } | undefined} */ (ctx.body);
    tokenRequests.push({
      grant_type: field('grant_type') ?? '',
      refresh_token: field('refresh_token'),
      code: field('code'),
      scope: field('scope'),
      client_id: field('client_id'),
      body,
      headers: pick(ctx.headers, LOGGED_HEADERS),
      dpop: ctx.headers.dpop !== undefined,
      status: ctx.status,
      error: typeof response === 'object' && response ? response.error : undefined,
      token_type: typeof response === 'object' && response ? response.token_type : undefined,
      dpopNonce: ctx.response.get('dpop-nonce') || undefined,
      at: Date.now(),
    });
  });

  // MSAL AT-PoP on the token endpoint: a `token_type=pop` request with a valid `req_cnf` gets
  // `token_type: "pop"` (its JWT carries cnf.kid, see formats above). Registered after the log
  // so the log sees the final answer. A bad `req_cnf` leaves the answer as oidc-provider gave
  // it (Bearer, no cnf), which a PoP client refuses.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.method !== 'POST' || ctx.status !== 200) return;
    const pop = popRequest(/** @type {Record<string, unknown> | undefined} */ (ctx.oidc.body));
    const body = /** @type {Record<string, unknown> | undefined} */ (ctx.body);
    if (pop && 'kid' in pop && body && typeof body === 'object' && body.token_type === 'Bearer') body.token_type = 'pop';
  });

  // Pushed authorization requests as received (RFC 9126 2.1), and, with `pushedRequestTtl`,
  // a shorter lifetime than oidc-provider's fixed 60 s: `expires_in` says so and the stored
  // request is destroyed when it runs out, so the authorization endpoint then answers
  // invalid_request_uri exactly as for an expired one.
  /** @type {import('./createIdp.d.mts').PushedRequest[]} */
  const pushedRequests = [];
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'pushed_authorization_request' || ctx.method !== 'POST') return;
    const body = /** @type {Record<string, string>} */ ({ ...(ctx.oidc.body ?? {}) });
    if (body.client_secret) body.client_secret = '[redacted]';
    const response = /** @type {{ request_uri?: string, expires_in?: number, error?: string }} */ (ctx.body ?? {});
    pushedRequests.push({ body, status: ctx.status, request_uri: response.request_uri, error: response.error, origin: ctx.headers.origin, at: Date.now() });
    if (pushedRequestTtl !== undefined && ctx.status === 201 && response.request_uri) {
      response.expires_in = pushedRequestTtl;
      const id = response.request_uri.split(':').pop();
      setTimeout(async () => {
        const stored = await provider.PushedAuthorizationRequest.find(id, { ignoreExpiration: true });
        await stored?.destroy();
      }, pushedRequestTtl * 1000).unref();
    }
  });

  handler = provider.callback();

  return {
    issuer,
    port: address.port,
    provider,
    server,
    signingKey: { jwk: privateJwk, key: privateKey, kid, alg: 'RS256' },
    jwks: { keys: [publicJwk] },
    events,
    tokenRequests,
    pushedRequests,
    replays() {
      const seen = new Map();
      for (const r of tokenRequests) {
        if (r.grant_type === 'refresh_token' && r.refresh_token) {
          seen.set(r.refresh_token, (seen.get(r.refresh_token) ?? 0) + 1);
        }
      }
      return [...seen].filter(([, n]) => n > 1).map(([token]) => token);
    },
    reset() {
      events.length = 0;
      tokenRequests.length = 0;
      pushedRequests.length = 0;
    },
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        // Keep-alive sockets from the browser would hold close() open forever.
        server.closeAllConnections();
      });
    },
  };
}
