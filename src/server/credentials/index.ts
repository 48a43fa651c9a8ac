import type { ClientAuthentication } from '../../client/context.js';
import { ClientAuthError, ConfigurationError, ErrorCode } from '../../errors.js';
import { jwtBearerAssertionType, signClientAssertion } from '../clientAssertion.js';
import { certificateCredential } from './certificate.js';
import { pfxCredential } from './pfx.js';
import type { CertificateCredential, ClientCredential, PfxCredential } from './types.js';

export type { CertificateCredential, ClientAssertionCredential, ClientCredential, PfxCredential } from './types.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Checks a `clientCredential` now (a wrong passphrase or an expired certificate fails at
 * construction, not at the first request) and returns what adds it to each token request.
 */
export function clientAuthenticationFor(
  credential: ClientCredential,
  clientId: string,
  clientClaims: Readonly<Record<string, unknown>> | undefined,
): ClientAuthentication {
  if (typeof credential === 'string') {
    if (credential === '') throw new ConfigurationError(ErrorCode.credentialInvalid, '"clientCredential" is an empty string: pass the client secret.');
    return async () => ({ client_secret: credential });
  }
  if (isObject(credential) && 'clientAssertion' in credential) {
    const given = credential.clientAssertion;
    if (typeof given !== 'string' && typeof given !== 'function') {
      throw new ConfigurationError(ErrorCode.credentialInvalid, '"clientAssertion" must be a JWT string or a function returning one.');
    }
    return async () => {
      let assertion: unknown;
      try {
        assertion = typeof given === 'function' ? await given() : given;
      } catch (cause) {
        throw new ClientAuthError(ErrorCode.clientAssertionFailed, 'The "clientAssertion" function threw; no token was requested.', { cause });
      }
      if (typeof assertion !== 'string' || assertion === '') {
        throw new ClientAuthError(ErrorCode.clientAssertionFailed, 'The "clientAssertion" function did not return a JWT string; no token was requested.');
      }
      return { client_assertion_type: jwtBearerAssertionType, client_assertion: assertion };
    };
  }
  const material =
    isObject(credential) && 'privateKeyPfxPath' in credential
      ? pfxCredential(credential as PfxCredential)
      : isObject(credential) && 'privateKey' in credential
        ? certificateCredential(credential as CertificateCredential)
        : undefined;
  if (!material) {
    throw new ConfigurationError(
      ErrorCode.credentialInvalid,
      '"clientCredential" must be a client secret, { privateKey, thumbprint }, { privateKey, thumbprint, publicCertificate }, { clientAssertion }, or { privateKeyPfxPath }.',
    );
  }
  return async (tokenEndpoint) => ({
    client_assertion_type: jwtBearerAssertionType,
    client_assertion: await signClientAssertion(material, clientId, tokenEndpoint, clientClaims),
  });
}
