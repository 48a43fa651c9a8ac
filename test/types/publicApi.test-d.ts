// Type tests of the public API (issue 17): the signatures apps program against. Checked by
// `npm run typecheck` (tsc over tsconfig.json, which includes test/), so a change to a public
// hook's or method's signature fails npm test here, with the line that no longer holds; no
// code in this file runs. `expectTypeOf` comes from vitest (compile-time assertions).
import type { ComponentType, ReactNode } from 'react';
import { expectTypeOf } from 'vitest';
import {
  type AccountInfo,
  type AuthClient,
  type AuthenticationResult,
  type AuthEvent,
  type AuthSnapshot,
  createAuthFetch,
  ErrorCode,
  type ErrorCodeValue,
  type InteractiveOptions,
  type KeywardError,
  type LogoutOptions,
  type PublicClientApplication,
  type SilentOptions,
  type TokenErrorResult,
} from 'keyward';
import {
  AuthProvider,
  type AuthProviderProps,
  Authenticated,
  RequireAuth,
  type RequireAuthProps,
  type TokenRequestOptions,
  useAccount,
  useAuth,
  useAuthEvents,
  useAuthFetch,
  useIsAuthenticated,
  useToken,
  useTokenSuspense,
  type UseAuthResult,
  type UseTokenResult,
  withRequireAuth,
} from 'keyward/react';
import { IndexedDbTokenCache, SerializableTokenCache, type TokenCache } from '../../src/cache/index.js';
import type { ConfidentialClientApplication, ServerAuthenticationResult } from '../../src/server/index.js';
import { createTestClient, type TestClient } from '../../src/testing/index.js';

declare const app: PublicClientApplication;
declare const account: AccountInfo;

// ---- PublicClientApplication: positional arguments, null from acquireTokenSilent, async getAccounts ----
expectTypeOf(app).toExtend<AuthClient>();
expectTypeOf(app.initialize).toEqualTypeOf<() => Promise<void>>();
expectTypeOf(app.handleRedirectPromise).returns.toEqualTypeOf<Promise<AuthenticationResult | null>>();
expectTypeOf(app.getAccounts).parameters.toEqualTypeOf<[username?: string]>();
expectTypeOf(app.getAccounts).returns.toEqualTypeOf<Promise<AccountInfo[]>>();
expectTypeOf(app.acquireTokenSilent).parameters.toEqualTypeOf<[scopes: readonly string[], account: AccountInfo, options?: SilentOptions]>();
expectTypeOf(app.acquireTokenSilent).returns.toEqualTypeOf<Promise<AuthenticationResult | null>>();
expectTypeOf(app.acquireTokenSilentWithError).returns.toEqualTypeOf<Promise<AuthenticationResult | TokenErrorResult | null>>();
expectTypeOf(app.acquireTokenInteractive).parameters.toEqualTypeOf<[options: InteractiveOptions]>();
expectTypeOf(app.acquireTokenInteractive).returns.toEqualTypeOf<Promise<AuthenticationResult>>();
expectTypeOf(app.logout).parameters.toEqualTypeOf<[options?: LogoutOptions]>();
expectTypeOf(app.removeAccount).parameters.toEqualTypeOf<[account: AccountInfo]>();
expectTypeOf(app.getSnapshot).returns.toEqualTypeOf<AuthSnapshot>();
expectTypeOf(app.subscribeSnapshot).toEqualTypeOf<(listener: () => void) => () => void>();
expectTypeOf(app.addEventCallback).parameters.toEqualTypeOf<[listener: (event: AuthEvent) => void]>();
expectTypeOf(app.setActiveAccount).parameters.toEqualTypeOf<[account: AccountInfo | null]>();
expectTypeOf(app.close).toEqualTypeOf<() => Promise<void>>();
expectTypeOf(app[Symbol.asyncDispose]).toEqualTypeOf<() => Promise<void>>();
expectTypeOf(app.clientId).toEqualTypeOf<string>();
// msal-browser's request-object style is not keyward's.
// @ts-expect-error acquireTokenSilent takes scopes and an account, not a request object
app.acquireTokenSilent({ scopes: ['User.Read'], account });
// @ts-expect-error there is no loginPopup: acquireTokenInteractive({ interaction: 'popup' })
app.loginPopup();
expectTypeOf<InteractiveOptions['interaction']>().toEqualTypeOf<'redirect' | 'popup'>();
expectTypeOf<AuthSnapshot['status']>().toEqualTypeOf<'initializing' | 'idle' | 'interacting'>();
expectTypeOf<AuthSnapshot['activeAccount']>().toEqualTypeOf<AccountInfo | null>();
expectTypeOf(createAuthFetch).returns.toEqualTypeOf<typeof fetch>();

// ---- errors ----
expectTypeOf(ErrorCode.stateMismatch).toEqualTypeOf<'state_mismatch'>();
expectTypeOf(ErrorCode.nodeForgeMissing).toEqualTypeOf<'node_forge_missing'>();
expectTypeOf<'popup_window_error'>().toExtend<ErrorCodeValue>();
expectTypeOf<KeywardError['correlationId']>().toEqualTypeOf<string | undefined>();

// ---- React: hooks and components ----
expectTypeOf(useAuth).toEqualTypeOf<() => UseAuthResult>();
expectTypeOf<UseAuthResult['accounts']>().toEqualTypeOf<readonly AccountInfo[]>();
expectTypeOf<UseAuthResult['activeAccount']>().toEqualTypeOf<AccountInfo | null>();
expectTypeOf<UseAuthResult['signIn']>().returns.toEqualTypeOf<Promise<AuthenticationResult>>();
expectTypeOf<UseAuthResult['signOut']>().returns.toEqualTypeOf<Promise<void>>();
expectTypeOf(useToken).parameters.toEqualTypeOf<[scopes: readonly string[], options?: TokenRequestOptions]>();
expectTypeOf(useToken).returns.toEqualTypeOf<UseTokenResult>();
expectTypeOf<UseTokenResult['status']>().toEqualTypeOf<'idle' | 'loading' | 'success' | 'error'>();
expectTypeOf<UseTokenResult['token']>().toEqualTypeOf<string | null>();
expectTypeOf<UseTokenResult['acquireInteractively']>().returns.toEqualTypeOf<Promise<AuthenticationResult | null>>();
expectTypeOf(useTokenSuspense).returns.toEqualTypeOf<{ token: string; result: AuthenticationResult }>();
expectTypeOf(useAccount).returns.toEqualTypeOf<AccountInfo | null>();
expectTypeOf(useIsAuthenticated).returns.toEqualTypeOf<boolean>();
expectTypeOf(useAuthFetch).returns.toEqualTypeOf<typeof fetch>();
expectTypeOf(useAuthEvents).parameters.toEqualTypeOf<[callback: (event: AuthEvent) => void]>();
expectTypeOf(AuthProvider).parameters.toEqualTypeOf<[props: AuthProviderProps]>();
expectTypeOf(AuthProvider).returns.toEqualTypeOf<ReactNode>();
expectTypeOf(RequireAuth).parameters.toEqualTypeOf<[RequireAuthProps]>();
expectTypeOf(Authenticated).returns.toEqualTypeOf<ReactNode>();
expectTypeOf(withRequireAuth<{ id: string }>).returns.toEqualTypeOf<ComponentType<{ id: string }>>();
// AuthProvider takes a client or a config, not both.
// @ts-expect-error client and config together
expectTypeOf<AuthProviderProps>().toExtend<{ client: AuthClient; config: { clientId: string } }>();

// ---- keyward/cache, keyward/testing, keyward/server ----
expectTypeOf(new IndexedDbTokenCache()).toExtend<TokenCache>();
expectTypeOf(new SerializableTokenCache().serialize).returns.toEqualTypeOf<string>();
expectTypeOf(createTestClient()).toEqualTypeOf<TestClient>();
expectTypeOf(createTestClient()).toExtend<AuthClient>();
expectTypeOf<ConfidentialClientApplication['acquireTokenForClient']>().returns.toEqualTypeOf<Promise<ServerAuthenticationResult>>();
