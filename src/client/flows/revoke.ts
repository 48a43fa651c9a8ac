import { ErrorCode, KeywardError, ServerError } from '../../errors.js';
import { send } from '../../http/transport.js';
import { buildRevocationRequest, checkRevocationResponse, type RevocableTokenType } from '../../protocol/revocation.js';
import type { ClientContext } from '../context.js';

/** One token to revoke, read from the cache before the sign-out removes it. */
export interface RevocableToken {
  type: RevocableTokenType;
  secret: string;
  environment: string;
}

/**
 * A revocation waits at most this long (or the client's `timeout`, if shorter): it runs
 * during a sign-out, and a provider that does not answer must not hold the sign-out up.
 */
const revocationTimeoutMs = 5000;

/**
 * The tokens of `accounts` that `revokeTokenTypes` asks to revoke (default: refresh tokens),
 * this client's only. Read before the sign-out removes them; an account's secrets are
 * unsealed first where the cache unseals them lazily.
 */
export async function tokensToRevoke(ctx: ClientContext, accounts: readonly { homeAccountId: string; environment: string }[]): Promise<RevocableToken[]> {
  const types = ctx.options.revokeTokenTypes ?? ['refresh_token'];
  if (types.length === 0) return [];
  const cache = await ctx.readyCache();
  const tokens: RevocableToken[] = [];
  const seen = new Set<string>();
  for (const account of accounts) {
    await cache.openAccount?.(account.homeAccountId, account.environment);
    const data = cache.read();
    const sections = { refresh_token: data.RefreshToken, access_token: data.AccessToken } as const;
    for (const type of types) {
      for (const entry of Object.values(sections[type]) as { home_account_id: string; environment: string; client_id: string; secret: string }[]) {
        if (entry.client_id !== ctx.clientId || !entry.secret || seen.has(entry.secret)) continue;
        if (entry.home_account_id.toLowerCase() !== account.homeAccountId.toLowerCase()) continue;
        if (entry.environment.toLowerCase() !== account.environment.toLowerCase()) continue;
        seen.add(entry.secret);
        tokens.push({ type, secret: entry.secret, environment: entry.environment });
      }
    }
  }
  return tokens;
}

/**
 * Revokes `tokens` at the provider's `revocation_endpoint` (RFC 7009), all at once. Never
 * throws: every failure (no metadata, a refusal, no answer) goes to `warn` as a
 * `revocation_failed` error, and the sign-out goes on. Providers that advertise no
 * revocation endpoint are skipped: Entra ID (v2.0, B2C, CIAM, ADFS) publishes none and has
 * no way for a public client to revoke a refresh token (its refresh tokens end with the
 * session, or through Microsoft Graph `revokeSignInSessions`, which needs a privileged token).
 */
export async function revokeTokens(ctx: ClientContext, tokens: readonly RevocableToken[], warn: (error: KeywardError) => void): Promise<void> {
  if (tokens.length === 0) return;
  const fail = (error: unknown): void => {
    const wrapped =
      error instanceof KeywardError && error.errorCode === ErrorCode.revocationFailed
        ? error
        : new ServerError(
            ErrorCode.revocationFailed,
            `Revocation failed (${error instanceof KeywardError ? error.errorCode : 'unknown failure'}); signed out here anyway. The token may work until it expires.`,
            { cause: error },
          );
    ctx.logger.warning(`revocation failed: ${wrapped.message}`);
    warn(wrapped);
  };
  let resolved: Awaited<ReturnType<ClientContext['resolve']>>;
  try {
    resolved = await ctx.resolve();
  } catch (error) {
    fail(error);
    return;
  }
  const endpoint = resolved.metadata.revocationEndpoint;
  if (!endpoint) return; // logout loads this module only for a provider that has one
  const transport = { ...ctx.transport, timeout: Math.min(ctx.transport.timeout, revocationTimeoutMs) };
  await Promise.all(
    tokens
      // Tokens of another authority's environment are not this endpoint's to revoke.
      .filter((token) => token.environment.toLowerCase() === resolved.environment.toLowerCase())
      .map(async (token) => {
        try {
          const response = await send(transport, buildRevocationRequest(endpoint, ctx.clientId, token.secret, token.type));
          checkRevocationResponse(response, token.type);
        } catch (error) {
          fail(error);
        }
      }),
  );
}
