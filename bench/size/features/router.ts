// The typical app plus a router guard (keyward/router, here a React Router loader): what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';
import { requireAuthLoader } from 'keyward/router';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
(globalThis as { loader?: unknown }).loader = requireAuthLoader(app, async () => ({ ok: true }), { scopes: ['api://demo/read'] });
