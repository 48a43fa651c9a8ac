// No personal data in errors: an id_token that fails validation must not put its claims
// (email, name, sub) into the error, its cause, its message or its JSON.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ErrorCode, IdTokenError, ServerError } from '../../src/errors.js';
import { parseTokenResponse } from '../../src/protocol/tokenResponse.js';
import { expectRejects, expectThrows } from './support/expectError.js';
import { FakeProvider } from './support/fakeProvider.js';
import { serializeError } from '../support/errorSweep.js';
import { clientOf } from './support/signIn.js';

const personal = ['subject-alice-7f3a', 'Alice Example', 'alice.example@contoso.test'];

function assertNoPersonalData(error: unknown): void {
  const text = `${serializeError(error)}\n${inspect(error, { depth: 10, showHidden: true })}`;
  for (const value of personal) expect(text).not.toContain(value);
}

describe('id_token errors carry no claims', () => {
  for (const [name, claims, code] of [
    ['an expired id_token', { exp: Math.floor(Date.now() / 1000) - 3600 }, ErrorCode.idTokenExpired],
    ['a wrong audience', { aud: 'someone-else' }, ErrorCode.idTokenAudienceMismatch],
    ['a wrong issuer', { iss: 'https://evil.example.test' }, ErrorCode.idTokenIssuerMismatch],
    ['a foreign azp', { aud: ['spa', 'x'], azp: 'client-of-alice.example@contoso.test' }, ErrorCode.idTokenAzpMismatch],
  ] as const) {
    it(`${name}: the error, its cause and its JSON hold no claim value`, async () => {
      const provider = await FakeProvider.create();
      provider.tokenHandler = (form, p) => p.tokenResponse(form, claims);
      const app = clientOf(provider);
      const flow = await app.initiateAuthCodeFlow(['openid']);
      const error = await expectRejects(app.acquireTokenByAuthCodeFlow(flow, provider.authorize(flow.authUri)), IdTokenError, code);
      assertNoPersonalData(error);
      personal.push('client-of-alice.example@contoso.test');
    });
  }

  it('a malformed JSON token response does not quote the body (it holds tokens) in the cause', () => {
    // A plain-text answer labelled JSON: V8's SyntaxError quotes the start of the body.
    const body = 'at-secret-in-broken-json-93ab';
    const error = expectThrows(
      () => parseTokenResponse({ status: 200, headers: { 'content-type': 'application/json' }, body }, 'https://idp.example.test/token', 'c'),
      ServerError,
      ErrorCode.invalidJson,
    );
    expect(`${serializeError(error)}\n${inspect(error, { depth: 10, showHidden: true })}`).not.toContain('at-secret-');
  });
});
