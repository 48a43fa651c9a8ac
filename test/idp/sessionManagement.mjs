// OpenID Connect Session Management 1.0 (https://openid.net/specs/openid-connect-session-1_0.html)
// for the local provider. oidc-provider 9 has none: its `sessionManagement` feature (v6/v7,
// when the spec was a draft) was removed, so it publishes no `check_session_iframe` and puts
// no `session_state` on authorization responses. This adds exactly what the spec asks of an OP:
//
// - `check_session_iframe` in the discovery document (section 3.3);
// - `session_state` on every successful authorization response (section 2):
//   hex(SHA-256(client_id + " " + origin + " " + opbs + " " + salt)) + "." + salt, where origin
//   is the redirect URI's origin and opbs the OP browser state, as in the spec's example (4.2);
// - the OP browser state itself: a cookie the OP iframe's script can read (not httpOnly),
//   derived from oidc-provider's session id, so it changes when a person signs in (oidc-provider
//   gives the session a new id at each login, actions/authorization/resume.js) and is gone when
//   they sign out (end_session_confirm destroys the session; a sign-out of one client gives the
//   session a new id);
// - the OP iframe at /session/check (section 4.2): it answers "client_id session_state"
//   messages from its parent only with "changed", "unchanged" or "error", computed from the
//   cookie in the browser, with no request to the server.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const CHECK_SESSION_PATH = '/session/check';
const BROWSER_STATE_COOKIE = 'kw_opbs';

/** The iframe page, §4.2's example with SubtleCrypto in place of CryptoJS. */
const iframeHtml = `<!doctype html>
<meta charset="utf-8"><title>check session</title>
<script>
  function browserState() {
    var match = document.cookie.split('; ').find(function (c) { return c.indexOf('${BROWSER_STATE_COOKIE}=') === 0; });
    return match ? decodeURIComponent(match.slice(${BROWSER_STATE_COOKIE.length + 1})) : '';
  }
  async function sha256Hex(text) {
    var digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }
  window.addEventListener('message', async function (e) {
    // 4.2: only the parent frame may ask, and only from its own origin.
    if (e.source !== window.parent) return;
    var ancestors = location.ancestorOrigins;
    if (ancestors && ancestors.length && ancestors[0] !== e.origin) return;
    var parts = typeof e.data === 'string' ? e.data.split(' ') : [];
    var salt = parts.length === 2 ? parts[1].split('.')[1] : undefined;
    if (!salt) { e.source.postMessage('error', e.origin); return; }
    var expected = (await sha256Hex(parts[0] + ' ' + e.origin + ' ' + browserState() + ' ' + salt)) + '.' + salt;
    e.source.postMessage(expected === parts[1] ? 'unchanged' : 'changed', e.origin);
  }, false);
</script>`;

/** §2's session_state for one client, origin and browser state. */
export function sessionStateFor(clientId, origin, browserState, salt = randomBytes(8).toString('hex')) {
  return `${createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('hex')}.${salt}`;
}

/**
 * @param {string} issuer
 * @returns {{ discovery: Record<string, string>, install(provider: import('oidc-provider').default): void }}
 */
export function sessionManagement(issuer) {
  const secret = randomBytes(32);
  const browserStateOf = (session) => createHmac('sha256', secret).update(`${session.jti}|${session.accountId}`).digest('base64url');
  const cookieOptions = { httpOnly: false, sameSite: 'lax', path: '/', signed: false, overwrite: true };
  return {
    discovery: { check_session_iframe: `${issuer}${CHECK_SESSION_PATH}` },
    install(provider) {
      // Runs inside the authorization endpoint, before the response mode handler writes `out`
      // to the redirect (actions/authorization/respond.js emits with the response object).
      provider.on('authorization.success', (ctx, out) => {
        const session = ctx.oidc?.session;
        const redirectUri = ctx.oidc?.params?.redirect_uri;
        if (!session?.accountId || !out || typeof redirectUri !== 'string') return;
        const browserState = browserStateOf(session);
        ctx.cookies.set(BROWSER_STATE_COOKIE, browserState, cookieOptions);
        out.session_state = sessionStateFor(ctx.oidc.client.clientId, new URL(redirectUri).origin, browserState);
      });
      provider.use(async (ctx, next) => {
        if (ctx.method === 'GET' && ctx.path === CHECK_SESSION_PATH) {
          ctx.type = 'html';
          ctx.body = iframeHtml;
          return;
        }
        await next();
        if (ctx.oidc?.route !== 'end_session_confirm') return;
        const session = ctx.oidc.session;
        if (session?.destroyed || !session?.accountId) ctx.cookies.set(BROWSER_STATE_COOKIE, null, cookieOptions);
        else ctx.cookies.set(BROWSER_STATE_COOKIE, browserStateOf(session), cookieOptions);
      });
    },
  };
}
