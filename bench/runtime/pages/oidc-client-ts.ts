import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { config, install } from './common';

const { issuer, clientId, scopes } = config();
// localStorage user store: persistent and shared by tabs, the counterpart of keyward's IndexedDB cache.
const manager = new UserManager({
  authority: issuer,
  client_id: clientId,
  redirect_uri: `${location.origin}${location.pathname}`,
  scope: ['openid', 'profile', 'offline_access', ...scopes].join(' '),
  userStore: new WebStorageStateStore({ store: localStorage }),
  automaticSilentRenew: false,
  loadUserInfo: false,
});

/**
 * oidc-client-ts has no silent-token call with a cache: the app reads the stored User
 * (`getUser()`) and, when its access token has expired, renews with `signinSilent()`
 * (refresh token grant when the User has one). That is what react-oidc-context does too.
 */
async function silent(): Promise<string> {
  let user: User | null = await manager.getUser();
  if (!user) throw new Error('no user');
  if (user.expired !== false) user = await manager.signinSilent();
  if (!user) throw new Error('no user after renew');
  return user.access_token;
}

install({
  name: 'oidc-client-ts',
  async handleRedirect() {
    if (!/[?#&](code|error)=/.test(location.href)) return false;
    await manager.signinRedirectCallback();
    history.replaceState(null, '', location.pathname);
    return true;
  },
  async boot() {
    const user = await manager.getUser();
    return user ? 1 : 0;
  },
  signIn: () => manager.signinRedirect(),
  silent,
  // signinSilent() renews with the stored User's refresh token (refresh_token grant).
  async refresh() {
    const user = await manager.signinSilent();
    if (!user) throw new Error('no user after renew');
    return user.access_token;
  },
});
