// Confidential clients on the local Entra authority: client authentication with a secret
// (client_secret_post) or a certificate (private_key_jwt, checked like Entra: x5t / x5t#S256
// of a registered certificate, an x5c leaf matching it), the client-credentials grant with
// Entra's `/.default` scopes and app tokens (`roles`, `idtyp: app`), and the on-behalf-of
// grant. Used by createEntraIdp.mjs; types in createEntraIdp.d.mts.
import { createHash, X509Certificate } from 'node:crypto';
import { errors } from 'oidc-provider';
import { jwtVerify, createLocalJWKSet } from 'jose';
import { API_AUDIENCE } from '../demoApi.mjs';

/** Regional hosts served by the same server (Entra's `{region}.login.microsoft.com`, msal-common regional authorities). */
export const REGIONAL_HOSTS = ['westus2.login.microsoft.com', 'eastus.login.microsoft.com'];
/** The API a middle-tier API calls on the user's behalf (on-behalf-of tests). */
export const DOWNSTREAM_AUDIENCE = 'api://downstream';
export const DOWNSTREAM_SCOPES = ['api://downstream/read'];
/** The two resources a confidential client can ask app tokens for. */
const RESOURCES = [API_AUDIENCE, DOWNSTREAM_AUDIENCE];
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * AADSTS codes for client authentication and the grants below. Numbers and meanings from
 * learn.microsoft.com/entra/identity-platform/reference-error-codes; the wire text where a
 * capture was found (700024 from Azure/azure-cli#28708). Marked stand-ins: Entra's exact
 * answer was not captured.
 */
export const CONFIDENTIAL_AADSTS = {
  invalidClientSecret: [
    7000215,
    'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.',
  ],
  missingClientCredential: [7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."],
  assertionExpired: [700024, 'Client assertion is not within its valid time range.'],
  // Wording as MSAL Python's ClientApplication docs quote Entra for an x5c / signature problem.
  assertionSignature: [700027, 'The provided signature value did not match the expected signature value.'],
  certificateNotRegistered: [700027, 'The certificate with identifier used to sign the client assertion is not registered on application.'],
  assertionSubject: [700021, "Client assertion application identifier doesn't match 'client_id' parameter."],
  // 50027 InvalidJwtToken lists "unexpected audience" among its reasons.
  assertionAudience: [50027, 'Invalid JWT token. The token audience is not the token endpoint.'],
  // Stand-in: oidc-provider refuses a replayed jti (RFC 7523 3 item 7); Entra's wording was not captured.
  assertionReplayed: [50027, 'Invalid JWT token. The client assertion has already been used (jti replay).'],
  assertionInvalid: [50027, 'Invalid JWT token. Token format not valid.'],
  // learn.microsoft.com v2-oauth2-client-creds-grant-flow: scope must be {resource}/.default.
  defaultScopeRequired: [
    1002012,
    'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
  ],
  oboAssertionInvalid: [50013, 'Assertion failed signature validation.'],
  oboAudience: [50013, 'Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was not expected.'],
  oboUseMissing: [900144, "The request body must contain the following parameter: 'requested_token_use'."],
};

const sha = (algorithm, der) => createHash(algorithm).update(der).digest('base64url');

/**
 * One confidential client: oidc-provider metadata plus the certificates Entra would hold.
 * @param {import('./createEntraIdp.d.mts').ConfidentialClientSpec} spec
 * @param {string[]} redirectUris
 */
export function confidentialClient(spec, redirectUris) {
  const certificates = (spec.certificates ?? []).map((pem) => new X509Certificate(pem));
  const metadata = {
    client_id: spec.client_id,
    application_type: 'web',
    grant_types: ['client_credentials', JWT_BEARER_GRANT, 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris,
    ...(certificates.length
      ? {
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: certificates.map((c) => ({ ...c.publicKey.export({ format: 'jwk' }), kid: sha('sha1', c.raw), use: 'sig' })) },
        }
      : { token_endpoint_auth_method: 'client_secret_post', client_secret: spec.client_secret }),
  };
  return {
    metadata,
    spec,
    sha1: new Set(certificates.map((c) => sha('sha1', c.raw))),
    sha256: new Set(certificates.map((c) => sha('sha256', c.raw))),
  };
}

/**
 * oidc-provider's `assertJwtClientAuthClaimsAndHeader`, run after it verified the signature,
 * `exp`, `aud` and `iss` (and before its jti replay check). What Entra adds
 * (learn.microsoft.com/entra/identity-platform/certificate-credentials): `sub` = client id;
 * the header names a registered certificate by `x5t` (SHA-1) or `x5t#S256`; with `x5c`
 * (subject name / issuer authentication) the first certificate is the one named.
 * @param {Map<string, ReturnType<typeof confidentialClient>>} registry
 */
export function assertEntraClientAssertion(registry) {
  return async function assertJwtClientAuthClaimsAndHeader(_ctx, claims, header, client) {
    const registered = registry.get(client.clientId);
    if (!registered) return;
    if (claims.sub !== client.clientId) throw new errors.InvalidClientAuth('sub (JWT subject) must be the client_id');
    const named = header['x5t#S256'] !== undefined ? registered.sha256.has(header['x5t#S256']) : registered.sha1.has(header.x5t);
    if (!named) throw new errors.InvalidClientAuth('x5t certificate not registered');
    if (header.x5c !== undefined) {
      let leaf;
      try {
        leaf = Buffer.from(String(header.x5c[0]), 'base64');
      } catch {
        leaf = Buffer.alloc(0);
      }
      const matches = header['x5t#S256'] !== undefined ? sha('sha256', leaf) === header['x5t#S256'] : sha('sha1', leaf) === header.x5t;
      if (!matches) throw new errors.InvalidClientAuth('x5c leaf certificate signature does not match x5t');
    }
  };
}

/** Which AADSTS entry an oidc-provider client-authentication failure becomes. */
export function clientAuthFailureKey(detail, params) {
  if (/not found/.test(detail)) return undefined; // the caller's appNotFound
  if (params?.client_assertion) {
    if (/only be used once/.test(detail)) return 'assertionReplayed';
    if (/audience|\baud\b/.test(detail)) return 'assertionAudience';
    if (/"exp"|"nbf"|expired|not active|future|timestamp/.test(detail)) return 'assertionExpired';
    if (/x5t|x5c/.test(detail)) return 'certificateNotRegistered';
    if (/sub \(JWT subject\)|iss \(JWT issuer\)/.test(detail)) return 'assertionSubject';
    if (/signature|no matching key|JWKSNoMatchingKey|alg mismatch/i.test(detail)) return 'assertionSignature';
    return 'assertionInvalid';
  }
  if (params?.client_secret) return 'invalidClientSecret';
  return 'missingClientCredential';
}

const resourceOf = (scope) => RESOURCES.find((r) => scope === `${r}/.default`);

/**
 * The client-credentials grant as Entra runs it (replaces oidc-provider's): exactly one
 * `{resource}/.default` scope; the app token carries the app roles granted to the client
 * (`roles`) and `idtyp: app` (added by the jwt customizer), and the response has no scope.
 * And on-behalf-of (learn.microsoft.com v2-oauth2-on-behalf-of-flow): `assertion` must be an
 * access token this authority issued to a user for this middle-tier app (its client id or its
 * App ID URI as `aud`); a downstream token for the same user is issued.
 * @param {import('oidc-provider').default} provider
 * @param {{ tenantId: string, issuers: string[], jwks: { keys: object[] }, registry: Map<string, ReturnType<typeof confidentialClient>>,
 *   isKnownSubject: (sub: string) => boolean, entraError: (key: string, status?: number) => Error }} o
 */
export function registerConfidentialGrants(provider, { tenantId, issuers, jwks, registry, isKnownSubject, entraError }) {
  const keySet = createLocalJWKSet(jwks);
  const resourceServer = (audience, scope) =>
    new provider.ResourceServer(audience, { scope, audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } });

  provider.registerGrantType(
    'client_credentials',
    async function clientCredentialsGrant(ctx) {
      const scopes = String(ctx.oidc.params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const resource = scopes.length === 1 ? resourceOf(scopes[0]) : undefined;
      if (!resource) throw entraError('defaultScopeRequired');
      const token = new provider.ClientCredentials({ client: ctx.oidc.client });
      token.resourceServer = resourceServer(resource, `${resource}/.default`);
      ctx.oidc.entity('ClientCredentials', token);
      const value = await token.save();
      ctx.body = { access_token: value, expires_in: token.expiration, token_type: 'Bearer' };
    },
    ['scope'],
  );

  provider.registerGrantType(
    JWT_BEARER_GRANT,
    async function onBehalfOfGrant(ctx) {
      const { assertion, requested_token_use: use, scope } = ctx.oidc.params;
      if (use !== 'on_behalf_of') throw entraError('oboUseMissing', 400);
      if (!assertion) throw new errors.InvalidRequest("missing required parameter 'assertion'");
      let claims;
      try {
        ({ payload: claims } = await jwtVerify(String(assertion), keySet, { issuer: issuers, algorithms: ['RS256'] }));
      } catch {
        throw entraError('oboAssertionInvalid');
      }
      const client = ctx.oidc.client;
      const audiences = [client.clientId, ...(registry.get(client.clientId)?.spec.audiences ?? [])];
      if (!audiences.includes(String(claims.aud)) || claims.idtyp === 'app' || !isKnownSubject(String(claims.sub)) || claims.tid !== tenantId) {
        throw entraError('oboAudience');
      }
      const scopes = String(scope ?? '')
        .split(' ')
        .filter(Boolean);
      const audience = RESOURCES.find((r) => scopes.some((s) => s.startsWith(`${r}/`)) && r !== String(claims.aud));
      if (!audience) throw new errors.InvalidScope('requested scope is not allowed', scope);
      const grant = new provider.Grant({ accountId: String(claims.sub), clientId: client.clientId });
      grant.addResourceScope(audience, scopes.join(' '));
      await grant.save();
      const token = new provider.AccessToken({ accountId: String(claims.sub), client, grantId: grant.jti, gty: 'on_behalf_of', scope: scopes.join(' ') });
      token.resourceServer = resourceServer(audience, scopes.join(' '));
      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();
      ctx.body = { access_token: value, expires_in: token.expiration, token_type: 'Bearer', scope: scopes.join(' ') };
    },
    ['assertion', 'requested_token_use', 'scope'],
  );
}
