import { describe, expect, it } from 'vitest';
import { mergeClaims } from '../../src/client/flows/claims.js';
import { ConfigurationError, ErrorCode } from '../../src/errors.js';
import { expectThrows } from './support/expectError.js';

describe('mergeClaims', () => {
  it('sends client capabilities as access_token.xms_cc', () => {
    expect(mergeClaims(undefined, ['CP1'])).toBe('{"access_token":{"xms_cc":{"values":["CP1"]}}}');
  });

  it('keeps the challenge and adds the capabilities', () => {
    const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}},"id_token":{"auth_time":{"essential":true}}}';
    expect(JSON.parse(mergeClaims(challenge, ['CP1', 'CP2'])!)).toEqual({
      access_token: { nbf: { essential: true, value: '1700000000' }, xms_cc: { values: ['CP1', 'CP2'] } },
      id_token: { auth_time: { essential: true } },
    });
  });

  it('returns the challenge unchanged without capabilities', () => {
    const challenge = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
    expect(mergeClaims(challenge, undefined)).toBe(challenge);
    expect(mergeClaims(challenge, [])).toBe(challenge);
    expect(mergeClaims(undefined, undefined)).toBeUndefined();
    expect(mergeClaims(undefined, [])).toBeUndefined();
  });

  it('rejects a challenge that is not JSON', () => {
    expectThrows(() => mergeClaims('eyJhY2Nlc3NfdG9rZW4iOnt9fQ', ['CP1']), ConfigurationError, ErrorCode.invalidClaims);
    expectThrows(() => mergeClaims('{not json', undefined), ConfigurationError, ErrorCode.invalidClaims);
  });

  it('rejects a JSON challenge that is not an object', () => {
    expectThrows(() => mergeClaims('[]', ['CP1']), ConfigurationError, ErrorCode.invalidClaims);
    expectThrows(() => mergeClaims('null', undefined), ConfigurationError, ErrorCode.invalidClaims);
    expectThrows(() => mergeClaims('"text"', undefined), ConfigurationError, ErrorCode.invalidClaims);
  });
});
