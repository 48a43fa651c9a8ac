import { describe, expect, it } from 'vitest';
import { codeChallengeFor, createPkce } from '../../src/protocol/pkce.js';

describe('PKCE (RFC 7636)', () => {
  it('computes the RFC 7636 appendix B S256 challenge', async () => {
    await expect(codeChallengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('creates a 43-character unreserved verifier with its S256 challenge', async () => {
    const pkce = await createPkce();
    expect(pkce.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(pkce.codeChallengeMethod).toBe('S256');
    expect(pkce.codeChallenge).toBe(await codeChallengeFor(pkce.codeVerifier));
    expect(pkce.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('creates a fresh verifier on every call', async () => {
    const verifiers = new Set<string>();
    for (let i = 0; i < 20; i++) verifiers.add((await createPkce()).codeVerifier);
    expect(verifiers.size).toBe(20);
  });
});
