// The typical app plus the device code flow (RFC 8628) on a button: what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
document.getElementById('device')?.addEventListener('click', async () => {
  const flow = await app.initiateDeviceFlow(['api://demo/read']);
  document.getElementById('device')!.textContent = flow.message;
  await app.acquireTokenByDeviceFlow(flow);
});
