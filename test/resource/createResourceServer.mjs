// A small protected API for keyward's tests: every request must carry an access
// token from one of the configured issuers, presented as Bearer, DPoP (RFC 9449)
// or MSAL's AT-PoP Signed HTTP Request (docs/protocol.md A10), and all of it is
// really verified with jose. Plain ESM + JSDoc like ../idp/createIdp.mjs; types
// in createResourceServer.d.mts; test/e2e/resource.smoke.e2e.test.ts shows
// every check passing and failing.
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { EmbeddedJWK, calculateJwkThumbprint, createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

/** Where the claims challenge sends the client (learn.microsoft.com claims-challenge). */
export const CLAIMS_CHALLENGE_AUTHORIZATION_URI = 'https://login.microsoftonline.com/common/oauth2/authorize';
/** RFC 9449: DPoP proof `iat` must be within this many seconds of the server clock. */
export const DPOP_IAT_WINDOW = 60;
/** SHR `ts` must be within this many seconds of the server clock. */
export const SHR_TS_WINDOW = 300;
/** Asymmetric JWS algorithms accepted for DPoP proofs and SHRs (also advertised in `algs`). */
export const PROOF_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'];
/** Access-token algorithms accepted (the issuer's JWKS decides which key). */
const TOKEN_ALGS = PROOF_ALGS;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const REALM = 'keyward-test-api';

/**
 * `WWW-Authenticate` of a claims challenge, exactly as learn.microsoft.com
 * (claims-challenge) shows it; `claims` is standard base64 of the JSON.
 * @param {string} claims
 */
export function claimsChallengeHeader(claims) {
  return `Bearer realm="", authorization_uri="${CLAIMS_CHALLENGE_AUTHORIZATION_URI}", error="insufficient_claims", claims="${Buffer.from(claims, 'utf8').toString('base64')}"`;
}

const sha256 = (/** @type {string} */ text) => createHash('sha256').update(text).digest('base64url');
const quote = (/** @type {string} */ s) => s.replace(/[\\"]/g, '').replace(/[\r\n]+/g, ' ');
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A rejection: `error` (OAuth code), `reason` (what failed, for people). */
class Rejection extends Error {
  /** @param {string} error @param {string} reason */
  constructor(error, reason) {
    super(reason);
    this.error = error;
    this.reason = reason;
  }
}
const reject = (/** @type {string} */ error, /** @type {string} */ reason) => {
  throw new Rejection(error, reason);
};

/** jose error -> short reason. */
function joseReason(/** @type {any} */ err, /** @type {string} */ what) {
  if (err instanceof Rejection) throw err;
  const code = err?.code ? `${err.code}: ` : '';
  return `${what}: ${code}${err?.message ?? String(err)}`;
}

/**
 * Does the access token carry what the claims request asks for under `access_token`?
 * `{"acrs":{"essential":true,"value":"c1"}}` needs `acrs` (string or array) containing `c1`;
 * `values` needs one of them; `essential` alone needs the claim present.
 * @param {string} claims @param {Record<string, unknown>} payload
 */
function satisfiesClaims(claims, payload) {
  const wanted = JSON.parse(claims)?.access_token;
  if (!isObject(wanted)) return true;
  return Object.entries(wanted).every(([name, spec]) => {
    const have = payload[name];
    const list = Array.isArray(have) ? have : have === undefined ? [] : [have];
    if (!isObject(spec)) return true; // null: voluntary
    if (spec.value !== undefined) return list.some((v) => JSON.stringify(v) === JSON.stringify(spec.value));
    if (Array.isArray(spec.values)) return spec.values.some((w) => list.some((v) => JSON.stringify(v) === JSON.stringify(w)));
    return spec.essential ? list.length > 0 : true;
  });
}

/** @param {import('./createResourceServer.d.mts').ResourceServerOptions} options */
export async function createResourceServer(options) {
  const { issuers, corsOrigins = [], dpopNonce = false, port = 0 } = options;
  if (!Array.isArray(issuers) || issuers.length === 0) throw new TypeError('createResourceServer: issuers is required');
  const allowedOrigins = new Set(corsOrigins);

  const trusted = issuers.map((i) => {
    if (!i.jwks && !i.jwksUri) throw new TypeError(`createResourceServer: issuer ${i.issuer} needs jwks or jwksUri`);
    return {
      issuer: i.issuer,
      audience: i.audience,
      keys: i.jwks ? createLocalJWKSet(/** @type {any} */ (i.jwks)) : createRemoteJWKSet(new URL(/** @type {string} */ (i.jwksUri))),
    };
  });

  /** @type {string | undefined} */
  let claimsChallenge;
  const setClaimsChallenge = (/** @type {string | undefined} */ claims) => {
    if (claims !== undefined) {
      try {
        JSON.parse(claims);
      } catch {
        throw new TypeError('setClaimsChallenge: claims must be a JSON string');
      }
    }
    claimsChallenge = claims;
  };
  setClaimsChallenge(options.claimsChallenge);

  // Replay caches: DPoP proof jti and SHR nonce, kept for the server's life (reset() keeps them).
  const seenJtis = new Set();
  const seenShrNonces = new Set();
  const newNonce = () => randomBytes(18).toString('base64url');
  let currentNonce = dpopNonce ? newNonce() : undefined;

  /** @type {import('./createResourceServer.d.mts').ResourceRequest[]} */
  const requests = [];

  /**
   * Verifies an access token against its issuer: signature (issuer JWKS), iss, aud, exp.
   * @param {string} token @param {string[]} verified
   */
  async function verifyAccessToken(token, verified) {
    let iss;
    try {
      iss = decodeJwt(token).iss;
    } catch (err) {
      reject('invalid_token', joseReason(err, 'access token is not a JWT'));
    }
    const config = trusted.find((t) => t.issuer === iss);
    if (!config) reject('invalid_token', `access token issuer not trusted: ${iss}`);
    try {
      const { payload, protectedHeader } = await jwtVerify(token, config.keys, {
        issuer: config.issuer,
        audience: config.audience,
        requiredClaims: ['exp'],
        algorithms: TOKEN_ALGS,
      });
      verified.push('at.signature', 'at.iss', 'at.aud', 'at.exp');
      return { payload, protectedHeader };
    } catch (err) {
      return reject('invalid_token', joseReason(err, 'access token'));
    }
  }

  /** Public-only asymmetric JWK, or a rejection. */
  function assertPublicJwk(/** @type {unknown} */ jwk, /** @type {string} */ what, /** @type {string} */ error) {
    if (!isObject(jwk)) reject(error, `${what} has no jwk`);
    if (jwk.kty === 'oct') reject(error, `${what} jwk is symmetric`);
    const priv = PRIVATE_JWK_MEMBERS.find((m) => m in jwk);
    if (priv) reject(error, `${what} jwk contains private member "${priv}"`);
  }

  /** RFC 9449 4.3 + 7.1. */
  async function verifyDpop(ctx, token, verified) {
    const proofs = ctx.req.headersDistinct.dpop ?? [];
    if (proofs.length !== 1 || proofs[0].includes(',')) reject('invalid_dpop_proof', proofs.length ? 'more than one DPoP header' : 'DPoP header missing');
    const proof = proofs[0];
    let header;
    try {
      header = decodeProtectedHeader(proof);
    } catch (err) {
      reject('invalid_dpop_proof', joseReason(err, 'DPoP proof is not a JWS'));
    }
    ctx.entry.proof = { header, payload: safeDecode(proof) };
    if (header.typ !== 'dpop+jwt') reject('invalid_dpop_proof', `DPoP proof typ is ${JSON.stringify(header.typ)}, not "dpop+jwt"`);
    verified.push('proof.typ');
    if (!PROOF_ALGS.includes(String(header.alg))) reject('invalid_dpop_proof', `DPoP proof alg ${header.alg} is not an accepted asymmetric algorithm`);
    verified.push('proof.alg');
    assertPublicJwk(header.jwk, 'DPoP proof', 'invalid_dpop_proof');
    verified.push('proof.jwk');
    let payload;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: PROOF_ALGS }));
    } catch (err) {
      reject('invalid_dpop_proof', joseReason(err, 'DPoP proof signature'));
    }
    verified.push('proof.signature');
    if (typeof payload.jti !== 'string' || !payload.jti) reject('invalid_dpop_proof', 'DPoP proof has no jti');
    if (seenJtis.has(payload.jti)) reject('invalid_dpop_proof', `DPoP proof replayed: jti ${payload.jti} was seen before`);
    seenJtis.add(payload.jti);
    verified.push('proof.jti');
    if (payload.htm !== ctx.method) reject('invalid_dpop_proof', `DPoP proof htm mismatch: proof says ${payload.htm}, request is ${ctx.method}`);
    verified.push('proof.htm');
    let htu = null;
    try {
      htu = typeof payload.htu === 'string' ? new URL(payload.htu) : null;
    } catch {
      htu = null;
    }
    if (htu) {
      htu.search = '';
      htu.hash = '';
    }
    if (!htu || htu.href !== ctx.htu) reject('invalid_dpop_proof', `DPoP proof htu mismatch: proof says ${payload.htu}, request is ${ctx.htu}`);
    verified.push('proof.htu');
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > DPOP_IAT_WINDOW) {
      reject('invalid_dpop_proof', `DPoP proof iat ${payload.iat} is not within ${DPOP_IAT_WINDOW} s of ${now}`);
    }
    verified.push('proof.iat');
    if (payload.ath !== sha256(token))
      reject('invalid_dpop_proof', `DPoP proof ath mismatch: ${payload.ath === undefined ? 'no ath' : 'not SHA-256 of the access token'}`);
    verified.push('proof.ath');
    if (currentNonce !== undefined) {
      if (payload.nonce === undefined) reject('use_dpop_nonce', 'Resource server requires nonce in DPoP proof');
      if (payload.nonce !== currentNonce) reject('use_dpop_nonce', 'DPoP proof nonce is stale or unknown');
      verified.push('proof.nonce');
    }
    const { payload: at } = await verifyAccessToken(token, verified);
    ctx.entry.token = at;
    const jkt = await calculateJwkThumbprint(/** @type {any} */ (header.jwk));
    const bound = isObject(at.cnf) ? at.cnf.jkt : undefined;
    if (typeof bound !== 'string') reject('invalid_token', 'access token is not DPoP-bound (no cnf.jkt)');
    if (bound !== jkt) reject('invalid_token', `key mismatch: access token cnf.jkt ${bound} is not the proof key's thumbprint ${jkt}`);
    verified.push('at.cnf.jkt');
    return at;
  }

  /** MSAL AT-PoP Signed HTTP Request (docs/protocol.md A10). */
  async function verifyPop(ctx, shr, verified) {
    let header;
    let unverified;
    try {
      header = decodeProtectedHeader(shr);
      unverified = decodeJwt(shr);
    } catch (err) {
      reject('invalid_token', joseReason(err, 'SHR is not a JWT'));
    }
    ctx.entry.shr = { header, payload: { ...unverified, at: typeof unverified.at === 'string' ? '[access token]' : unverified.at } };
    if (header.typ !== 'pop') reject('invalid_token', `SHR typ is ${JSON.stringify(header.typ)}, not "pop"`);
    verified.push('shr.typ');
    if (!PROOF_ALGS.includes(String(header.alg))) reject('invalid_token', `SHR alg ${header.alg} is not an accepted asymmetric algorithm`);
    const jwk = isObject(unverified.cnf) ? unverified.cnf.jwk : undefined;
    assertPublicJwk(jwk, 'SHR cnf', 'invalid_token');
    let payload;
    try {
      const key = await importJWK(/** @type {any} */ (jwk), String(header.alg));
      ({ payload } = await jwtVerify(shr, key, { typ: 'pop', algorithms: PROOF_ALGS }));
    } catch (err) {
      reject('invalid_token', joseReason(err, 'SHR signature (cnf.jwk)'));
    }
    verified.push('shr.signature');
    const thumbprint = await calculateJwkThumbprint(/** @type {any} */ (jwk));
    if (header.kid !== undefined) {
      // msal-browser: kid = base64url(JSON {"kid": thumbprint}); the bare thumbprint is accepted too.
      let named;
      try {
        named = JSON.parse(Buffer.from(String(header.kid), 'base64url').toString('utf8'))?.kid;
      } catch {
        named = undefined;
      }
      if (header.kid !== thumbprint && named !== thumbprint) reject('invalid_token', `SHR header kid ${header.kid} does not name the cnf.jwk key`);
      verified.push('shr.kid');
    }
    if (typeof payload.nonce !== 'string' || !payload.nonce) reject('invalid_token', 'SHR has no nonce');
    if (seenShrNonces.has(payload.nonce)) reject('invalid_token', `SHR replayed: nonce ${payload.nonce} was seen before`);
    seenShrNonces.add(payload.nonce);
    verified.push('shr.nonce');
    if (payload.m !== ctx.method) reject('invalid_token', `SHR m mismatch: SHR says ${payload.m}, request is ${ctx.method}`);
    verified.push('shr.m');
    if (typeof payload.u !== 'string' || payload.u.toLowerCase() !== ctx.host.toLowerCase()) {
      reject('invalid_token', `SHR u mismatch: SHR says ${payload.u}, request host is ${ctx.host}`);
    }
    verified.push('shr.u');
    const p = payload.p === '' ? '/' : payload.p;
    if (p !== ctx.path) reject('invalid_token', `SHR p mismatch: SHR says ${payload.p}, request path is ${ctx.path}`);
    verified.push('shr.p');
    if (payload.q !== undefined) {
      const q = Array.isArray(payload.q) ? payload.q[1] : undefined;
      // msal-common's UrlString drops one trailing "/" from the query string.
      if (typeof q !== 'string' || (q !== ctx.query && q !== ctx.query.replace(/\/$/, ''))) {
        reject('invalid_token', `SHR q mismatch: SHR says ${JSON.stringify(payload.q)}, request query is ${JSON.stringify(ctx.query)}`);
      }
      verified.push('shr.q');
    } else if (ctx.query) {
      reject('invalid_token', `SHR has no q but the request has a query (${ctx.query})`);
    }
    const now = Math.floor(Date.now() / 1000);
    const ts = Number(payload.ts);
    if (!Number.isFinite(ts) || Math.abs(now - ts) > SHR_TS_WINDOW) reject('invalid_token', `SHR ts ${payload.ts} is not within ${SHR_TS_WINDOW} s of ${now}`);
    verified.push('shr.ts');
    if (typeof payload.at !== 'string') reject('invalid_token', 'SHR has no at');
    const { payload: at } = await verifyAccessToken(payload.at, verified);
    ctx.entry.token = at;
    const kid = isObject(at.cnf) ? at.cnf.kid : undefined;
    if (typeof kid !== 'string') reject('invalid_token', 'access token is not PoP-bound (no cnf.kid)');
    if (kid !== thumbprint) reject('invalid_token', `key mismatch: access token cnf.kid ${kid} is not the SHR key's thumbprint ${thumbprint}`);
    verified.push('at.cnf.kid');
    return at;
  }

  function safeDecode(jwt) {
    try {
      return decodeJwt(jwt);
    } catch {
      return undefined;
    }
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const rawUrl = req.url ?? '/';
    const [beforeHash = ''] = rawUrl.split('#');
    const q = beforeHash.indexOf('?');
    const path = (q < 0 ? beforeHash : beforeHash.slice(0, q)) || '/';
    const query = q < 0 ? '' : beforeHash.slice(q + 1);
    const host = String(req.headers.host ?? `127.0.0.1:${address.port}`);
    const method = String(req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    const corsAllowed = origin !== undefined && allowedOrigins.has(origin);
    req.resume(); // bodies are not looked at

    /** @type {Record<string, string>} */
    const headers = {};
    if (corsAllowed) {
      headers['Access-Control-Allow-Origin'] = /** @type {string} */ (origin);
      headers['Access-Control-Expose-Headers'] = 'WWW-Authenticate, DPoP-Nonce, Authentication-Info';
    }
    headers.Vary = 'Origin';

    /** @type {import('./createResourceServer.d.mts').ResourceRequest} */
    const entry = {
      at: Date.now(),
      method,
      url: `http://${host}${beforeHash}`,
      path,
      query,
      origin,
      corsAllowed,
      scheme: null,
      status: 0,
      ok: false,
      verified: [],
      headers: Object.fromEntries(
        ['authorization', 'dpop', 'origin', 'access-control-request-method', 'access-control-request-headers']
          .filter((h) => req.headers[h] !== undefined)
          .map((h) => [h, String(req.headers[h])]),
      ),
    };
    requests.push(entry);

    const send = (/** @type {number} */ status, /** @type {unknown} */ body, /** @type {Record<string, string | string[]>} */ extra = {}) => {
      entry.status = status;
      const text = JSON.stringify(body);
      res.writeHead(status, {
        ...headers,
        ...extra,
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    };

    if (method === 'OPTIONS') {
      entry.scheme = 'preflight';
      entry.status = 204;
      entry.ok = corsAllowed;
      if (!corsAllowed) entry.reason = `origin ${origin} not allowed`;
      res.writeHead(
        204,
        corsAllowed
          ? {
              ...headers,
              'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
              'Access-Control-Allow-Headers': 'Authorization, DPoP, Content-Type',
              'Access-Control-Max-Age': '600',
            }
          : { Vary: 'Origin' },
      );
      res.end();
      return;
    }

    const authorization = String(req.headers.authorization ?? '');
    const match = /^([A-Za-z][A-Za-z0-9_-]*) +(\S+)$/.exec(authorization.trim());
    const scheme = match ? match[1].toLowerCase() : undefined;
    const credential = match?.[2] ?? '';
    entry.scheme = scheme === 'bearer' ? 'Bearer' : scheme === 'dpop' ? 'DPoP' : scheme === 'pop' ? 'PoP' : (match?.[1] ?? null);
    const ctx = { req, method, path, query, host, htu: new URL(`http://${host}${path}`).href, entry };
    const dpopHeaders = () => (currentNonce !== undefined ? { 'DPoP-Nonce': currentNonce } : {});

    try {
      if (!authorization) reject('invalid_request', 'no Authorization header');
      if (!match) reject('invalid_request', 'Authorization header is not "<scheme> <credential>"');
      /** @type {Record<string, unknown>} */
      let token;
      if (scheme === 'bearer') {
        ({ payload: token } = await verifyAccessToken(credential, entry.verified));
        entry.token = token;
        if (token.cnf !== undefined) reject('invalid_token', `bound access token presented as Bearer (cnf ${JSON.stringify(token.cnf)})`);
        entry.verified.push('at.unbound');
      } else if (scheme === 'dpop') {
        token = await verifyDpop(ctx, credential, entry.verified);
      } else if (scheme === 'pop') {
        token = await verifyPop(ctx, credential, entry.verified);
      } else {
        reject('invalid_request', `unsupported authorization scheme ${match?.[1]}`);
      }
      if (claimsChallenge !== undefined) {
        if (!satisfiesClaims(claimsChallenge, token)) {
          entry.error = 'insufficient_claims';
          entry.reason = `access token does not satisfy the claims challenge ${claimsChallenge}`;
          send(
            401,
            { ok: false, error: entry.error, reason: entry.reason },
            { 'WWW-Authenticate': claimsChallengeHeader(claimsChallenge), ...(entry.scheme === 'DPoP' ? dpopHeaders() : {}) },
          );
          return;
        }
        entry.verified.push('claims');
      }
      entry.ok = true;
      entry.sub = typeof token.sub === 'string' ? token.sub : undefined;
      entry.iss = typeof token.iss === 'string' ? token.iss : undefined;
      send(
        200,
        { ok: true, scheme: entry.scheme, sub: entry.sub, iss: entry.iss, method, path, verified: entry.verified },
        entry.scheme === 'DPoP' ? dpopHeaders() : {},
      );
    } catch (err) {
      const r = err instanceof Rejection ? err : new Rejection('invalid_request', `server error: ${/** @type {Error} */ (err)?.message ?? err}`);
      entry.error = r.error;
      entry.reason = r.reason;
      /** @type {Record<string, string | string[]>} */
      const extra = {};
      const described = `error="${r.error}", error_description="${quote(r.reason)}"`;
      const algs = `algs="${PROOF_ALGS.join(' ')}"`;
      if (entry.scheme === 'DPoP') {
        extra['WWW-Authenticate'] = `DPoP ${described}, ${algs}`;
        Object.assign(extra, dpopHeaders());
      } else if (entry.scheme === 'PoP') {
        extra['WWW-Authenticate'] = `PoP realm="${REALM}", ${described}`;
      } else if (entry.scheme === 'Bearer') {
        extra['WWW-Authenticate'] = `Bearer realm="${REALM}", ${described}`;
      } else {
        // No (usable) credentials: RFC 6750 3.1 sends no error code; offer every scheme.
        extra['WWW-Authenticate'] = [`Bearer realm="${REALM}"`, `DPoP ${algs}`, `PoP realm="${REALM}"`];
      }
      send(401, { ok: false, error: r.error, reason: r.reason }, extra);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) {
        res.writeHead(500);
      }
      res.end(String(err?.message ?? err));
    });
  });
  await new Promise((resolve, reject_) => {
    server.once('error', reject_);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject_);
      resolve(undefined);
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const origin = `http://127.0.0.1:${address.port}`;

  return {
    origin,
    port: address.port,
    server,
    url: (path = '/') => new URL(path, origin).href,
    requests,
    setClaimsChallenge,
    dpopNonce: () => currentNonce,
    rotateDpopNonce() {
      if (currentNonce === undefined) throw new Error('rotateDpopNonce: created without dpopNonce');
      currentNonce = newNonce();
      return currentNonce;
    },
    reset() {
      requests.length = 0;
    },
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
}
