// The typical app plus pushed authorization requests (RFC 9126) on a popup sign-in: what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'https://idp.example.com', pushedAuthorizationRequests: true });
document.getElementById('sign-in')?.addEventListener('click', () => app.acquireTokenInteractive({ scopes: ['api://demo/read'], interaction: 'popup' }));
