// Sign-out revokes the refresh token at the provider's revocation_endpoint (RFC 7009;
// oidc-provider's `features.revocation`), and a revocation endpoint that is down does not stop
// the sign-out: real Chromium, the real local provider.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, cacheContents, openApp, popupSignIn, startPopupLogout } from './fixtures';
import { recordRequests, startE2E, type E2E } from './harness/harness';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(() => e2e?.close());

/** Every event of the page's client, reduced to what crosses the Playwright boundary. */
async function recordEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const events: unknown[] = [];
    (window as unknown as { events: unknown[] }).events = events;
    window.app.addEventCallback((event) =>
      events.push({
        type: event.type,
        ...('operation' in event && { operation: event.operation }),
        ...(event.type === 'warning' && { errorCode: event.error.errorCode, message: event.error.message }),
      }),
    );
  });
}

const eventsOf = (page: Page) => page.evaluate(() => (window as unknown as { events: Record<string, string>[] }).events);

/** The refresh token the page holds for its only account. */
async function refreshTokenOf(page: Page): Promise<string> {
  const tokens = Object.values((await cacheContents(page)).RefreshToken);
  expect(tokens).toHaveLength(1);
  return tokens[0]!.secret;
}

/** Redeems a refresh token at the provider as any client of `spa` could, from outside the browser. */
async function redeem(refreshToken: string): Promise<{ status: number; error?: string }> {
  const response = await fetch(`${e2e.idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa' }),
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, ...(body.error && { error: body.error }) };
}

async function signedInPage(context: BrowserContext, config = {}): Promise<{ page: Page; refreshToken: string }> {
  const page = await openApp(e2e, context, config);
  expect((await popupSignIn(page)).error).toBeUndefined();
  await recordEvents(page);
  return { page, refreshToken: await refreshTokenOf(page) };
}

describe('sign-out revokes the refresh token', () => {
  it('afterwards the refresh token is dead at the provider (invalid_grant); one form POST to revocation_endpoint', async () => {
    const context = await e2e.newContext();
    const chunks = recordRequests(context, `${e2e.app.origin}/assets/revoke`);
    const { page, refreshToken } = await signedInPage(context);
    expect(chunks).toEqual([]); // loaded at the sign-out, for a provider that revokes
    const revocations = recordRequests(context, `${e2e.idp.issuer}/token/revocation`);
    e2e.idp.reset();
    // interaction 'none': no end_session round trip, which would end the grant by itself.
    await page.evaluate(() => window.app.logout({ interaction: 'none' }));
    expect(await accounts(page)).toEqual([]);
    expect(revocations).toHaveLength(1);
    expect(chunks).toHaveLength(1);
    expect(revocations[0]!.method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(revocations[0]!.postData ?? ''))).toEqual({
      token: refreshToken,
      token_type_hint: 'refresh_token',
      client_id: 'spa',
    });
    // oidc-provider revokes the whole grant of a revoked refresh token (RFC 7009 2.1 allows it).
    expect(e2e.idp.events.filter((e) => e.type === 'grant.revoked')).toHaveLength(1);
    expect(await redeem(refreshToken)).toEqual({ status: 400, error: 'invalid_grant' });
    expect(await eventsOf(page)).not.toContainEqual(expect.objectContaining({ type: 'warning' }));
    await context.close();
  });

  it('control: with revokeTokenTypes [] the same sign-out leaves the refresh token alive (so the check above can fail)', async () => {
    const context = await e2e.newContext();
    const chunks = recordRequests(context, `${e2e.app.origin}/assets/revoke`);
    const { page, refreshToken } = await signedInPage(context, { revokeTokenTypes: [] });
    const revocations = recordRequests(context, `${e2e.idp.issuer}/token/revocation`);
    await page.evaluate(() => window.app.logout({ interaction: 'none' }));
    expect(await accounts(page)).toEqual([]);
    expect(revocations).toEqual([]);
    expect(chunks).toEqual([]); // nothing to revoke: nothing loaded
    expect((await redeem(refreshToken)).status).toBe(200);
    await context.close();
  });
});

describe('sign-out with the revocation endpoint down', () => {
  it('connection refused: signed out here anyway, a warning event revocation_failed, nothing secret in it', async () => {
    const context = await e2e.newContext();
    const { page, refreshToken } = await signedInPage(context);
    await context.route(`${e2e.idp.issuer}/token/revocation`, (route) => route.abort('connectionrefused'));
    const outcome = await page.evaluate(() => window.settle(window.app.logout({ interaction: 'none' })));
    expect(outcome.error).toBeUndefined();
    expect(await accounts(page)).toEqual([]);
    expect(Object.values((await cacheContents(page)).RefreshToken)).toEqual([]);
    const warnings = (await eventsOf(page)).filter((e) => e.type === 'warning');
    expect(warnings).toEqual([expect.objectContaining({ type: 'warning', operation: 'signOut', errorCode: 'revocation_failed' })]);
    expect(warnings[0]!.message).not.toContain(refreshToken);
    expect(await page.evaluate(() => window.logLines.some((line) => line.startsWith('warning keyward: revocation failed')))).toBe(true);
    // Nothing reached the provider, so the token lives on (the warning says so).
    expect((await redeem(refreshToken)).status).toBe(200);
    await context.close();
  });

  it('HTTP 500: a popup sign-out still ends the provider session', async () => {
    const context = await e2e.newContext();
    const { page } = await signedInPage(context);
    await context.route(`${e2e.idp.issuer}/token/revocation`, (route) => route.fulfill({ status: 500, contentType: 'text/html', body: '<h1>down</h1>' }));
    const endSession = recordRequests(context, `${e2e.idp.issuer}/session/end?`);
    const { popup, outcome: done } = await startPopupLogout(page);
    await popup.locator('button[autofocus], form button').first().click();
    expect((await done).error).toBeUndefined();
    expect(endSession).toHaveLength(1);
    expect(await accounts(page)).toEqual([]);
    expect((await eventsOf(page)).filter((e) => e.type === 'warning')).toEqual([
      expect.objectContaining({ operation: 'signOut', errorCode: 'revocation_failed' }),
    ]);
    await context.close();
  });
});
