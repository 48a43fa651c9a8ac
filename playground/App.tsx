import { decodeJwt, type JWTPayload } from 'jose';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import type { AccountInfo, AuthScheme } from '../src/index.js';
import { Authenticated, Unauthenticated, useAuth, useAuthFetch, useSession, useToken } from '../src/react/index.js';

export interface Settings {
  provider: string;
  clientId: string;
  scopes: string[];
  /** The protected API; undefined hides the API card. */
  api: string | undefined;
}

type Scheme = AuthScheme['type'];
const SCHEMES: { type: Scheme; label: string; hint: string }[] = [
  { type: 'bearer', label: 'Bearer', hint: 'a plain token' },
  { type: 'pop', label: 'PoP', hint: 'MSAL signed HTTP request' },
  { type: 'dpop', label: 'DPoP', hint: 'RFC 9449 proof per request' },
];

function describeError(error: unknown): string {
  const e = error as { errorCode?: string; message?: string };
  return e?.errorCode ? `${e.errorCode}: ${e.message ?? ''}` : String(e?.message ?? error);
}

function decode(token: string | null | undefined): JWTPayload | null {
  if (token?.split('.').length !== 3) return null;
  try {
    return decodeJwt(token);
  } catch {
    return null;
  }
}

function formatClaim(name: string, value: unknown): string {
  if (typeof value === 'number' && ['exp', 'iat', 'nbf', 'auth_time'].includes(name)) return `${value}  (${new Date(value * 1000).toLocaleTimeString()})`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function Claims({ claims, testId }: { claims: JWTPayload | null; testId: string }): ReactNode {
  if (!claims) return <p className="muted">No token yet.</p>;
  return (
    <dl className="claims" data-testid={testId}>
      {Object.entries(claims).map(([name, value]) => (
        <div key={name} data-claim={name}>
          <dt>{name}</dt>
          <dd>{formatClaim(name, value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Card({ title, subtitle, children, testId }: { title: string; subtitle?: string; children: ReactNode; testId?: string }): ReactNode {
  return (
    <section className="card" data-testid={testId}>
      <header>
        <h2>{title}</h2>
        {subtitle && <p className="muted">{subtitle}</p>}
      </header>
      {children}
    </section>
  );
}

function Notice({ error, onClose }: { error: string | null; onClose(): void }): ReactNode {
  if (!error) return null;
  return (
    <div className="notice" role="alert" data-testid="error">
      <span>{error}</span>
      <button type="button" className="link" onClick={onClose}>
        Dismiss
      </button>
    </div>
  );
}

let silentSignInTried = false;

function SignedOut({ settings, onError }: { settings: Settings; onError(error: string): void }): ReactNode {
  const { signIn, status, client } = useAuth();
  const busy = status !== 'idle';
  // Once per page load (not after a sign-out, which would sign the person straight back in): a
  // silent sign-in through a hidden iframe, which restores the session without a click when
  // the provider still has one (e.g. after "Clear this app's storage").
  const [silent, setSilent] = useState<'trying' | 'failed' | null>(null);
  useEffect(() => {
    if (silentSignInTried || !client.ssoSilent) return;
    silentSignInTried = true;
    setSilent('trying');
    client.ssoSilent({ scopes: settings.scopes }).then(
      () => setSilent(null),
      () => setSilent('failed'),
    );
  }, [client, settings.scopes]);
  const start = (interaction: 'popup' | 'redirect') =>
    signIn({ scopes: settings.scopes, interaction }).catch((error: unknown) => onError(describeError(error)));
  return (
    <section className="hero card" data-testid="signed-out">
      <h2>You are signed out</h2>
      <p className="muted">
        Sign in with <code>{settings.provider}</code> to get an id token and an access token for <code>{settings.scopes.join(' ')}</code>.
        {settings.provider.startsWith('http://127.0.0.1') && ' The bundled provider accepts any login name and password.'}
      </p>
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => start('popup')}>
          Sign in with popup
        </button>
        <button type="button" disabled={busy} onClick={() => start('redirect')}>
          Sign in with redirect
        </button>
      </div>
      {silent === 'trying' && (
        <p className="muted" data-testid="silent-status">
          Trying a silent sign-in (hidden iframe, prompt=none)…
        </p>
      )}
      {silent === 'failed' && (
        <p className="muted" data-testid="silent-status">
          No provider session visible to a silent sign-in: sign in below.
        </p>
      )}
      {status === 'interacting' && silent !== 'trying' && <p className="muted">Waiting for the sign-in window…</p>}
    </section>
  );
}

function Accounts({ settings, onError }: { settings: Settings; onError(error: string): void }): ReactNode {
  const { accounts, activeAccount, setActiveAccount, signIn, signOut, status } = useAuth();
  const busy = status !== 'idle';
  const isActive = (account: AccountInfo) => account.homeAccountId === activeAccount?.homeAccountId;
  return (
    <Card title="Accounts" subtitle={`${accounts.length} signed in · client ${settings.clientId}`} testId="accounts">
      <ul className="accounts">
        {accounts.map((account) => (
          <li key={account.homeAccountId} className={isActive(account) ? 'active' : ''} data-testid="account">
            <span className="avatar" aria-hidden>
              {(account.name ?? account.username).charAt(0).toUpperCase()}
            </span>
            <span className="who">
              <strong data-testid="account-name">{account.name ?? account.username}</strong>
              <span className="muted">{account.username}</span>
            </span>
            {isActive(account) ? (
              <span className="badge">active</span>
            ) : (
              <button type="button" onClick={() => setActiveAccount(account)}>
                Switch
              </button>
            )}
          </li>
        ))}
      </ul>
      <div className="actions">
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            signIn({ scopes: settings.scopes, interaction: 'popup', prompt: 'login' }).then(
              (r) => setActiveAccount(r.account),
              (e: unknown) => onError(describeError(e)),
            )
          }
        >
          Add another account
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => signOut({ interaction: 'popup' }).catch((e: unknown) => onError(describeError(e)))}
        >
          Sign out
        </button>
      </div>
    </Card>
  );
}

/** Forgets everything this app stored (tokens, metadata), but not the provider's session cookie; then reloads. */
async function clearAppStorage(client: unknown): Promise<void> {
  const app = client as { getAccounts?: () => Promise<AccountInfo[]>; removeAccount?: (account: AccountInfo) => Promise<void> };
  for (const account of (await app.getAccounts?.()) ?? []) await app.removeAccount?.(account);
  localStorage.clear();
  sessionStorage.clear();
  // Completes once this page's connection closes (on reload), before the next page opens the database.
  indexedDB.deleteDatabase('keyward');
  location.reload();
}

function Session({ onError }: { onError(error: string): void }): ReactNode {
  const { client } = useAuth();
  const { expiresOn } = useSession();
  return (
    <Card title="Session" subtitle="silent single sign-on" testId="session">
      <p>
        Session deadline: <strong data-testid="session-deadline">{expiresOn ? expiresOn.toLocaleString() : 'not known (the provider does not say)'}</strong>
      </p>
      <p className="muted">
        Before the deadline keyward renews the session through a hidden iframe. Clearing this app's storage keeps the provider's session: the reloaded page
        signs in again without a click.
      </p>
      <div className="actions">
        <button type="button" className="danger" onClick={() => clearAppStorage(client).catch((e: unknown) => onError(describeError(e)))}>
          Clear this app's storage
        </button>
      </div>
    </Card>
  );
}

function Tokens({ settings }: { settings: Settings }): ReactNode {
  const { activeAccount } = useAuth();
  const token = useToken(settings.scopes);
  const idToken = decode(token.result?.idToken) ?? (activeAccount?.idTokenClaims as JWTPayload | undefined) ?? null;
  const accessToken = decode(token.result?.accessToken);
  return (
    <Card
      title="Tokens"
      subtitle={token.result ? `${token.result.tokenType} · expires ${token.result.expiresOn.toLocaleTimeString()}` : token.status}
      testId="tokens"
    >
      {token.error && <p className="error">{describeError(token.error)}</p>}
      <div className="columns">
        <div>
          <h3>ID token</h3>
          <Claims claims={idToken} testId="id-token-claims" />
        </div>
        <div>
          <h3>Access token</h3>
          {accessToken ? (
            <Claims claims={accessToken} testId="access-token-claims" />
          ) : (
            <p className="muted">{token.result ? 'Opaque (not a JWT).' : 'No token yet.'}</p>
          )}
        </div>
      </div>
      <div className="actions">
        <button type="button" onClick={token.refetch}>
          Refresh
        </button>
      </div>
    </Card>
  );
}

interface Attempt {
  status: number;
  error?: string;
  acrs?: unknown;
}
interface Call {
  scheme: Scheme;
  status: number;
  body: { ok?: boolean; scheme?: string; sub?: string; error?: string; reason?: string; verified?: string[] } | null;
  attempts: Attempt[];
  ms: number;
}

/** The access token inside an Authorization header (for PoP: the SHR's `at`). */
function tokenOf(authorization: string | null): JWTPayload | null {
  const [type, value] = (authorization ?? '').split(' ');
  const outer = decode(value);
  return type === 'PoP' ? decode(typeof outer?.at === 'string' ? outer.at : null) : outer;
}

function Api({ settings, api }: { settings: Settings; api: string }): ReactNode {
  const [scheme, setScheme] = useState<Scheme>('bearer');
  const [call, setCall] = useState<Call | null>(null);
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState(false);
  const [controlError, setControlError] = useState<string | null>(null);
  const [attempts] = useState<Attempt[]>([]);
  // Every HTTP attempt createAuthFetch makes, so a claims challenge's retry is visible.
  const recordingFetch = useCallback<typeof fetch>(
    async (input, init) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      const body =
        response.status === 401
          ? ((await response
              .clone()
              .json()
              .catch(() => null)) as { error?: string } | null)
          : null;
      attempts.push({ status: response.status, ...(body?.error && { error: body.error }), acrs: tokenOf(request.headers.get('authorization'))?.acrs });
      return response;
    },
    [attempts],
  );
  const authFetch = useAuthFetch(settings.scopes, { scheme, fetch: recordingFetch, allowedOrigins: [new URL(api, location.href).origin] });

  const callApi = async () => {
    setBusy(true);
    attempts.length = 0;
    const started = performance.now();
    try {
      const response = await authFetch(api);
      const body = (await response.json().catch(() => null)) as Call['body'];
      setCall({ scheme, status: response.status, body, attempts: [...attempts], ms: Math.round(performance.now() - started) });
    } catch (error) {
      setCall({ scheme, status: 0, body: { ok: false, error: describeError(error) }, attempts: [...attempts], ms: Math.round(performance.now() - started) });
    } finally {
      setBusy(false);
    }
  };

  const toggleChallenge = async () => {
    setControlError(null);
    try {
      const response = await fetch('/__playground/claims', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ on: !challenge }),
      });
      const body = (await response.json()) as { on?: boolean; error?: string };
      if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
      setChallenge(Boolean(body.on));
    } catch (error) {
      setControlError(describeError(error));
    }
  };

  const ok = call?.body?.ok === true;
  return (
    <Card title="Protected API" subtitle={api} testId="api">
      <div className="segmented" role="radiogroup" aria-label="Token type">
        {SCHEMES.map((s) => (
          // biome-ignore lint/a11y/useSemanticElements: a segmented control: buttons in the WAI-ARIA radio group pattern, styled as one control.
          <button
            type="button"
            key={s.type}
            role="radio"
            aria-checked={scheme === s.type}
            className={scheme === s.type ? 'selected' : ''}
            onClick={() => setScheme(s.type)}
            title={s.hint}
          >
            {s.label}
          </button>
        ))}
      </div>
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void callApi()}>
          {busy ? 'Calling…' : `Call API with ${SCHEMES.find((s) => s.type === scheme)!.label}`}
        </button>
        <label className="switch">
          <input type="checkbox" checked={challenge} onChange={() => void toggleChallenge()} data-testid="claims-toggle" />
          <span>
            Require auth context <code>c1</code> (claims challenge)
          </span>
        </label>
      </div>
      {controlError && <p className="error">{controlError}</p>}
      {call && (
        <div
          className={`result ${ok ? 'ok' : 'fail'}`}
          data-testid="api-result"
          data-ok={String(ok)}
          data-scheme={call.body?.scheme ?? ''}
          data-attempts={call.attempts.length}
        >
          <div className="result-head">
            <span className={`badge ${ok ? 'good' : 'bad'}`}>{call.status || 'error'}</span>
            <strong>{ok ? `Verified ${call.body?.scheme} token for ${call.body?.sub}` : (call.body?.error ?? 'failed')}</strong>
            <span className="muted">{call.ms} ms</span>
          </div>
          {call.attempts.length > 1 && (
            <ol className="attempts" data-testid="attempts">
              {call.attempts.map((a, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: attempts of one call, in order; the list is replaced whole, never reordered.
                <li key={i}>
                  <span className={`badge ${a.status === 200 ? 'good' : 'bad'}`}>{a.status}</span>
                  {a.error ?? 'ok'}
                  <span className="muted"> · token acrs: {a.acrs === undefined ? 'none' : JSON.stringify(a.acrs)}</span>
                  {i < call.attempts.length - 1 && a.error === 'insufficient_claims' && (
                    <span className="muted"> → token re-acquired with the requested claims</span>
                  )}
                </li>
              ))}
            </ol>
          )}
          {call.body?.reason && <p className="error">{call.body.reason}</p>}
          {call.body?.verified && (
            <ul className="chips" aria-label="What the API verified">
              {call.body.verified.map((v) => (
                <li key={v}>{v}</li>
              ))}
            </ul>
          )}
          <details>
            <summary>Raw answer</summary>
            <pre data-testid="api-json">{JSON.stringify(call.body, null, 2)}</pre>
          </details>
        </div>
      )}
    </Card>
  );
}

export function App({ settings }: { settings: Settings }): ReactNode {
  const { status } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const onError = useMemo(() => (message: string) => setError(message), []);
  return (
    <>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden>
            ◆
          </span>{' '}
          keyward <span className="muted">playground</span>
        </div>
        <div className="meta">
          <span title="provider">{settings.provider}</span>
          <span className={`dot ${status}`} data-testid="status">
            {status}
          </span>
        </div>
      </header>
      <main>
        <Notice error={error} onClose={() => setError(null)} />
        {status === 'initializing' ? (
          <p className="muted center">Loading…</p>
        ) : (
          <>
            <Unauthenticated>
              <SignedOut settings={settings} onError={onError} />
            </Unauthenticated>
            <Authenticated>
              <div className="grid">
                <Accounts settings={settings} onError={onError} />
                {settings.api ? (
                  <Api settings={settings} api={settings.api} />
                ) : (
                  <Card title="Protected API">
                    <p className="muted">
                      Set <code>VITE_KEYWARD_API</code> to call an API.
                    </p>
                  </Card>
                )}
                <Tokens settings={settings} />
                <Session onError={onError} />
              </div>
            </Authenticated>
          </>
        )}
      </main>
    </>
  );
}
