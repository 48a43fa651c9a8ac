// The typical app plus createAuthFetch (Bearer) for one API call: what the feature adds.
import '../apps/keyward';
import { createAuthFetch, PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
const apiFetch = createAuthFetch(app, { scopes: ['api://demo/read'] });
document.getElementById('call')?.addEventListener('click', () => apiFetch('/api/profile'));
