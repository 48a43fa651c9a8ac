import { createAuthFetch, PublicClientApplication, type AccountInfo } from 'keyward';
import { IndexedDbTokenCache, type AccessTokenEntity, type CacheData } from 'keyward/cache';
import { createDpopProof } from '../../../src/pop/dpopProof';
import { PopKeyStore } from '../../../src/pop/keyStore';
import { createSignedHttpRequest } from '../../../src/pop/signedHttpRequest';
import { config, install, proofRate } from './common';

const { issuer, clientId, scopes, dpop, api } = config();
const cache = new IndexedDbTokenCache({ databaseName: dpop ? 'keyward-dpop' : 'keyward' });
const app = new PublicClientApplication({
  clientId,
  oidcAuthority: issuer,
  redirectUri: `${location.origin}${location.pathname}`,
  tokenCache: cache,
  ...(dpop && { dpop: true }),
});
let account: AccountInfo | undefined;

const lower = (...parts: string[]) => parts.join('-').toLowerCase();
/** MSAL unified-cache key of an access token (src/cache/keys.ts). */
const atKey = (t: AccessTokenEntity) => lower(t.home_account_id, t.environment, 'accesstoken', t.client_id, t.realm, t.target);

/** Clones of the signed-in account's entries with other scopes / other accounts, written through the public TokenCache API. */
function cloneChange(data: Readonly<CacheData>, accounts: number, perAccount: number): Parameters<IndexedDbTokenCache['apply']>[0] {
  const [account0] = Object.values(data.Account);
  const [idToken0] = Object.values(data.IdToken);
  const at0 = Object.values(data.AccessToken).find((t) => t.credential_type === 'AccessToken');
  if (!account0 || !idToken0 || !at0) throw new Error('sign in first');
  const set: Required<Pick<CacheData, 'Account' | 'IdToken' | 'AccessToken'>> = { Account: {}, IdToken: {}, AccessToken: {} };
  for (let a = 0; a < accounts; a++) {
    const home = a === 0 ? account0.home_account_id : `seed${a}-${account0.home_account_id}`;
    if (a > 0) {
      const acc = { ...account0, home_account_id: home, local_account_id: `seed${a}`, username: `seed${a}@example.test` };
      set.Account[lower(home, acc.environment, acc.realm)] = acc;
      const idt = { ...idToken0, home_account_id: home };
      set.IdToken[lower(home, idt.environment, 'idtoken', idt.client_id, idt.realm, '')] = idt;
    }
    for (let i = 0; i < perAccount; i++) {
      const at = { ...at0, home_account_id: home, target: `api://demo/seed${i}` };
      set.AccessToken[atKey(at)] = at;
    }
  }
  return { set };
}

install({
  name: 'keyward',
  async handleRedirect() {
    if (!/[?#&](code|error)=/.test(location.href)) return false;
    return (await app.handleRedirectPromise()) !== null;
  },
  // Who is signed in, synchronously (the cache's clear account index; no claims yet) …
  async boot() {
    const accounts = app.getAllAccounts();
    account = accounts[0];
    return accounts.length;
  },
  // … and the same accounts with their id_token claims, once the cache has loaded.
  async bootClaims() {
    const accounts = await app.getAccounts();
    account = accounts[0];
  },
  signIn: () => app.acquireTokenInteractive({ scopes, interaction: 'redirect' }).then(() => undefined),
  async silent() {
    const result = await app.acquireTokenSilent(scopes, account!);
    if (!result) throw new Error('no token');
    return result.accessToken;
  },
  async refresh() {
    const result = await app.acquireTokenSilent(scopes, account!, { forceRefresh: true });
    if (!result) throw new Error('no token');
    return result.accessToken;
  },
  async seedTokens(count) {
    // Tokens are unsealed on an account's first use: make all of them readable before cloning.
    await cache.openAll();
    const change = cloneChange(cache.read(), 1, count);
    await cache.apply(change);
    return Object.keys(cache.read().AccessToken).length;
  },
  async seedAccounts(accounts, perAccount) {
    await cache.openAll();
    await cache.apply(cloneChange(cache.read(), accounts, perAccount));
    return Object.keys(cache.read().AccessToken).length;
  },
  extra: {
    /** Every account's tokens unsealed, as if each had been used once. */
    async useAll() {
      await cache.openAll();
    },
    async tokenCount() {
      return Object.keys(cache.read().AccessToken).length;
    },
    /**
     * `n` cache-hit calls with a proof scheme: each returns a fresh proof (DPoP) or Signed HTTP
     * Request (PoP). `pop-signer` / `dpop-signer`: keyward's signer on its own, no token lookup
     * (the work msal's `SignedHttpRequest.signRequest` does: key from the in-memory key store,
     * header and payload, signature); internal modules, as keyward has no public standalone signer.
     */
    async proofs(type: 'dpop' | 'pop' | 'bearer' | 'pop-signer' | 'dpop-signer', n: number, warmup: number, floor = true) {
      if (type === 'pop-signer' || type === 'dpop-signer') {
        const keys = new PopKeyStore(clientId);
        const token = (await app.acquireTokenSilent(scopes, account!))!.accessToken;
        const url = api!;
        return type === 'pop-signer'
          ? proofRate(
              async () => createSignedHttpRequest(await keys.get('pop'), { accessToken: token, method: 'GET', url }),
              n,
              warmup,
              floor ? 'RS256' : undefined,
            )
          : proofRate(
              async () => createDpopProof(await keys.get('dpop'), { htm: 'GET', htu: url, accessToken: token }),
              n,
              warmup,
              floor ? 'ES256' : undefined,
            );
      }
      const authScheme = type === 'bearer' ? undefined : { type, method: 'GET', url: api! };
      return proofRate(
        async () => {
          const result = await app.acquireTokenSilent(scopes, account!, authScheme ? { authScheme } : {});
          return type === 'dpop' ? result!.dpopProof! : result!.accessToken;
        },
        n,
        warmup,
        !floor ? undefined : type === 'pop' ? 'RS256' : type === 'dpop' ? 'ES256' : undefined,
      );
    },
    /**
     * `n` pairs, alternating which goes first: a plain fetch carrying the same access token as a
     * fixed `Authorization: Bearer` header, and createAuthFetch with `type`. Each pair's
     * difference is the added latency (token lookup, proof signing, and the server's extra checks).
     */
    async fetches(type: 'bearer' | 'dpop' | 'pop', n: number) {
      const token = (await app.acquireTokenSilent(scopes, account!))?.accessToken;
      const plain = () => fetch(api!, { headers: { Authorization: `Bearer ${token}` } });
      const authFetch = createAuthFetch(app, { scopes, scheme: type, allowedOrigins: [new URL(api!).origin] });
      const time = async (call: () => Promise<Response>) => {
        const t = performance.now();
        const response = await call();
        await response.text();
        return { ms: performance.now() - t, status: response.status };
      };
      const plainTimes: number[] = [];
      const authTimes: number[] = [];
      const deltas: number[] = [];
      let plainStatus = 0;
      let authStatus = 0;
      for (let i = 0; i < n + 5; i++) {
        const first = i % 2 === 0;
        const a = first ? await time(plain) : undefined;
        const b = await time(() => authFetch(api!));
        const c = first ? a! : await time(plain);
        plainStatus = c.status;
        authStatus = b.status;
        if (i < 5) continue;
        plainTimes.push(c.ms);
        authTimes.push(b.ms);
        deltas.push(b.ms - c.ms);
      }
      return { plainTimes, authTimes, deltas, plainStatus, authStatus };
    },
  },
});
