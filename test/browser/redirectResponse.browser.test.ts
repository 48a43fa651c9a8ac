// Only this client's own pending sign-in is a sign-in response: any other code/state/error in
// the page URL (an app's own ?state=CA) is left alone, and the pending sign-in is kept.
import { afterEach, describe, expect, it } from 'vitest';
import { pendingRedirectScope, savePendingRedirect } from '../../src/client/browser/pendingFlowStore.js';
import { PublicClientApplication } from '../../src/index.js';
import type { AuthCodeFlow } from '../../src/protocol/authCodeFlow.js';

const home = location.href;
/** Where the client below (`spa` at http://127.0.0.1:9) keeps its pending sign-in. */
const scope = pendingRedirectScope('spa', 'http://127.0.0.1:9/');
const pendingKey = `keyward.redirect.${scope}`;
afterEach(() => {
  history.replaceState(null, '', home);
  sessionStorage.clear();
});

const flow: AuthCodeFlow = {
  authUri: 'http://127.0.0.1:9/authorize',
  state: 'keyward-pending-state-1',
  flowId: 'f1',
  redirectUri: `${location.origin}${location.pathname}`,
  scopes: ['openid'],
  codeVerifier: 'verifier',
  nonce: 'nonce',
  authority: 'http://127.0.0.1:9/',
  clientId: 'spa',
  issuer: 'http://127.0.0.1:9',
  createdAt: Math.floor(Date.now() / 1000),
};

describe('page URLs that are not our sign-in response', () => {
  it('?state=CA with no pending sign-in: null, the URL kept', async () => {
    history.replaceState(null, '', `${location.pathname}?state=CA&category=products`);
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9' });
    await expect(app.handleRedirectPromise()).resolves.toBeNull();
    expect(location.search).toBe('?state=CA&category=products');
  });

  it('a code and state that do not match the pending sign-in: null, the URL kept, the pending sign-in kept', async () => {
    savePendingRedirect(scope, { flow, startPage: home });
    history.replaceState(null, '', `${location.pathname}?code=someone-elses-code&state=CA`);
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9' });
    await expect(app.handleRedirectPromise()).resolves.toBeNull();
    expect(location.search).toBe('?code=someone-elses-code&state=CA');
    expect(sessionStorage.getItem(pendingKey)).toContain('keyward-pending-state-1');
  });

  it('an error in the fragment for another library: left alone too', async () => {
    savePendingRedirect(scope, { flow, startPage: home });
    history.replaceState(null, '', `${location.pathname}#error=access_denied&state=other-lib`);
    const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:9' });
    await expect(app.handleRedirectPromise()).resolves.toBeNull();
    expect(location.hash).toBe('#error=access_denied&state=other-lib');
    expect(sessionStorage.getItem(pendingKey)).not.toBeNull();
  });
});
