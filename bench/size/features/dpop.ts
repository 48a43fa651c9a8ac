// The typical app plus a DPoP-bound token (RFC 9449) for one API call: what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
document.getElementById('dpop')?.addEventListener('click', async () => {
  const [account] = await app.getAccounts();
  const url = '/api/profile';
  const result = account && (await app.acquireTokenSilent(['api://demo/read'], account, { authScheme: { type: 'dpop', method: 'GET', url } }));
  if (result?.dpopProof) await fetch(url, { headers: { Authorization: `DPoP ${result.accessToken}`, DPoP: result.dpopProof } });
});
