// The typical app plus OpenID Connect Session Management (monitorSession): what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', oidcAuthority: 'https://idp.example.com', monitorSession: true });
void app.initialize();
