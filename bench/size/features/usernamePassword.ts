// The typical app plus the resource-owner password grant: what the feature adds.
import '../apps/keyward';
import { PublicClientApplication } from 'keyward';

const app = new PublicClientApplication({ clientId: 'spa', authority: 'https://login.microsoftonline.com/common' });
document.querySelector('form')?.addEventListener('submit', (event) => {
  const form = new FormData(event.target as HTMLFormElement);
  void app.acquireTokenByUsernamePassword(String(form.get('user')), String(form.get('password')), ['api://demo/read']);
});
