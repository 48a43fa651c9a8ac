// The bundle-cost app for keyward: sign in (redirect), a guard, a token for an API call, sign out.
// Every app in this folder does the same four things, each written as its SDK's docs suggest.
import { createRoot } from 'react-dom/client';
import { AuthProvider, RequireAuth, useAuth, useToken } from 'keyward/react';

const scopes = ['api://demo/read'];

function Profile() {
  const { activeAccount, signOut } = useAuth();
  const { token } = useToken(scopes);
  const callApi = () => token && fetch('/api/profile', { headers: { Authorization: `Bearer ${token}` } });
  return (
    <main>
      <p>Signed in as {activeAccount?.username}</p>
      <button onClick={callApi} disabled={!token}>
        Call the API
      </button>
      <button onClick={() => signOut()}>Sign out</button>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <AuthProvider config={{ clientId: 'spa', authority: 'https://login.microsoftonline.com/common', redirectUri: location.origin }}>
    <RequireAuth scopes={scopes} loading={<p>Signing in…</p>}>
      <Profile />
    </RequireAuth>
  </AuthProvider>,
);
