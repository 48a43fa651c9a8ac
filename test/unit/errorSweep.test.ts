// The sweep itself: it records errors constructed anywhere and finds a secret in any corner
// of one (cause chain, non-enumerable property, JSON), so a clean run means something.
import { describe, expect, it } from 'vitest';
import { ErrorCode, IdTokenError, ServerError } from '../../src/errors.js';
import { leakingErrors, observeExchange, recordedErrorCount, resetSweep, serializeError } from '../support/errorSweep.js';

describe('error-serialization sweep', () => {
  it('records every KeywardError and finds a registered token in its cause chain', () => {
    const before = recordedErrorCount();
    observeExchange('grant_type=refresh_token&refresh_token=refresh-token-sweep-canary-41', '{"access_token":"access-token-sweep-canary-42"}');
    const inner = Object.defineProperty(new Error('wrapped'), 'hidden', { value: { body: 'refresh-token-sweep-canary-41' }, enumerable: false });
    new IdTokenError(ErrorCode.idTokenMalformed, 'outer', { cause: inner });
    new ServerError('invalid_grant', 'clean message');
    expect(recordedErrorCount()).toBe(before + 2);
    const leaks = leakingErrors();
    expect(leaks).toHaveLength(1);
    expect(leaks[0]!.values).toEqual(['refresh-token-sweep-canary-41']);
    expect(serializeError(new ServerError('x', 'y', { errorDescription: 'access-token-sweep-canary-42' }))).toContain('access-token-sweep-canary-42');
    // Leave the run clean for the setup file's own check of this test.
    resetSweep();
  });
});
