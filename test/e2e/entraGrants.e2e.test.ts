// keyward's device code flow (RFC 8628) and username/password grant (ROPC) in real Chromium
// against the local Entra authority (test/idp/entra, real oidc-provider underneath). The
// person approving or denying a device code does it in another page, clicking through the
// authority's pages. What the SDK sent is read from the authority's own request log.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountInfo, AuthenticationResult, DeviceFlow } from '../../src/index.js';
import { DEVICE_VERIFICATION_URI, TENANT_A, type EntraIdp, type EntraTokenRequest } from '../idp/entra/createEntraIdp.mjs';
import { approveDeviceCode, denyDeviceCode } from '../idp/entra/browser';
import { LOGIN_HOST, openEntraApp, startEntraE2E, type EntraE2E } from './entraFixtures';

const AUTHORITY = `${LOGIN_HOST}/${TENANT_A}`;
const SCOPES = ['api://demo/read'];
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const INTERVAL = 1;
/** Clock slack for gaps measured between two log timestamps of the same process. */
const SLACK_MS = 50;

/** A settled call with every field of a keyward error the tests look at. */
type Outcome<T> =
  | { result: T; error?: undefined; settledAt: number }
  | {
      result?: undefined;
      settledAt: number;
      error: {
        name: string;
        errorCode: string;
        message: string;
        status?: number;
        errorDescription?: string;
        errorCodes?: number[];
        correlationId?: string;
        isKeywardError: boolean;
        isServerError: boolean;
        isInteractionRequired: boolean;
        isClientAuthError: boolean;
      };
    };

declare global {
  interface Window {
    __abort?: AbortController;
    __poll?: Promise<Outcome<AuthenticationResult>>;
    __outcome?<T>(promise: Promise<T>): Promise<Outcome<T>>;
  }
}

/** Installs `window.__outcome` (window.settle with more error fields and the settle time). */
async function installOutcome(page: Page): Promise<void> {
  await page.evaluate(() => {
    const k = window.keyward;
    window.__outcome = <T>(promise: Promise<T>) =>
      promise.then(
        (result) => ({ result, settledAt: Date.now() }),
        (e: Error & Record<string, unknown>) => ({
          settledAt: Date.now(),
          error: {
            name: e.name,
            errorCode: e.errorCode as string,
            message: e.message,
            status: e.status as number | undefined,
            errorDescription: e.errorDescription as string | undefined,
            errorCodes: e.errorCodes as number[] | undefined,
            correlationId: e.correlationId as string | undefined,
            isKeywardError: e instanceof k.KeywardError,
            isServerError: e instanceof k.ServerError,
            isInteractionRequired: e instanceof k.InteractionRequiredError,
            isClientAuthError: e instanceof k.ClientAuthError,
          },
        }),
      );
  });
}

async function openPage(e2e: EntraE2E, context: BrowserContext, extra: { enablePiiLog?: boolean } = {}): Promise<Page> {
  const page = await openEntraApp(e2e, context, { authority: AUTHORITY, ...extra });
  await installOutcome(page);
  return page;
}

function initiate(page: Page): Promise<DeviceFlow> {
  return page.evaluate((scopes) => window.app.initiateDeviceFlow(scopes), SCOPES);
}

/** Starts acquireTokenByDeviceFlow in the page without waiting; its AbortController stays on window. */
async function startPolling(page: Page, flow: DeviceFlow): Promise<void> {
  await page.evaluate((flow) => {
    window.__abort = new AbortController();
    window.__poll = window.__outcome!(window.app.acquireTokenByDeviceFlow(flow, { signal: window.__abort.signal }));
  }, flow);
}

const pollOutcome = (page: Page) => page.evaluate(() => window.__poll!);

/** Aborts the page's polling; returns the page time of the abort. */
const abortPolling = (page: Page) =>
  page.evaluate(() => {
    const at = Date.now();
    window.__abort!.abort();
    return at;
  });

/** The token requests that polled this device code, in order. */
const polls = (idp: EntraIdp, flow: DeviceFlow): EntraTokenRequest[] =>
  idp.tokenRequests.filter((r) => r.grant_type === DEVICE_GRANT && r.device_code === flow.deviceCode);

async function waitForPolls(idp: EntraIdp, flow: DeviceFlow, count: number, timeout = 10_000, from?: (r: EntraTokenRequest) => boolean): Promise<void> {
  await expect.poll(() => polls(idp, flow).filter(from ?? (() => true)).length, { timeout, interval: 25 }).toBeGreaterThanOrEqual(count);
}

const gaps = (requests: EntraTokenRequest[]): number[] => requests.slice(1).map((r, i) => r.at - requests[i]!.at);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('device code flow and ROPC (interval 1 s, slow_down enforced)', () => {
  let e2e: EntraE2E;
  let idp: EntraIdp;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // slow_down on: keyward keeps the interval, so only the slow_down test (which polls from
    // Node as well) ever gets one.
    e2e = await startEntraE2E({ deviceInterval: INTERVAL, deviceSlowDown: true });
    idp = e2e.idp;
    context = await e2e.newContext();
    page = await openPage(e2e, context);
  });
  afterAll(() => e2e?.close());
  beforeEach(() => idp.reset());

  it('device code end to end: approved in another page, tokens cached, every request shaped as Entra expects', async () => {
    const flow = await initiate(page);
    expect(flow.verificationUri).toBe(DEVICE_VERIFICATION_URI);
    expect(flow.message).toContain(flow.userCode);
    expect(flow.message).toContain(flow.verificationUri);
    expect(flow).toMatchObject({ interval: INTERVAL, expiresIn: 900 });
    expect(flow.scopes).toEqual(expect.arrayContaining(['api://demo/read', 'openid', 'offline_access']));
    expect(idp.deviceRequests).toHaveLength(1);
    expect(idp.deviceRequests[0]).toMatchObject({
      endpoint: 'devicecode',
      client_id: 'spa',
      status: 200,
      tenant: TENANT_A,
      headers: { origin: e2e.app.origin },
    });
    expect(idp.deviceRequests[0]!.scope!.split(' ')).toEqual(expect.arrayContaining(['api://demo/read']));

    await startPolling(page, flow);
    await waitForPolls(idp, flow, 1);
    const person = await context.newPage();
    await approveDeviceCode(person, flow.userCode, 'dora');
    await person.close();

    const outcome = await pollOutcome(page);
    expect(outcome.error).toBeUndefined();
    const result = outcome.result!;
    const dora = idp.account('dora', TENANT_A);
    expect(result.account).toMatchObject({
      username: dora.preferred_username,
      homeAccountId: `${dora.uid}.${dora.utid}`,
      localAccountId: dora.oid,
      tenantId: TENANT_A,
    });
    expect(result.account.homeAccountId).toBe(`${dora.oid}.${TENANT_A}`);
    expect(result.idTokenClaims).toMatchObject({ oid: dora.oid, tid: TENANT_A, preferred_username: dora.preferred_username });
    expect(result.fromCache).toBe(false);
    expect(result.scopes).toContain('api://demo/read');

    // Every poll: the device grant for client spa with the device flow's telemetry (api 622).
    const sent = polls(idp, flow);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const poll of sent) {
      expect(poll).toMatchObject({ client_id: 'spa', grant_type: DEVICE_GRANT, client_info: '1', headers: { origin: e2e.app.origin } });
      const telemetry = poll.headers['x-client-current-telemetry'] ?? poll.body['x-client-current-telemetry'];
      expect(telemetry).toMatch(/^4\|622,\d+\|/);
    }
    expect(sent.slice(0, -1).map((r) => [r.status, r.error])).toEqual(sent.slice(0, -1).map(() => [400, 'authorization_pending']));
    expect(sent.at(-1)).toMatchObject({ status: 200, error: undefined });

    // Cached: the account is listed and a silent call is answered from the cache.
    const cached = await page.evaluate(async (scopes) => {
      const accounts = await window.app.getAccounts();
      const silent = await window.__outcome!(window.app.acquireTokenSilent(scopes, accounts[0]!));
      return { accounts, silent };
    }, SCOPES);
    expect(cached.accounts.map((a: AccountInfo) => [a.username, a.homeAccountId])).toEqual([[dora.preferred_username, `${dora.oid}.${TENANT_A}`]]);
    expect(cached.silent.error).toBeUndefined();
    expect(cached.silent.result).toMatchObject({ fromCache: true, accessToken: result.accessToken });
    expect(idp.tokenRequests).toHaveLength(sent.length); // the silent call sent nothing
  });

  it('authorization_pending: polls keep the interval (>= 1 s apart) until the person acts', async () => {
    const flow = await initiate(page);
    await startPolling(page, flow);
    await waitForPolls(idp, flow, 3);
    await abortPolling(page);
    expect((await pollOutcome(page)).error?.errorCode).toBe('aborted');

    const sent = polls(idp, flow).slice(0, 3);
    expect(sent.map((r) => [r.status, r.error])).toEqual([
      [400, 'authorization_pending'],
      [400, 'authorization_pending'],
      [400, 'authorization_pending'],
    ]);
    // The first poll waits an interval too (RFC 8628 3.4/3.5).
    expect(sent[0]!.at - idp.deviceRequests[0]!.at).toBeGreaterThanOrEqual(INTERVAL * 1000 - SLACK_MS);
    for (const gap of gaps(sent)) {
      expect(gap).toBeGreaterThanOrEqual(INTERVAL * 1000 - SLACK_MS);
      expect(gap).toBeLessThan(INTERVAL * 1000 + 1_500); // and does not dawdle either
    }
  });

  it('abort: the call rejects with aborted at once and polling stops', async () => {
    const flow = await initiate(page);
    await startPolling(page, flow);
    await waitForPolls(idp, flow, 1);
    const abortedAt = await abortPolling(page);
    const outcome = await pollOutcome(page);
    expect(outcome.error).toMatchObject({ name: 'ClientAuthError', errorCode: 'aborted', isClientAuthError: true, isServerError: false });
    expect(outcome.settledAt - abortedAt).toBeLessThan(1_000);

    const atAbort = polls(idp, flow).length;
    expect(atAbort).toBe(1);
    await sleep(2_500); // two intervals and a half
    expect(polls(idp, flow)).toHaveLength(atAbort);
  });

  it('abort while a poll is in flight: rejects at once and keeps nothing the late answer brings', async () => {
    const flow = await initiate(page);
    // The person (signed in here as dora since the first test) has already approved; the SDK's
    // first poll is then held back in the browser (a slow network), so its answer carries tokens.
    const person = await context.newPage();
    await approveDeviceCode(person, flow.userCode, 'dora');
    await person.close();
    const before = await page.evaluate(() => JSON.stringify(window.cache.read()));
    const HELD_MS = 1_800;
    let held = 0;
    let released = false;
    await page.route('**/oauth2/v2.0/token', async (route) => {
      const hold = route.request().method() === 'POST' && (route.request().postData() ?? '').includes('device_code');
      if (hold) {
        held += 1;
        await sleep(HELD_MS);
      }
      await route.fallback().catch(() => undefined); // the SDK may have cancelled it meanwhile
      if (hold) released = true;
    });
    try {
      await startPolling(page, flow);
      await expect.poll(() => held, { timeout: 5_000, interval: 25 }).toBe(1);
      const abortedAt = await abortPolling(page);
      const outcome = await pollOutcome(page);
      expect.soft(outcome.result?.account.username, 'resolved with tokens after the abort').toBeUndefined();
      expect.soft(outcome.error).toMatchObject({ name: 'ClientAuthError', errorCode: 'aborted' });
      expect.soft(outcome.settledAt - abortedAt, 'ms from abort() to the settling').toBeLessThan(1_000);
      await expect.poll(() => released, { timeout: 5_000, interval: 25 }).toBe(true);
      await sleep(300); // whatever the held answer would do has been done
      expect.soft(await page.evaluate(() => JSON.stringify(window.cache.read())), 'cache changed after the abort').toBe(before);
      expect(polls(idp, flow).length).toBeLessThanOrEqual(1);
    } finally {
      await page.unroute('**/oauth2/v2.0/token');
    }
  });

  it("denied by the person: ServerError with the provider's authorization_declined (AADSTS70000)", async () => {
    const flow = await initiate(page);
    await startPolling(page, flow);
    await waitForPolls(idp, flow, 1);
    const person = await context.newPage();
    await denyDeviceCode(person, flow.userCode);
    await person.close();

    const outcome = await pollOutcome(page);
    expect(outcome.error).toMatchObject({
      name: 'ServerError',
      errorCode: 'authorization_declined',
      status: 400,
      errorCodes: [70000],
      isServerError: true,
      isInteractionRequired: false,
    });
    expect(outcome.error!.errorDescription).toMatch(/^AADSTS70000: /);
    expect(polls(idp, flow).at(-1)).toMatchObject({ status: 400, error: 'authorization_declined' });
  });

  it('ROPC: rosa signs in and is cached; a wrong password is invalid_grant with AADSTS50126 kept', async () => {
    const ropcContext = await e2e.newContext();
    const ropc = await openPage(e2e, ropcContext);
    const rosa = idp.account('rosa', TENANT_A);

    const good = await ropc.evaluate((scopes) => window.__outcome!(window.app.acquireTokenByUsernamePassword('rosa', 'pw-rosa', scopes)), SCOPES);
    expect(good.error).toBeUndefined();
    expect(good.result!.account).toMatchObject({
      username: rosa.preferred_username,
      homeAccountId: `${rosa.oid}.${TENANT_A}`,
      localAccountId: rosa.oid,
      tenantId: TENANT_A,
    });
    expect(good.result!.fromCache).toBe(false);
    const [request] = idp.tokenRequests;
    expect(idp.tokenRequests).toHaveLength(1);
    expect(request).toMatchObject({
      grant_type: 'password',
      client_id: 'spa',
      username: 'rosa',
      client_info: '1',
      status: 200,
      body: { password: '[redacted]' },
    });
    expect(request!.headers['x-client-current-telemetry'] ?? request!.body['x-client-current-telemetry']).toMatch(/^4\|301,\d+\|/);

    const cached = await ropc.evaluate(async (scopes) => {
      const accounts = await window.app.getAccounts();
      return { accounts, silent: await window.__outcome!(window.app.acquireTokenSilent(scopes, accounts[0]!)) };
    }, SCOPES);
    expect(cached.accounts.map((a: AccountInfo) => a.username)).toEqual([rosa.preferred_username]);
    expect(cached.silent.result).toMatchObject({ fromCache: true, accessToken: good.result!.accessToken });
    expect(idp.tokenRequests).toHaveLength(1);

    const bad = await ropc.evaluate((scopes) => window.__outcome!(window.app.acquireTokenByUsernamePassword('rosa', 'wrong-password-123', scopes)), SCOPES);
    // invalid_grant is in keyward's interaction-required set (src/errors.ts), so the ServerError is its InteractionRequiredError subclass.
    expect(bad.error).toMatchObject({ name: 'InteractionRequiredError', errorCode: 'invalid_grant', status: 400, isServerError: true, isKeywardError: true });
    expect(bad.error!.errorDescription).toMatch(/^AADSTS50126: /);
    expect(bad.error!.errorCodes).toEqual([50126]);
    expect(bad.error!.message).toContain('AADSTS50126');
    expect(idp.tokenRequests.at(-1)).toMatchObject({ grant_type: 'password', username: 'rosa', status: 400, error: 'invalid_grant' });

    // The refusal changed nothing that was stored.
    const after = await ropc.evaluate(async (scopes) => {
      const accounts = await window.app.getAccounts();
      return { accounts, silent: await window.__outcome!(window.app.acquireTokenSilent(scopes, accounts[0]!)) };
    }, SCOPES);
    expect(after.accounts.map((a: AccountInfo) => a.username)).toEqual([rosa.preferred_username]);
    expect(after.silent.result).toMatchObject({ fromCache: true, accessToken: good.result!.accessToken });
    await ropcContext.close();
  });

  for (const enablePiiLog of [true, false]) {
    it(`ROPC passwords appear nowhere: logs, errors, cache, storage, the wire log (enablePiiLog: ${enablePiiLog})`, async () => {
      const GOOD = 'pw-rosa';
      const BAD = 'S3cret-never-logged-9f2';
      const piiContext = await e2e.newContext();
      const pii = await openPage(e2e, piiContext, { enablePiiLog });

      const seen = await pii.evaluate(
        async ({ scopes, good, bad }) => {
          const dump = (e: unknown) => {
            const error = e as Error & { cause?: unknown };
            const own = Object.fromEntries(Object.getOwnPropertyNames(error).map((name) => [name, (error as unknown as Record<string, unknown>)[name]]));
            return JSON.stringify({ own, message: error.message, stack: error.stack, text: String(error), cause: String(error.cause) });
          };
          const result = await window.app.acquireTokenByUsernamePassword('rosa', good, scopes);
          let thrown = '';
          let errorCode = '';
          try {
            await window.app.acquireTokenByUsernamePassword('rosa', bad, scopes);
          } catch (e) {
            thrown = dump(e);
            errorCode = (e as { errorCode: string }).errorCode;
          }
          const storage = (s: Storage) => JSON.stringify(Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i)!)])));
          return {
            username: result.account.username,
            result: JSON.stringify(result),
            errorCode,
            thrown,
            logLines: window.logLines.join('\n'),
            cache: JSON.stringify(window.cache.read()),
            localStorage: storage(localStorage),
            sessionStorage: storage(sessionStorage),
            cookies: document.cookie,
          };
        },
        { scopes: SCOPES, good: GOOD, bad: BAD },
      );

      expect(seen.username).toBe(idp.account('rosa', TENANT_A).preferred_username);
      expect(seen.errorCode).toBe('invalid_grant');
      expect(seen.thrown).toContain('AADSTS50126');
      expect(seen.logLines).toContain('grant password');
      // The PII switch works (so the logs checked below are the full verbose logs).
      if (enablePiiLog) expect(seen.logLines).toContain(seen.username);
      else expect(seen.logLines).not.toContain(seen.username);

      // Both passwords really went to the authority (one accepted, one refused), which logged them redacted.
      const sent = idp.tokenRequests.filter((r) => r.grant_type === 'password');
      expect(sent.map((r) => [r.username, r.status, r.body.password])).toEqual([
        ['rosa', 200, '[redacted]'],
        ['rosa', 400, '[redacted]'],
      ]);

      const places = { ...seen, idpLog: JSON.stringify([idp.tokenRequests, idp.deviceRequests, idp.events, idp.authorizeRequests]) };
      for (const [where, text] of Object.entries(places)) {
        for (const password of [GOOD, BAD]) {
          expect(text.includes(password), `${password} found in ${where}`).toBe(false);
        }
      }
      await piiContext.close();
    });
  }

  it('slow_down (RFC 8628 3.5): every later poll waits interval + 5 s; approval then completes', async () => {
    const flow = await initiate(page);
    const fromPage = (r: EntraTokenRequest) => r.headers.origin === e2e.app.origin;
    await startPolling(page, flow);
    await waitForPolls(idp, flow, 1, 10_000, fromPage);

    // Another poller on the same device code keeps polling every 200 ms until the SDK's next
    // poll has come: that poll then always lands within the interval of another poll, so the
    // authority (deviceSlowDown) answers it slow_down however late a loaded machine makes it.
    const otherAnswers: string[] = [];
    while (polls(idp, flow).filter(fromPage).length < 2 && otherAnswers.length < 100) {
      const other = await idp.fetch(`${AUTHORITY}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: DEVICE_GRANT, client_id: 'spa', device_code: flow.deviceCode }),
      });
      otherAnswers.push(((await other.json()) as { error: string }).error);
      await sleep(200);
    }
    expect(otherAnswers.at(-1)).toBe('slow_down');
    await waitForPolls(idp, flow, 2, 10_000, fromPage);
    expect(polls(idp, flow).filter(fromPage)[1]).toMatchObject({ status: 400, error: 'slow_down' });
    await waitForPolls(idp, flow, 3, 10_000, fromPage); // ~6 s later

    // The person approves; a later poll (each interval + 5 s after the one before) gets the tokens.
    const personContext = await e2e.newContext();
    await approveDeviceCode(await personContext.newPage(), flow.userCode, 'sol');
    await personContext.close();
    const outcome = await pollOutcome(page);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result!.account.username).toBe(idp.account('sol', TENANT_A).preferred_username);

    const sent = polls(idp, flow).filter(fromPage);
    const answers = sent.map((r) => r.error ?? r.status);
    // Normally [pending, slow_down, pending, 200]; one more pending if the approval took over 6 s.
    expect(answers.slice(0, 3)).toEqual(['authorization_pending', 'slow_down', 'authorization_pending']);
    expect(answers.slice(3, -1).every((a) => a === 'authorization_pending')).toBe(true);
    expect(answers.at(-1)).toBe(200);
    const [afterFirst, ...afterSlowDown] = gaps(sent);
    expect(afterFirst).toBeGreaterThanOrEqual(INTERVAL * 1000 - SLACK_MS);
    expect(afterFirst).toBeLessThan((INTERVAL + 5) * 1000);
    expect(afterSlowDown.length).toBeGreaterThanOrEqual(2);
    for (const gap of afterSlowDown) expect(gap).toBeGreaterThanOrEqual((INTERVAL + 5) * 1000 - SLACK_MS);
  }, 40_000);
});

describe('device code flow: expiry', () => {
  let e2e: EntraE2E;
  let page: Page;
  const TTL = 3;

  beforeAll(async () => {
    e2e = await startEntraE2E({ deviceInterval: INTERVAL, deviceCodeTtl: TTL });
    page = await openPage(e2e, await e2e.newContext());
  });
  afterAll(() => e2e?.close());

  it('nobody approves: expired_token once expires_in has passed, and polling stops', async () => {
    const { idp } = e2e;
    const flow = await initiate(page);
    expect(flow.expiresIn).toBe(TTL);
    await startPolling(page, flow);
    const outcome = await pollOutcome(page);
    expect(outcome.error).toMatchObject({ name: 'ServerError', errorCode: 'expired_token', isServerError: true, isInteractionRequired: false });
    const sent = polls(idp, flow);
    expect(sent.slice(0, -1).every((r) => r.error === 'authorization_pending')).toBe(true);
    if (sent.at(-1)?.error === 'expired_token') {
      // The authority expired it first: oidc-provider counts expiry in whole seconds, so up to
      // 1 s before the flow's expiresAt. Its answer is passed on.
      expect(outcome.error).toMatchObject({ status: 400, errorCodes: [70019] });
      expect(outcome.settledAt).toBeGreaterThanOrEqual(flow.expiresAt - 1_000 - SLACK_MS);
    } else {
      // keyward stopped by itself at expiresAt, without another poll.
      expect(sent.at(-1)?.error).toBe('authorization_pending');
      expect(outcome.settledAt).toBeGreaterThanOrEqual(flow.expiresAt);
    }
    expect(outcome.settledAt - flow.expiresAt).toBeLessThan(INTERVAL * 1000 + 1_000);
    const count = sent.length;
    await sleep(INTERVAL * 1000 + 200);
    expect(polls(idp, flow)).toHaveLength(count);
  });
});
