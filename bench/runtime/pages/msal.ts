import { ProtocolMode, PublicClientApplication, SignedHttpRequest, type AccountInfo, type Configuration } from '@azure/msal-browser';
import { config, install, proofRate } from './common';

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
/** MSAL's cache manager (not public API; used only to seed extra entries through MSAL's own storage code). */
const internalStorage = (): any => (pca as any).controller.browserStorage;

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
  async refresh() {
    const result = await pca.acquireTokenSilent({ scopes, account: account!, forceRefresh: true });
    return result.accessToken;
  },
  // Extra access tokens (other scopes) go through MSAL's own cache code (its BrowserCacheManager
  // writes them encrypted to localStorage, as it does for real tokens). Its public
  // loadExternalTokens re-initializes (decrypts) the whole cache per call: too slow for 1,000.
  async seedTokens(count) {
    const storage = internalStorage();
    const at = storage.getAccessTokenCredential(storage.getTokenKeys().accessToken[0], 'seed');
    for (let i = 0; i < count; i++) await storage.setAccessTokenCredential({ ...at, target: `api://demo/seed${i}` }, 'seed', false);
    return storage.getTokenKeys().accessToken.length;
  },
  // 100 accounts, each with its id_token and access tokens, cloned from the signed-in ones through MSAL's own cache code.
  async seedAccounts(accounts, perAccount) {
    const storage = internalStorage();
    const keys = storage.getTokenKeys();
    const account = storage.getAccount(storage.getAccountKeys()[0], 'seed');
    const idToken = storage.getIdTokenCredential(keys.idToken[0], 'seed');
    const at = storage.getAccessTokenCredential(keys.accessToken[0], 'seed');
    for (let a = 0; a < accounts; a++) {
      const home = a === 0 ? account.homeAccountId : `seed${a}-${account.homeAccountId}`;
      if (a > 0) {
        await storage.setAccount({ ...account, homeAccountId: home, localAccountId: `seed${a}`, username: `seed${a}@example.test` }, 'seed', false, 0);
        await storage.setIdTokenCredential({ ...idToken, homeAccountId: home }, 'seed', false);
      }
      for (let i = 0; i < perAccount; i++) await storage.setAccessTokenCredential({ ...at, homeAccountId: home, target: `api://demo/seed${i}` }, 'seed', false);
    }
    return storage.getTokenKeys().accessToken.length;
  },
  extra: {
    /** Access tokens MSAL holds after its initialize() (its decrypted in-memory copy of localStorage). */
    async tokenCount() {
      return internalStorage().getTokenKeys().accessToken.length;
    },
    /**
     * MSAL's public Signed HTTP Request signer (its AT-PoP proof) on its own, no token lookup:
     * per call msal-common's PopTokenGenerator.signPayload (key pair from its in-memory key
     * cache, public JWK exported, SHR header and payload, crypto.subtle.sign).
     */
    async proofs(_type: 'pop', n: number, warmup: number, floor = true) {
      const shr = new SignedHttpRequest({ resourceRequestMethod: 'GET', resourceRequestUri: api! });
      const kid = await shr.generatePublicKeyThumbprint();
      const token = (await pca.acquireTokenSilent({ scopes, account: account! })).accessToken;
      return proofRate(() => shr.signRequest(token, kid), n, warmup, floor ? 'RS256' : undefined);
    },
  },
});
