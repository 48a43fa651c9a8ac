import { PublicClientApplication } from 'keyward';
import { AuthProvider, useToken } from 'keyward/react';
import { useLayoutEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { config, tokenCommitted } from './react-common';

const { issuer, clientId, scopes } = config();
const app = new PublicClientApplication({ clientId, oidcAuthority: issuer, redirectUri: `${location.origin}/keyward.html` });

function Token() {
  const { token } = useToken(scopes);
  useLayoutEffect(() => {
    if (token) tokenCommitted();
  }, [token]);
  return <p>{token ? `token ${token.length}` : 'no token yet'}</p>;
}

createRoot(document.getElementById('root')!).render(
  <AuthProvider client={app}>
    <Token />
  </AuthProvider>,
);
