import { Auth0Provider, useAuth0 } from '@auth0/auth0-react';
import { useEffect, useLayoutEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { config, tokenCommitted } from './react-common';

const { issuer, clientId, scopes } = config();

// auth0-react's documented pattern: getAccessTokenSilently in an effect once authenticated.
function Token() {
  const { isAuthenticated, getAccessTokenSilently } = useAuth0();
  const [token, setToken] = useState<string>();
  useEffect(() => {
    if (isAuthenticated && !token) void getAccessTokenSilently().then(setToken);
  }, [isAuthenticated, getAccessTokenSilently, token]);
  useLayoutEffect(() => {
    if (token) tokenCommitted();
  }, [token]);
  return <p>{token ? `token ${token.length}` : 'no token yet'}</p>;
}

createRoot(document.getElementById('root')!).render(
  <Auth0Provider
    domain={issuer}
    issuer={issuer}
    clientId={clientId}
    cacheLocation="localstorage"
    useRefreshTokens
    useRefreshTokensFallback={false}
    authorizationParams={{ redirect_uri: `${location.origin}/auth0.html`, scope: ['openid', 'profile', 'offline_access', ...scopes].join(' ') }}
  >
    <Token />
  </Auth0Provider>,
);
