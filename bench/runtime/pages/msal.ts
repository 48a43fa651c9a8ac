import { loadExternalTokens, ProtocolMode, PublicClientApplication, SignedHttpRequest, type AccountInfo, type Configuration } from '@azure/msal-browser';
import { config, install, unsignedJwt } from './common';

const { issuer, clientId, scopes, api } = config();
const host = new URL(issuer).host;
// localStorage: MSAL's persistent, cross-tab cache (encrypted at rest since msal-browser 4), the counterpart of keyward's IndexedDB cache.
const msalConfig: Configuration = {
  auth: { clientId, authority: `${issuer}/`, knownAuthorities: [host], redirectUri: `${location.origin}${location.pathname}` },
  cache: { cacheLocation: 'localStorage' },
  system: { protocolMode: ProtocolMode.OIDC },
};
const pca = new PublicClientApplication(msalConfig);
let account: AccountInfo | undefined;
let initialized: Promise<void> | undefined;
const init = () => (initialized ??= pca.initialize());

install({
  name: 'msal',
  async handleRedirect() {
    await init();
    if (!/[?#&](code|error)=/.test(location.href)) return false;
    return (await pca.handleRedirectPromise()) !== null;
  },
  async boot() {
    await init();
    const accounts = pca.getAllAccounts();
    account = accounts[0];
    return accounts.length;
  },
  signIn: () => pca.loginRedirect({ scopes }),
  async silent() {
    const result = await pca.acquireTokenSilent({ scopes, account: account! });
    return result.accessToken;
  },
  // MSAL's public API for putting tokens in its cache: loadExternalTokens (one response per call).
  async seedTokens(count) {
    const first = await pca.acquireTokenSilent({ scopes, account: account! });
    for (let i = 0; i < count; i++) {
      await loadExternalTokens(msalConfig, { scopes: [`api://demo/seed${i}`], account: account!, authority: `${issuer}/` }, { token_type: 'Bearer', access_token: first.accessToken, expires_in: 3600, scope: `api://demo/seed${i}` }, {});
    }
    return count;
  },
  async seedAccounts(accounts, perAccount) {
    const first = await pca.acquireTokenSilent({ scopes, account: account! });
    const now = Math.floor(Date.now() / 1000);
    for (let a = 0; a < accounts; a++) {
      const idToken = unsignedJwt({ iss: issuer, aud: clientId, sub: `seed${a}`, preferred_username: `seed${a}@example.test`, name: `Seed ${a}`, iat: now, exp: now + 86400 });
      for (let i = 0; i < perAccount; i++) {
        await loadExternalTokens(msalConfig, { scopes: [`api://demo/seed${i}`], authority: `${issuer}/` }, { token_type: 'Bearer', id_token: idToken, access_token: first.accessToken, expires_in: 3600, scope: `api://demo/seed${i}` }, {});
      }
    }
    return accounts * perAccount;
  },
  extra: {
    /** MSAL's public Signed HTTP Request signer (its AT-PoP proof), on its own: no token request. */
    async proofs(_type: 'pop', n: number, warmup: number) {
      const shr = new SignedHttpRequest({ resourceRequestMethod: 'GET', resourceRequestUri: api! });
      const kid = await shr.generatePublicKeyThumbprint();
      const token = (await pca.acquireTokenSilent({ scopes, account: account! })).accessToken;
      for (let i = 0; i < warmup; i++) await shr.signRequest(token, kid);
      const seen = new Set<string>();
      const started = performance.now();
      for (let i = 0; i < n; i++) seen.add(await shr.signRequest(token, kid));
      const ms = performance.now() - started;
      return { ms, perSecond: (n / ms) * 1000, distinct: seen.size };
    },
  },
});
