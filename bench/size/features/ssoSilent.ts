// The typical app plus a hidden-iframe sign-in (ssoSilent) on start: what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
void app.ssoSilent({ scopes: ['api://demo/read'], loginHint: 'someone@example.com' });
