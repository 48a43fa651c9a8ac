import { describe, expect, it } from 'vitest';
import { ClientAuthError, ErrorCode, InteractionRequiredError, ServerError } from '../../src/errors.js';
import type { HttpResponse } from '../../src/http/httpClient.js';
import { parseTokenResponse } from '../../src/protocol/tokenResponse.js';
import { expectThrows } from './support/expectError.js';
import { json } from './support/scriptedHttp.js';

const url = 'https://login.microsoftonline.com/common/oauth2/v2.0/token';
const parse = (response: HttpResponse) => parseTokenResponse(response, url, 'corr-1');

describe('parseTokenResponse: success', () => {
  it('keeps the documented fields', () => {
    expect(
      parse(
        json(200, {
          access_token: 'at',
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 7199,
          refresh_in: 1800,
          refresh_token: 'rt',
          id_token: 'idt',
          scope: 'User.Read',
          client_info: 'ci',
          foci: '1',
          unknown: 'dropped',
        }),
      ),
    ).toEqual({
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 7199,
      refresh_in: 1800,
      refresh_token: 'rt',
      id_token: 'idt',
      scope: 'User.Read',
      client_info: 'ci',
      foci: '1',
    });
  });

  it('accepts a string expires_in', () => {
    expect(parse(json(200, { access_token: 'at', token_type: 'Bearer', expires_in: '3599' })).expires_in).toBe(3599);
  });

  it('defaults expires_in to 3600 and token_type to Bearer when absent', () => {
    expect(parse(json(200, { access_token: 'at' }))).toEqual({ access_token: 'at', token_type: 'Bearer', expires_in: 3600 });
  });

  it('an unusable expires_in means expired at once; only an absent one defaults to 3600', () => {
    expect(parse(json(200, { access_token: 'at', expires_in: 'soon' })).expires_in).toBe(0);
    expect(parse(json(200, { access_token: 'at', expires_in: -5 })).expires_in).toBe(0);
    expect(parse(json(200, { access_token: 'at' })).expires_in).toBe(3600);
  });

  it('keeps the token_type as sent', () => {
    expect(parse(json(200, { access_token: 'at', token_type: 'DPoP' })).token_type).toBe('DPoP');
  });
});

describe('parseTokenResponse: failures', () => {
  it('turns an HTML 500 page into server_error_non_json', () => {
    const error = expectThrows(
      () => parse({ status: 500, headers: { 'content-type': 'text/html' }, body: '<html><body>Internal Server Error</body></html>' }),
      ServerError,
      ErrorCode.serverErrorNonJson,
    );
    expect(error.status).toBe(500);
    expect(error.correlationId).toBe('corr-1');
    expect(error).not.toBeInstanceOf(InteractionRequiredError);
  });

  it('turns a truncated JSON 200 into invalid_json', () => {
    const error = expectThrows(
      () => parse({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"access_token":"at","tok' }),
      ServerError,
      ErrorCode.invalidJson,
    );
    expect(error.status).toBe(200);
  });

  it('turns invalid_grant into InteractionRequiredError with the Entra fields', () => {
    const error = expectThrows(
      () =>
        parse(
          json(400, {
            error: 'invalid_grant',
            error_description: 'AADSTS70008: The refresh token has expired.',
            error_codes: [70008],
            suberror: 'bad_token',
            correlation_id: 'server-corr',
            error_uri: 'https://login.microsoftonline.com/error?code=70008',
            claims: '{"access_token":{"capolids":{"essential":true,"values":["1"]}}}',
          }),
        ),
      InteractionRequiredError,
      'invalid_grant',
    );
    expect(error).toBeInstanceOf(ServerError);
    expect(error.status).toBe(400);
    expect(error.errorDescription).toBe('AADSTS70008: The refresh token has expired.');
    expect(error.errorCodes).toEqual([70008]);
    expect(error.suberror).toBe('bad_token');
    expect(error.correlationId).toBe('server-corr');
    expect(error.errorUri).toBe('https://login.microsoftonline.com/error?code=70008');
    expect(error.claims).toBe('{"access_token":{"capolids":{"essential":true,"values":["1"]}}}');
  });

  it('uses our correlation id when the server sends none', () => {
    expect(expectThrows(() => parse(json(400, { error: 'invalid_grant' })), InteractionRequiredError, 'invalid_grant').correlationId).toBe('corr-1');
  });

  it('keeps invalid_client a plain ServerError', () => {
    const error = expectThrows(() => parse(json(401, { error: 'invalid_client' })), ServerError, 'invalid_client');
    expect(error).not.toBeInstanceOf(InteractionRequiredError);
    expect(error.status).toBe(401);
  });

  it('treats an interaction suberror as interaction required', () => {
    expectThrows(() => parse(json(400, { error: 'invalid_request', suberror: 'consent_required' })), InteractionRequiredError, 'invalid_request');
  });

  it('treats an error body on HTTP 200 as an error', () => {
    expectThrows(() => parse(json(200, { error: 'interaction_required' })), InteractionRequiredError, 'interaction_required');
  });

  it('gives a JSON 5xx without error the code server_error', () => {
    expectThrows(() => parse(json(503, { message: 'down' })), ServerError, ErrorCode.serverError);
  });

  it('rejects a 200 without access_token', () => {
    const error = expectThrows(
      () => parse(json(200, { token_type: 'Bearer', expires_in: 3600, id_token: 'idt' })),
      ClientAuthError,
      ErrorCode.accessTokenMissing,
    );
    expect(error.correlationId).toBe('corr-1');
    expectThrows(() => parse(json(200, { access_token: '' })), ClientAuthError, ErrorCode.accessTokenMissing);
  });

  it('keeps Retry-After as retryAfter seconds', () => {
    const error = expectThrows(() => parse(json(429, { error: 'temporarily_unavailable' }, { 'retry-after': '5' })), ServerError, 'temporarily_unavailable');
    expect(error.retryAfter).toBe(5);
    const html = expectThrows(
      () => parse({ status: 503, headers: { 'retry-after': '5', 'content-type': 'text/html' }, body: '<html>' }),
      ServerError,
      ErrorCode.serverErrorNonJson,
    );
    expect(html.retryAfter).toBe(5);
  });
});
