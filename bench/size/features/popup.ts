// The typical app plus a popup sign-in from a click: what the feature adds (the popup monitor and
// its COOP hand-back, src/client/browser/popupMonitor.ts; a redirect app never loads them).
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
document.getElementById('sign-in')?.addEventListener('click', () => app.acquireTokenInteractive({ scopes: ['api://demo/read'], interaction: 'popup' }));
