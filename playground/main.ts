/**
 * The `npm start` playground: signs in against the bundled local provider (or the
 * provider named by VITE_KEYWARD_* variables) and shows what keyward returns.
 */
import { type AccountInfo, type AuthenticationResult, PublicClientApplication } from '../src/index.js';

const env = import.meta.env;
const scopes = (env.VITE_KEYWARD_SCOPES ?? 'api://demo/read').split(' ');
const app = new PublicClientApplication(
  env.VITE_KEYWARD_AUTHORITY
    ? { clientId: env.VITE_KEYWARD_CLIENT_ID ?? 'spa', authority: env.VITE_KEYWARD_AUTHORITY }
    : { clientId: env.VITE_KEYWARD_CLIENT_ID ?? 'spa', oidcAuthority: env.VITE_KEYWARD_OIDC_AUTHORITY ?? 'http://127.0.0.1:4000' },
);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
$('authority').textContent = `Provider: ${env.VITE_KEYWARD_AUTHORITY ?? env.VITE_KEYWARD_OIDC_AUTHORITY ?? 'http://127.0.0.1:4000 (bundled oidc-provider)'} · scopes: ${scopes.join(' ')}`;

function show(value: unknown): void {
  $('output').textContent = JSON.stringify(value, (key, v: unknown) => (key === 'accessToken' || key === 'idToken') && typeof v === 'string' ? `${v.slice(0, 24)}…` : v, 2);
}

async function render(): Promise<AccountInfo | undefined> {
  const [account] = await app.getAccounts();
  $('who').textContent = account ? `Signed in as ${account.name ?? account.username} (${account.username})` : 'Nobody is signed in.';
  for (const id of ['silent', 'refresh', 'logout']) $<HTMLButtonElement>(id).disabled = !account;
  return account;
}

async function run(action: () => Promise<AuthenticationResult | null | void>): Promise<void> {
  try {
    const result = await action();
    if (result) show({ ...result, expiresOn: result.expiresOn.toISOString() });
  } catch (error) {
    const e = error as { name?: string; errorCode?: string; message?: string };
    show({ error: e.name, errorCode: e.errorCode, message: e.message });
  }
  await render();
}

$('popup').onclick = () => run(() => app.acquireTokenInteractive({ scopes, interaction: 'popup' }));
$('redirect').onclick = () => run(() => app.acquireTokenInteractive({ scopes, interaction: 'redirect' }));
$('silent').onclick = () => run(async () => app.acquireTokenSilent(scopes, (await render())!));
$('refresh').onclick = () => run(async () => app.acquireTokenSilent(scopes, (await render())!, { forceRefresh: true }));
$('logout').onclick = () => run(async () => app.logout({ account: (await render())!, interaction: 'popup' }));

void run(() => app.handleRedirectPromise());
