import { ClientAuthError, ConfigurationError, ErrorCode, ServerError } from '../../errors.js';
import { ApiId, telemetryParams } from '../../http/telemetry.js';
import { parseJsonBody, send } from '../../http/transport.js';
import { tokenEndpointError } from '../../protocol/tokenResponse.js';
import { requestScopes } from '../../protocol/scopes.js';
import { randomUuid } from '../../util/random.js';
import { mergeClaims } from './claims.js';
import type { ClientContext } from '../context.js';
import { exchangeToken } from '../token/tokenExchange.js';
import type { AuthenticationResult } from '../../types.js';

/** A started device-code flow (RFC 8628 3.2), in our camelCase; show `message` to the person. */
export interface DeviceFlow {
  /** The short code the person types at `verificationUri`. */
  userCode: string;
  /** The device code keyward polls with; a secret: do not show or log it. */
  deviceCode: string;
  /** Where the person goes to enter `userCode` (e.g. `https://microsoft.com/devicelogin`). */
  verificationUri: string;
  /** A URL with the code filled in (for a QR code), when the provider sends one. */
  verificationUriComplete?: string;
  /** Seconds the codes live. */
  expiresIn: number;
  /** Seconds between polls. */
  interval: number;
  /** Instructions to show, as the provider wrote them (Entra sends one; otherwise keyward writes one). */
  message: string;
  /** Epoch milliseconds after which polling stops. */
  expiresAt: number;
  /** The scopes asked for. */
  scopes: string[];
  /** The authority the flow runs against. */
  authority: string;
}

/** Options of `initiateDeviceFlow`. */
export interface DeviceFlowOptions {
  /** A JSON claims request to send. */
  claimsChallenge?: string;
  /** Authority override, in the same family as the configured one. */
  authority?: string;
}

/** Options of `acquireTokenByDeviceFlow`. */
export interface DeviceFlowPollOptions {
  /** Aborting stops polling at once with `aborted`. */
  signal?: AbortSignal;
}

/** Starts the device authorization grant (RFC 8628; MSAL `initiate_device_flow`). */
export async function initiateDeviceFlow(ctx: ClientContext, scopes: readonly string[], options: DeviceFlowOptions = {}): Promise<DeviceFlow> {
  const resolved = await ctx.resolve(options.authority);
  const endpoint = resolved.metadata.deviceAuthorizationEndpoint;
  if (!endpoint)
    throw new ConfigurationError(
      ErrorCode.invalidMetadata,
      'This provider advertises no "device_authorization_endpoint"; the device code flow is not available.',
    );
  const sent = requestScopes(scopes, ctx.options.excludeScopes);
  const correlationId = randomUuid();
  const body = new URLSearchParams({
    client_id: ctx.clientId,
    scope: sent.join(' '),
    ...telemetryParams({ correlationId, appName: ctx.options.appName, appVersion: ctx.options.appVersion }),
  });
  const claims = mergeClaims(options.claimsChallenge, ctx.options.clientCapabilities);
  if (claims) body.set('claims', claims);
  if (resolved.authority.kind !== 'oidc') body.set('client_info', '1');
  const response = await send(ctx.transport, {
    url: endpoint,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
    body: body.toString(),
  });
  const json = parseJsonBody(response, endpoint, correlationId);
  if (response.status >= 400 || typeof json.error === 'string') throw tokenEndpointError(response, json, correlationId);
  const text = (name: string): string | undefined => (typeof json[name] === 'string' ? (json[name] as string) : undefined);
  const userCode = text('user_code');
  const deviceCode = text('device_code');
  const verificationUri = text('verification_uri') ?? text('verification_url');
  if (!userCode || !deviceCode || !verificationUri) {
    throw new ServerError(ErrorCode.invalidJson, 'The device authorization response lacks user_code, device_code or verification_uri.', {
      status: response.status,
      correlationId,
    });
  }
  const expiresIn = Number(json.expires_in) > 0 ? Number(json.expires_in) : 900;
  const interval = Number(json.interval) > 0 ? Number(json.interval) : 5; // RFC 8628 3.2 default
  const flow: DeviceFlow = {
    userCode,
    deviceCode,
    verificationUri,
    expiresIn,
    interval,
    message: text('message') ?? `To sign in, open ${verificationUri} in a browser and enter the code ${userCode}.`,
    expiresAt: Date.now() + expiresIn * 1000,
    scopes: sent,
    authority: resolved.authority.canonical,
  };
  const complete = text('verification_uri_complete');
  if (complete) flow.verificationUriComplete = complete;
  return flow;
}

/**
 * Polls the token endpoint until the person approves (RFC 8628 3.4-3.5): waits `interval`
 * between polls, adds 5 s on `slow_down`, keeps going on `authorization_pending`, and stops
 * with a typed error on `expired_token`, `access_denied` or an abort.
 */
export async function acquireTokenByDeviceFlow(ctx: ClientContext, flow: DeviceFlow, options: DeviceFlowPollOptions = {}): Promise<AuthenticationResult> {
  if (!flow || typeof flow.deviceCode !== 'string')
    throw new ClientAuthError(ErrorCode.invalidRequest, 'acquireTokenByDeviceFlow needs the flow returned by initiateDeviceFlow.');
  const resolved = await ctx.resolve(flow.authority);
  let interval = flow.interval;
  for (;;) {
    await wait(interval * 1000, options.signal);
    if (Date.now() >= flow.expiresAt) {
      // Stopped here, before the provider said so: still the provider's error code (RFC 8628 3.5), for one code path in apps.
      throw new ServerError('expired_token', 'The device code expired before the person approved it. Start a new device flow.', {});
    }
    try {
      return await exchangeToken(ctx, {
        resolved,
        grant: { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: flow.deviceCode },
        scopes: flow.scopes,
        claims: undefined,
        apiId: ApiId.acquireTokenByDeviceFlow,
        correlationId: randomUuid(),
        nonce: null,
        idTokenRequired: flow.scopes.includes('openid'),
        ...(options.signal && { signal: options.signal }),
      });
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
      if (error.errorCode === ErrorCode.authorizationPending) continue;
      if (error.errorCode === ErrorCode.slowDown) {
        interval += 5;
        continue;
      }
      throw error;
    }
  }
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): ClientAuthError => new ClientAuthError(ErrorCode.aborted, 'The device code flow was aborted; polling stopped.');
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
