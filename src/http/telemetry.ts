import { sdkSku, sdkVersion } from '../version.js';

/**
 * API ids carried in `x-client-current-telemetry` (MSAL Python's numbering: the
 * `ClientApplication` attributes `ACQUIRE_TOKEN_*_ID`, `GET_ACCOUNTS_ID`, `REMOVE_ACCOUNT_ID`).
 * Each flow sends its own: an interactive sign-in 169, the code redemption an app drives itself 832.
 */
export const ApiId = {
  /** `acquireTokenSilent` (a refresh; cache hits send nothing). */
  acquireTokenSilent: 84,
  /** `acquireTokenByRefreshToken`. */
  acquireTokenByRefreshToken: 85,
  /** `acquireTokenInteractive` (popup or redirect sign-in). */
  acquireTokenInteractive: 169,
  /** `acquireTokenByUsernamePassword`. */
  acquireTokenByUsernamePassword: 301,
  /** `acquireTokenByDeviceFlow`. */
  acquireTokenByDeviceFlow: 622,
  /** `acquireTokenByAuthCodeFlow` / `acquireTokenByAuthorizationCode` (a code redemption the app drives). */
  acquireTokenByAuthCode: 832,
  /** keyward/server `acquireTokenOnBehalfOf`. */
  acquireTokenOnBehalfOf: 523,
  /** keyward/server `acquireTokenForClient`. */
  acquireTokenForClient: 730,
  /** `getAccounts` (logged, never sent). */
  getAccounts: 902,
  /** `removeAccount` (logged, never sent). */
  removeAccount: 903,
} as const;
/** One of the {@link ApiId} numbers. */
export type ApiIdValue = (typeof ApiId)[keyof typeof ApiId];

/**
 * MSAL Python's `ClientApplication` class attributes under their MSAL names and with MSAL's
 * (string) values, for code ported from MSAL. `ApiId` holds the same numbers in camelCase.
 */
export const MsalApiIds = {
  /** `ApiId.acquireTokenByAuthCode`. */
  ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID: '832',
  /** `ApiId.acquireTokenByDeviceFlow`. */
  ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID: '622',
  /** `ApiId.acquireTokenByRefreshToken`. */
  ACQUIRE_TOKEN_BY_REFRESH_TOKEN: '85',
  /** `ApiId.acquireTokenByUsernamePassword`. */
  ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID: '301',
  /** `ApiId.acquireTokenForClient`. */
  ACQUIRE_TOKEN_FOR_CLIENT_ID: '730',
  /** `ApiId.acquireTokenInteractive`. */
  ACQUIRE_TOKEN_INTERACTIVE: '169',
  /** `ApiId.acquireTokenOnBehalfOf`. */
  ACQUIRE_TOKEN_ON_BEHALF_OF_ID: '523',
  /** `ApiId.acquireTokenSilent`. */
  ACQUIRE_TOKEN_SILENT_ID: '84',
  /** `ApiId.getAccounts`. */
  GET_ACCOUNTS_ID: '902',
  /** `ApiId.removeAccount`. */
  REMOVE_ACCOUNT_ID: '903',
} as const satisfies Record<string, `${ApiIdValue}`>;

/** Why a token request went to the network (MSAL cache outcome). */
export const CacheOutcome = { notApplicable: 0, forceRefresh: 1, noAccessToken: 2, expired: 3, proactiveRefresh: 4 } as const;
export type CacheOutcomeValue = (typeof CacheOutcome)[keyof typeof CacheOutcome];

export interface TelemetryContext {
  appName?: string;
  appVersion?: string;
  correlationId: string;
}

/**
 * Library and app identification. In a browser these travel as query parameters on
 * /authorize and form fields on /token, as MSAL.js does: custom headers would force a
 * CORS preflight on every token call.
 */
export function telemetryParams(context: TelemetryContext): Record<string, string> {
  const params: Record<string, string> = {
    'x-client-SKU': sdkSku,
    'x-client-VER': sdkVersion,
    'client-request-id': context.correlationId,
  };
  if (context.appName) params['x-app-name'] = context.appName;
  if (context.appVersion) params['x-app-ver'] = context.appVersion;
  return params;
}

/**
 * `x-client-current-telemetry` in MSAL Python's schema 4: `4|{apiId},{cacheOutcome}|{platformFields}`.
 * Platform fields are empty except on keyward/server's regional requests (see its `region.ts`).
 */
export function currentTelemetry(apiId: ApiIdValue, cacheOutcome: CacheOutcomeValue = CacheOutcome.notApplicable, platformFields = ''): string {
  return `4|${apiId},${cacheOutcome}|${platformFields}`;
}
