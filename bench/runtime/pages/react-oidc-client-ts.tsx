import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { useLayoutEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider, useAuth } from 'react-oidc-context';
import { config, tokenCommitted } from './react-common';

const { issuer, clientId, scopes } = config();
const manager = new UserManager({
  authority: issuer,
  client_id: clientId,
  redirect_uri: `${location.origin}/oidc-client-ts.html`,
  scope: ['openid', 'profile', 'offline_access', ...scopes].join(' '),
  userStore: new WebStorageStateStore({ store: localStorage }),
  automaticSilentRenew: false,
  loadUserInfo: false,
});

function Token() {
  const token = useAuth().user?.access_token;
  useLayoutEffect(() => {
    if (token) tokenCommitted();
  }, [token]);
  return <p>{token ? `token ${token.length}` : 'no token yet'}</p>;
}

createRoot(document.getElementById('root')!).render(
  <AuthProvider userManager={manager}>
    <Token />
  </AuthProvider>,
);
