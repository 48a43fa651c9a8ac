// Which invalid_grant answers end a refresh token (msal-common RefreshTokenClient: only the
// bad_token suberror removes it; a plain invalid_grant is the refresh token refused, RFC 6749 5.2).
import { describe, expect, it } from 'vitest';
import { InteractionRequiredError } from '../../src/errors.js';
import { expectRejects } from './support/expectError.js';
import { FakeProvider } from './support/fakeProvider.js';
import { json } from './support/scriptedHttp.js';
import { clientOf, signIn } from './support/signIn.js';

async function refusedWith(body: Record<string, unknown>) {
  const provider = await FakeProvider.create();
  const app = clientOf(provider);
  const { account } = await signIn(app, provider);
  provider.tokenHandler = () => json(400, body);
  await expectRejects(app.acquireTokenSilent(['api://other/write'], account), InteractionRequiredError, String(body.error));
  provider.tokenHandler = undefined;
  const before = provider.requestsTo('/token').length;
  // Another resource, after the refusal: is there still a refresh token to use?
  const other = await app.acquireTokenSilent(['api://third/read'], account);
  return { other, sent: provider.requestsTo('/token').length - before };
}

describe('refresh token after invalid_grant', () => {
  for (const suberror of ['consent_required', 'basic_action', 'additional_action']) {
    it(`invalid_grant with suberror ${suberror} (one resource) keeps the refresh token for the others`, async () => {
      const { other, sent } = await refusedWith({ error: 'invalid_grant', suberror, error_description: 'AADSTS65001: consent needed for this resource.' });
      expect(sent).toBe(1);
      expect(other?.fromCache).toBe(false);
    });
  }

  it('invalid_grant with suberror bad_token drops the refresh token', async () => {
    const { other, sent } = await refusedWith({ error: 'invalid_grant', suberror: 'bad_token' });
    expect(sent).toBe(0);
    expect(other).toBeNull();
  });

  it('a plain invalid_grant (the refresh token itself refused) drops it', async () => {
    const { other, sent } = await refusedWith({ error: 'invalid_grant', error_description: 'AADSTS70008: The refresh token has expired.' });
    expect(sent).toBe(0);
    expect(other).toBeNull();
  });
});
