// The bundle-cost app for @azure/msal-browser + @azure/msal-react, as Microsoft's React samples write it.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { InteractionRequiredAuthError, InteractionType, PublicClientApplication } from '@azure/msal-browser';
import { MsalAuthenticationTemplate, MsalProvider, useMsal } from '@azure/msal-react';

const scopes = ['api://demo/read'];
const msal = new PublicClientApplication({
  auth: { clientId: 'spa', authority: 'https://login.microsoftonline.com/common', redirectUri: location.origin },
});

function Profile() {
  const { instance, accounts } = useMsal();
  const account = accounts[0];
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    if (!account) return;
    instance
      .acquireTokenSilent({ scopes, account })
      .then((result) => setToken(result.accessToken))
      .catch((error: unknown) => {
        if (error instanceof InteractionRequiredAuthError) return instance.acquireTokenRedirect({ scopes, account });
        throw error;
      });
  }, [instance, account]);
  const callApi = () => token && fetch('/api/profile', { headers: { Authorization: `Bearer ${token}` } });
  return (
    <main>
      <p>Signed in as {account?.username}</p>
      <button onClick={callApi} disabled={!token}>
        Call the API
      </button>
      <button onClick={() => instance.logoutRedirect()}>Sign out</button>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <MsalProvider instance={msal}>
    <MsalAuthenticationTemplate interactionType={InteractionType.Redirect} authenticationRequest={{ scopes }} loadingComponent={() => <p>Signing in…</p>}>
      <Profile />
    </MsalAuthenticationTemplate>
  </MsalProvider>,
);
