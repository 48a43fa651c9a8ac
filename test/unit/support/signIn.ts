import { SerializableTokenCache } from '../../../src/cache/serializableTokenCache.js';
import { PublicClientApplication, type PublicClientApplicationOptions } from '../../../src/index.js';
import type { FakeProvider } from './fakeProvider.js';
import type { AuthenticationResult } from '../../../src/types.js';

export const appScopes = ['openid', 'profile', 'offline_access', 'api://demo/read'];

/** A public client of `provider`, in memory (Map httpCache, serializable token cache). */
export function clientOf(provider: FakeProvider, options: Partial<PublicClientApplicationOptions> = {}): PublicClientApplication {
  return new PublicClientApplication({
    clientId: 'spa',
    oidcAuthority: provider.issuer,
    httpClient: provider,
    httpCache: new Map(),
    tokenCache: new SerializableTokenCache(),
    redirectUri: 'https://app.example.test/',
    ...options,
  });
}

/** Signs in through initiateAuthCodeFlow / acquireTokenByAuthCodeFlow against the fake provider. */
export async function signIn(app: PublicClientApplication, provider: FakeProvider, scopes = appScopes): Promise<AuthenticationResult> {
  const flow = await app.initiateAuthCodeFlow(scopes);
  const result = await app.acquireTokenByAuthCodeFlow(flow, provider.authorize(flow.authUri));
  if (!('accessToken' in result)) throw new Error(`sign-in failed: ${JSON.stringify(result)}`);
  return result;
}
