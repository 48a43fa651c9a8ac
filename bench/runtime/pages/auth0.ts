import { Auth0Client } from '@auth0/auth0-spa-js';
import { config, install } from './common';

const { issuer, clientId, scopes } = config();
// localstorage + refresh tokens: persistent and shared by tabs, the counterpart of keyward's IndexedDB cache.
// `domain` takes a full origin; `issuer` because the local provider's iss has no trailing slash.
const client = new Auth0Client({
  domain: issuer,
  issuer,
  clientId,
  cacheLocation: 'localstorage',
  useRefreshTokens: true,
  useRefreshTokensFallback: false,
  authorizationParams: { redirect_uri: `${location.origin}${location.pathname}`, scope: ['openid', 'profile', 'offline_access', ...scopes].join(' ') },
});

install({
  name: 'auth0',
  async handleRedirect() {
    if (!/[?#&](code|error)=/.test(location.href)) return false;
    await client.handleRedirectCallback();
    history.replaceState(null, '', location.pathname);
    return true;
  },
  async boot() {
    // getUser reads the cached id_token (no network); createAuth0Client's checkSession would also ask for a token.
    const user = await client.getUser();
    return user ? 1 : 0;
  },
  signIn: () => client.loginWithRedirect(),
  silent: () => client.getTokenSilently(),
  // cacheMode 'off': always the refresh-token grant (useRefreshTokens, no iframe fallback).
  refresh: () => client.getTokenSilently({ cacheMode: 'off' }),
  // auth0-spa-js keeps one user per client; extra tokens are entries for other scopes, in its own localStorage format.
  async seedTokens(count) {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith('@@auth0spajs@@::') && !k.endsWith('@@user@@'));
    const key = keys.find((k) => k.split('::').length === 4);
    if (!key) throw new Error('sign in first');
    const entry = JSON.parse(localStorage.getItem(key)!);
    const [prefix, cid, audience, scope] = key.split('::');
    for (let i = 0; i < count; i++) {
      const s = `${scope} api://demo/seed${i}`;
      localStorage.setItem([prefix, cid, audience, s].join('::'), JSON.stringify({ ...entry, body: { ...entry.body, scope: s } }));
    }
    return count;
  },
});
