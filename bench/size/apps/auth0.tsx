// The bundle-cost app for @auth0/auth0-spa-js + @auth0/auth0-react, as Auth0's React quickstart writes it.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Auth0Provider, useAuth0, withAuthenticationRequired } from '@auth0/auth0-react';

function Profile() {
  const { user, getAccessTokenSilently, logout } = useAuth0();
  const [token, setToken] = useState<string>();
  useEffect(() => {
    getAccessTokenSilently().then(setToken, () => setToken(undefined));
  }, [getAccessTokenSilently]);
  const callApi = () => token && fetch('/api/profile', { headers: { Authorization: `Bearer ${token}` } });
  return (
    <main>
      <p>Signed in as {user?.email}</p>
      <button onClick={callApi} disabled={!token}>
        Call the API
      </button>
      <button onClick={() => logout({ logoutParams: { returnTo: location.origin } })}>Sign out</button>
    </main>
  );
}

const GuardedProfile = withAuthenticationRequired(Profile, { onRedirecting: () => <p>Signing in…</p> });

createRoot(document.getElementById('root')!).render(
  <Auth0Provider
    domain="example.eu.auth0.com"
    clientId="spa"
    authorizationParams={{ redirect_uri: location.origin, audience: 'api://demo', scope: 'openid profile offline_access read' }}
  >
    <GuardedProfile />
  </Auth0Provider>,
);
