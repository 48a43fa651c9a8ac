// The bundle-cost app for oidc-client-ts + react-oidc-context, as react-oidc-context's README writes it.
import { createRoot } from 'react-dom/client';
import { AuthProvider, useAuth, withAuthenticationRequired } from 'react-oidc-context';

function Profile() {
  const auth = useAuth();
  // oidc-client-ts keeps the user's access token fresh itself (automaticSilentRenew, on by default).
  const token = auth.user?.access_token;
  const callApi = () => token && fetch('/api/profile', { headers: { Authorization: `Bearer ${token}` } });
  return (
    <main>
      <p>Signed in as {auth.user?.profile.preferred_username}</p>
      <button onClick={callApi} disabled={!token}>
        Call the API
      </button>
      <button onClick={() => auth.signoutRedirect()}>Sign out</button>
    </main>
  );
}

const GuardedProfile = withAuthenticationRequired(Profile, { OnRedirecting: () => <p>Signing in…</p> });

createRoot(document.getElementById('root')!).render(
  <AuthProvider
    authority="https://login.microsoftonline.com/common/v2.0"
    client_id="spa"
    redirect_uri={location.origin}
    scope="openid profile offline_access api://demo/read"
    onSigninCallback={() => history.replaceState({}, document.title, location.pathname)}
  >
    <GuardedProfile />
  </AuthProvider>,
);
