// An app-supplied state is the app's CSRF value, carried through; single use is keyward's own
// random flow id, so two sign-ins with the same app state both work (on a server too).
import { describe, expect, it } from 'vitest';
import { ConfidentialClientApplication } from '../../src/server/index.js';
import { ClientAuthError, ErrorCode } from '../../src/errors.js';
import { expectRejects } from './support/expectError.js';
import { FakeProvider } from './support/fakeProvider.js';
import { clientOf } from './support/signIn.js';

describe('app-supplied state', () => {
  it('two sign-ins with the same app state both succeed in a public client, and each flow is still single-use', async () => {
    const provider = await FakeProvider.create();
    const app = clientOf(provider);
    for (let i = 0; i < 2; i++) {
      const flow = await app.initiateAuthCodeFlow(['openid'], { state: 'CA' });
      expect(new URL(flow.authUri).searchParams.get('state')).toBe('CA');
      const response = provider.authorize(flow.authUri);
      const result = await app.acquireTokenByAuthCodeFlow(flow, response);
      expect(result).toMatchObject({ state: 'CA' });
      await expectRejects(app.acquireTokenByAuthCodeFlow(flow, response), ClientAuthError, ErrorCode.flowAlreadyUsed);
    }
  });

  it("on a server, one user's state value does not block the next user", async () => {
    const provider = await FakeProvider.create();
    provider.claims = { ...provider.claims, aud: 'web' };
    const app = new ConfidentialClientApplication({
      clientId: 'web',
      oidcAuthority: provider.issuer,
      httpClient: provider,
      clientCredential: 'web-secret-8d1f',
      redirectUri: 'https://web.example.test/cb',
    });
    const first = await app.initiateAuthCodeFlow(['openid'], { state: '/dashboard' });
    const second = await app.initiateAuthCodeFlow(['openid'], { state: '/dashboard' });
    expect(await app.acquireTokenByAuthCodeFlow(first, provider.authorize(first.authUri))).toMatchObject({ state: '/dashboard' });
    expect(await app.acquireTokenByAuthCodeFlow(second, provider.authorize(second.authUri))).toMatchObject({ state: '/dashboard' });
  });

  it('a flow older than its lifetime is refused, so the used-flow set can forget old ids', async () => {
    const provider = await FakeProvider.create();
    const app = clientOf(provider);
    const flow = await app.initiateAuthCodeFlow(['openid']);
    const response = provider.authorize(flow.authUri);
    await expectRejects(app.acquireTokenByAuthCodeFlow({ ...flow, createdAt: flow.createdAt - 2 * 60 * 60 }, response), ClientAuthError, ErrorCode.flowExpired);
  });
});
