// The typical app against a provider that advertises a revocation_endpoint (RFC 7009): what
// revoking at sign-out adds. Entra ID advertises none, so the typical app never loads it.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'https://idp.example.com' });
document.getElementById('sign-out')?.addEventListener('click', () => app.logout());
