import type { AuthSnapshot } from './state/authStore.js';
import type { InteractiveOptions } from './flows/interactive.js';
import type { LogoutOptions } from './flows/logout.js';
import type { AccountInfo, AuthenticationResult } from './token/results.js';
import type { SilentOptions } from './flows/silent.js';

/**
 * What the React layer (and `createAuthFetch`) need of a client. `PublicClientApplication`
 * implements it; so does `createTestClient` from `keyward/testing`, for tests and stories
 * without a provider.
 */
export interface AuthClient {
  initialize(): Promise<void>;
  getSnapshot(): AuthSnapshot;
  subscribeSnapshot(listener: () => void): () => void;
  setActiveAccount(account: AccountInfo | null): void;
  getAccounts(username?: string): Promise<AccountInfo[]>;
  acquireTokenSilent(scopes: string[], account: AccountInfo, options?: SilentOptions): Promise<AuthenticationResult | null>;
  acquireTokenInteractive(options: InteractiveOptions): Promise<AuthenticationResult>;
  logout(options?: LogoutOptions): Promise<void>;
}
