/**
 * The `npm start` playground: keyward/react against the bundled local provider (or the provider
 * named by VITE_KEYWARD_* variables) and a protected API that verifies what it is sent.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { PublicClientApplicationOptions } from '../src/index.js';
import { AuthProvider } from '../src/react/index.js';
import { App, type Settings } from './App.js';

const env = import.meta.env;
const clientId = env.VITE_KEYWARD_CLIENT_ID ?? 'spa';
const provider = env.VITE_KEYWARD_AUTHORITY ?? env.VITE_KEYWARD_OIDC_AUTHORITY ?? 'http://127.0.0.1:4000';
const config: PublicClientApplicationOptions = {
  clientId,
  redirectUri: `${location.origin}/`,
  postLogoutRedirectUri: `${location.origin}/`,
  ...(env.VITE_KEYWARD_AUTHORITY ? { authority: env.VITE_KEYWARD_AUTHORITY } : { oidcAuthority: provider }),
};
const settings: Settings = {
  provider,
  clientId,
  scopes: (env.VITE_KEYWARD_SCOPES ?? 'api://demo/read').split(' ').filter(Boolean),
  api: env.VITE_KEYWARD_API,
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider config={config}>
      <App settings={settings} />
    </AuthProvider>
  </StrictMode>,
);
