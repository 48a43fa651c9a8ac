import { SignJWT, type JWTPayload } from 'jose';
import { randomUuid } from '../util/random.js';
import { nowSeconds } from '../util/time.js';
import type { SigningMaterial } from './credentials/certificate.js';

/** RFC 7523 2.2: the `client_assertion_type` of a JWT client assertion. */
export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long a signed assertion is valid (MSAL: 10 minutes). */
export const assertionLifetimeSeconds = 600;

/**
 * Signs a client assertion (RFC 7523 3; Entra "certificate credentials"): `aud` the token
 * endpoint the request goes to, `iss` = `sub` = client id, a fresh `jti` every time (the
 * authority refuses a replayed one), `nbf`/`iat` now, `exp` in ten minutes. `clientClaims`
 * add claims or override any default, as MSAL's `client_claims` do.
 */
export async function signClientAssertion(
  material: SigningMaterial,
  clientId: string,
  audience: string,
  clientClaims: Readonly<Record<string, unknown>> = {},
): Promise<string> {
  const now = nowSeconds();
  const payload: JWTPayload = {
    aud: audience,
    iss: clientId,
    sub: clientId,
    jti: randomUuid(),
    nbf: now,
    iat: now,
    exp: now + assertionLifetimeSeconds,
    ...clientClaims,
  };
  const header: { alg: string; typ: string; x5t?: string; 'x5t#S256'?: string; x5c?: string[] } = { alg: material.alg, typ: 'JWT' };
  if (material.x5t) header.x5t = material.x5t;
  if (material.x5tS256) header['x5t#S256'] = material.x5tS256;
  if (material.x5c) header.x5c = material.x5c;
  return new SignJWT(payload).setProtectedHeader(header).sign(material.key);
}
