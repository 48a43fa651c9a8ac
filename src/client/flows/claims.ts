import { assertClaims } from '../../protocol/authorizeRequest.js';

/**
 * The `claims` request parameter: the caller's claims challenge deep-merged with the
 * client capabilities as `access_token.xms_cc` (MSAL's `buildMergedClaims`; docs/protocol.md A7).
 */
export function mergeClaims(claimsChallenge: string | undefined, capabilities: readonly string[] | undefined): string | undefined {
  assertClaims(claimsChallenge);
  if (!capabilities?.length) return claimsChallenge;
  const merged = (claimsChallenge ? JSON.parse(claimsChallenge) : {}) as Record<string, Record<string, unknown>>;
  merged.access_token = { ...(merged.access_token ?? {}), xms_cc: { values: [...capabilities] } };
  return JSON.stringify(merged);
}
