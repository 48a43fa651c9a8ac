import { InteractionStatus, ProtocolMode, PublicClientApplication } from '@azure/msal-browser';
import { MsalProvider, useMsal } from '@azure/msal-react';
import { useEffect, useLayoutEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { config, tokenCommitted } from './react-common';

const { issuer, clientId, scopes } = config();
const pca = new PublicClientApplication({
  auth: { clientId, authority: `${issuer}/`, knownAuthorities: [new URL(issuer).host], redirectUri: `${location.origin}/msal.html` },
  cache: { cacheLocation: 'localStorage' },
  system: { protocolMode: ProtocolMode.OIDC },
});

// msal-react's documented pattern: once no interaction is in progress, acquireTokenSilent for the account.
function Token() {
  const { instance, accounts, inProgress } = useMsal();
  const [token, setToken] = useState<string>();
  useEffect(() => {
    const account = accounts[0];
    if (inProgress !== InteractionStatus.None || !account || token) return;
    void instance.acquireTokenSilent({ scopes, account }).then((result) => setToken(result.accessToken));
  }, [instance, accounts, inProgress, token]);
  useLayoutEffect(() => {
    if (token) tokenCommitted();
  }, [token]);
  return <p>{token ? `token ${token.length}` : 'no token yet'}</p>;
}

createRoot(document.getElementById('root')!).render(
  <MsalProvider instance={pca}>
    <Token />
  </MsalProvider>,
);
