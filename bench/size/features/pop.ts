// The typical app plus an MSAL AT-PoP Signed HTTP Request for one API call: what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
document.getElementById('pop')?.addEventListener('click', async () => {
  const [account] = await app.getAccounts();
  const url = '/api/profile';
  const result = account && (await app.acquireTokenSilent(['api://demo/read'], account, { authScheme: { type: 'pop', method: 'GET', url } }));
  if (result) await fetch(url, { headers: { Authorization: `PoP ${result.accessToken}` } });
});
