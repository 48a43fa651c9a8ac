// OIDC Core 12.2: a refreshed id_token must have the same iss, aud and (signed) sub as the
// one stored at sign-in; the unsigned client_info cannot vouch for a different person.
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { ErrorCode, IdTokenError } from '../../src/errors.js';
import { expectRejects } from './support/expectError.js';
import { FakeProvider } from './support/fakeProvider.js';
import { clientOf, signIn } from './support/signIn.js';

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const oid = '00000000-0000-0000-66f3-3332eca7ea81';

async function entraSignedIn() {
  const provider = await FakeProvider.create(`https://login.microsoftonline.com/${tenant}/v2.0`);
  provider.claims = { ...provider.claims, oid, tid: tenant };
  const app = clientOf(provider, {
    oidcAuthority: undefined,
    authority: `https://login.microsoftonline.com/${tenant}`,
    knownAuthorities: ['login.microsoftonline.com'],
  });
  const result = await signIn(app, provider);
  return { provider, app, account: result.account };
}

describe('a refreshed id_token names the same person', () => {
  it('a different signed sub is refused even when client_info still names the account', async () => {
    const { provider, app, account } = await entraSignedIn();
    expect(account.homeAccountId).toBe(`${oid}.${tenant}`);
    provider.tokenHandler = (form, p) => p.tokenResponse(form, { sub: 'subject-mallory-91c2', name: 'Mallory' });
    await expectRejects(app.acquireTokenSilent(['api://demo/read'], account, { forceRefresh: true }), IdTokenError, ErrorCode.idTokenSubjectChanged);
    const [kept] = await app.getAccounts();
    expect(kept?.idTokenClaims?.sub).toBe('subject-alice-7f3a');
  });

  it('the check is not skipped when the refresh response has no client_info', async () => {
    const { provider, app, account } = await entraSignedIn();
    provider.tokenHandler = async (form, p) => {
      const response = await p.tokenResponse(form, { sub: 'subject-mallory-91c2' });
      const body = JSON.parse(response.body) as Record<string, unknown>;
      delete body.client_info;
      return { ...response, body: JSON.stringify(body) };
    };
    await expectRejects(app.acquireTokenSilent(['api://demo/read'], account, { forceRefresh: true }), IdTokenError, ErrorCode.idTokenSubjectChanged);
  });

  it('a changed audience or azp is refused too, and the same person refreshes fine', async () => {
    const { provider, app, account } = await entraSignedIn();
    provider.tokenHandler = (form, p) => p.tokenResponse(form, { aud: ['spa', 'other-app'], azp: 'spa' });
    await expectRejects(app.acquireTokenSilent(['api://demo/read'], account, { forceRefresh: true }), IdTokenError, ErrorCode.idTokenSubjectChanged);
    provider.tokenHandler = undefined;
    const refreshed = await app.acquireTokenSilent(['api://demo/read'], account, { forceRefresh: true });
    expect(refreshed?.fromCache).toBe(false);
  });

  it('a generic provider: the stored sub is compared, not only the account key', async () => {
    const provider = await FakeProvider.create();
    const app = clientOf(provider);
    const { account } = await signIn(app, provider);
    // client_info is Entra's; a forged one on a generic provider changes nothing.
    provider.tokenHandler = async (form, p) => {
      const response = await p.tokenResponse(form, { sub: 'subject-mallory-91c2' });
      const body = JSON.parse(response.body) as Record<string, unknown>;
      return { ...response, body: JSON.stringify({ ...body, client_info: base64url.encode(JSON.stringify({ uid: 'x', utid: 'y' })) }) };
    };
    await expectRejects(app.acquireTokenSilent(['api://demo/read'], account, { forceRefresh: true }), IdTokenError, ErrorCode.idTokenSubjectChanged);
  });
});
