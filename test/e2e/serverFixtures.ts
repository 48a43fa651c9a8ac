/**
 * keyward/server against the local Entra authority from Node: a transport through
 * `idp.fetch`, the confidential clients the tests register, and readers for what the
 * authority received.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { HttpClient } from '../../src/index.js';
import { ConfidentialClientApplication, type ConfidentialClientApplicationOptions } from '../../src/server/index.js';
import type { ConfidentialClientSpec, EntraIdp, EntraTokenRequest } from '../idp/entra/createEntraIdp.mjs';
import { TENANT_A } from '../idp/entra/createEntraIdp.mjs';
import type { makeTestPki } from '../server/testCredentials';

export const AUTHORITY = `https://login.microsoftonline.com/${TENANT_A}`;
export const TOKEN_ENDPOINT = `${AUTHORITY}/oauth2/v2.0/token`;
export const APP_SCOPES = ['api://demo/.default'];
export const SECRET = 'test-only-client-secret';

/** The clients registered on the authority: one with a secret, one with the test certificate, a middle-tier API (secret; user tokens for api://demo are its). */
export function confidentialClients(pki: ReturnType<typeof makeTestPki>): ConfidentialClientSpec[] {
  return [
    { client_id: 'daemon-secret', client_secret: SECRET, roles: ['Reports.Read.All'] },
    { client_id: 'daemon-cert', certificates: [pki.leaf] },
    { client_id: 'middle-tier', client_secret: SECRET, audiences: ['api://demo'] },
  ];
}

/** keyward's transport over the authority's Node-side fetch (Entra hosts go to the local server). */
export function idpHttpClient(idp: EntraIdp): HttpClient {
  return {
    async send(request) {
      const response = await idp.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined && { body: request.body }),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body: await response.text() };
    },
  };
}

export function serverClient(
  idp: EntraIdp,
  options: Pick<ConfidentialClientApplicationOptions, 'clientId' | 'clientCredential'> & Partial<ConfidentialClientApplicationOptions>,
): ConfidentialClientApplication {
  return new ConfidentialClientApplication({ authority: AUTHORITY, httpClient: idpHttpClient(idp), ...options });
}

/** The client assertion the authority received in a token request, decoded. */
export function receivedAssertion(request: EntraTokenRequest | undefined): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const assertion = request?.body.client_assertion;
  if (!assertion) throw new Error('the request carried no client_assertion');
  return { header: decodeProtectedHeader(assertion) as Record<string, unknown>, payload: decodeJwt(assertion) };
}

/** Token requests of one grant type. */
export const tokenRequestsOf = (idp: EntraIdp, grantType: string): EntraTokenRequest[] => idp.tokenRequests.filter((r) => r.grant_type === grantType);

/** A rejected promise's error, for asserting its fields. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Record<string, unknown> & { errorCode: string; errorCodes?: number[]; status?: number; name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected a rejection');
}
