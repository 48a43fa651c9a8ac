import { base64url, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../src/http/httpClient.js';
import type { AuthResponse } from '../../../src/protocol/authResponse.js';
import { observeExchange } from '../../support/errorSweep.js';
import { json } from './scriptedHttp.js';

/** A signing key of the provider. */
export interface ProviderKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function providerKey(kid: string): Promise<ProviderKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** What the token endpoint answers: the default body is built from `grant` and the claims given. */
export type TokenHandler = (form: URLSearchParams, provider: FakeProvider) => Promise<HttpResponse> | HttpResponse;

/**
 * A generic OpenID provider answering through the public `httpClient` extension point, for
 * provider answers a real provider cannot be made to give (negative `expires_in`, a changed
 * `sub` on refresh, a redirect on the token endpoint). Discovery and keys are real documents;
 * id_tokens are really signed (RS256, jose) and keyward really verifies them.
 */
export class FakeProvider implements HttpClient {
  readonly issuer: string;
  readonly requests: HttpRequest[] = [];
  /** Keys served at jwks_uri; `signingKey` signs new id_tokens. */
  keys: ProviderKey[] = [];
  signingKey!: ProviderKey;
  /** Claims of every id_token issued (merged over the defaults). */
  claims: Record<string, unknown> = {
    sub: 'subject-alice-7f3a',
    name: 'Alice Example',
    email: 'alice.example@contoso.test',
    preferred_username: 'alice.example@contoso.test',
  };
  /** Extra fields of every successful token response (e.g. `expires_in: -5`). */
  tokenFields: Record<string, unknown> = {};
  /** Replace the token endpoint's behaviour. */
  tokenHandler: TokenHandler | undefined;
  readonly #nonces = new Map<string, string>();
  #counter = 0;

  constructor(issuer = 'https://idp.example.test') {
    this.issuer = issuer;
  }

  static async create(issuer?: string): Promise<FakeProvider> {
    const provider = new FakeProvider(issuer);
    provider.signingKey = await providerKey('key-1');
    provider.keys = [provider.signingKey];
    return provider;
  }

  get metadata(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      jwks_uri: `${this.issuer}/jwks`,
      end_session_endpoint: `${this.issuer}/logout`,
      device_authorization_endpoint: `${this.issuer}/device`,
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  /** What the provider's redirect would carry for this authorization URL. */
  authorize(authUri: string): AuthResponse {
    const url = new URL(authUri);
    const code = `code-${++this.#counter}-${crypto.randomUUID()}`;
    this.#nonces.set(code, url.searchParams.get('nonce') ?? '');
    return { code, state: url.searchParams.get('state') ?? '' };
  }

  async idToken(extra: Record<string, unknown> = {}, key: ProviderKey = this.signingKey): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = { iss: this.issuer, aud: 'spa', iat: now, exp: now + 3600, ...this.claims, ...extra };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey);
  }

  /** A successful token response for a form, with a fresh refresh token and id_token. */
  async tokenResponse(form: URLSearchParams, extraClaims: Record<string, unknown> = {}): Promise<HttpResponse> {
    const nonce = form.get('grant_type') === 'authorization_code' ? this.#nonces.get(form.get('code') ?? '') : undefined;
    const n = ++this.#counter;
    return json(200, {
      access_token: `access-token-${n}-${crypto.randomUUID()}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `refresh-token-${n}-${crypto.randomUUID()}`,
      scope: form.get('scope') ?? 'openid',
      ...(form.get('client_info') === '1' &&
        typeof this.claims.oid === 'string' &&
        typeof this.claims.tid === 'string' && {
          client_info: base64url.encode(JSON.stringify({ uid: this.claims.oid, utid: this.claims.tid })),
        }),
      id_token: await this.idToken(nonce ? { nonce, ...extraClaims } : extraClaims),
      ...this.tokenFields,
    });
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const response = await this.#answer(request);
    // Whatever crossed this wire is a secret no error may repeat (the error sweep).
    observeExchange(request.body, response.body);
    return response;
  }

  async #answer(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request);
    const path = request.url.split('?')[0]!;
    if (!path.startsWith(`${this.issuer}/`)) return json(404, { error: 'not_found' });
    switch (path.slice(this.issuer.length)) {
      case '/.well-known/openid-configuration':
        return json(200, this.metadata);
      case '/jwks':
        return json(200, { keys: this.keys.map((key) => key.jwk) });
      case '/token': {
        const form = new URLSearchParams(request.body ?? '');
        return this.tokenHandler ? this.tokenHandler(form, this) : this.tokenResponse(form);
      }
      default:
        return json(404, { error: 'not_found' });
    }
  }

  /** Requests to one path of the provider. */
  requestsTo(path: string): HttpRequest[] {
    return this.requests.filter((request) => request.url.split('?')[0] === `${this.issuer}${path}`);
  }
}
