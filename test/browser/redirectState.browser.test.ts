import { afterEach, describe, expect, it } from 'vitest';
import { savePendingRedirect, takePendingRedirect } from '../../src/client/browser/pendingFlowStore.js';
import { PublicClientApplication } from '../../src/index.js';
import { codeChallengeFor, createPkce } from '../../src/protocol/pkce.js';
import type { AuthCodeFlow } from '../../src/protocol/authCodeFlow.js';

const flow: AuthCodeFlow = {
  authUri: 'http://127.0.0.1:1/authorize',
  state: 'state-1',
  redirectUri: 'http://127.0.0.1:1/',
  scopes: ['openid'],
  codeVerifier: 'verifier',
  nonce: 'nonce',
  authority: 'http://127.0.0.1:1/',
  clientId: 'spa',
  issuer: 'http://127.0.0.1:1',
  createdAt: 0,
};

afterEach(() => sessionStorage.clear());

describe('redirect state in a real browser', () => {
  it('keeps the pending flow in sessionStorage and hands it out once', () => {
    savePendingRedirect('spa', { flow, startPage: location.href });
    expect(sessionStorage.getItem('keyward.redirect.spa')).toContain('state-1');
    expect(takePendingRedirect('spa')?.flow.state).toBe('state-1');
    expect(takePendingRedirect('spa')).toBeUndefined();
    expect(sessionStorage.getItem('keyward.redirect.spa')).toBeNull();
  });

  it('handleRedirectPromise is null on a normal page load and memoized (StrictMode calls it twice)', async () => {
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9' });
    const first = app.handleRedirectPromise();
    expect(app.handleRedirectPromise()).toBe(first);
    await expect(first).resolves.toBeNull();
  });

  it('computes PKCE with the browser WebCrypto (RFC 7636 appendix B vector)', async () => {
    await expect(codeChallengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const a = await createPkce();
    const b = await createPkce();
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
