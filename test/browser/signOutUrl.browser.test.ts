// What the sign-out URL tells each provider shape: Entra gets logout_hint (the login_hint
// claim), never the id_token; generic OpenID providers get id_token_hint.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeProvider } from '../unit/support/fakeProvider.js';
import { clientOf, signIn } from '../unit/support/signIn.js';

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const realOpen = window.open;
afterEach(() => {
  window.open = realOpen;
});

/** Stands in for the popup window (the part under test is the URL keyward gives it). */
function capturePopup(postLogout: string): string[] {
  const urls: string[] = [];
  let href = 'about:blank';
  const popup = {
    closed: false,
    close() {
      popup.closed = true;
    },
    location: {
      get href() {
        return href;
      },
      set href(value: string) {
        urls.push(value);
        href = `${postLogout}?state=done`; // the provider sends the person back at once
      },
    },
  };
  window.open = (() => popup) as unknown as typeof window.open;
  return urls;
}

async function signedOutUrl(provider: FakeProvider, entra: boolean): Promise<URL> {
  const postLogout = `${location.origin}/signed-out`;
  const app = clientOf(
    provider,
    entra
      ? {
          oidcAuthority: undefined,
          authority: `https://login.microsoftonline.com/${tenant}`,
          knownAuthorities: ['login.microsoftonline.com'],
          postLogoutRedirectUri: postLogout,
        }
      : { postLogoutRedirectUri: postLogout },
  );
  const { account } = await signIn(app, provider);
  const urls = capturePopup(postLogout);
  await app.logout({ account, interaction: 'popup' });
  expect(urls).toHaveLength(1);
  return new URL(urls[0]!);
}

describe('sign-out URL', () => {
  it('Entra: logout_hint from the login_hint claim, and no id_token in the URL', async () => {
    const provider = await FakeProvider.create(`https://login.microsoftonline.com/${tenant}/v2.0`);
    provider.claims = { ...provider.claims, tid: tenant, oid: '00000000-0000-0000-66f3-3332eca7ea81', login_hint: 'O.CiQ-opaque-login-hint-value' };
    const url = await signedOutUrl(provider, true);
    expect(url.searchParams.get('logout_hint')).toBe('O.CiQ-opaque-login-hint-value');
    expect(url.searchParams.has('id_token_hint')).toBe(false);
    expect(url.search).not.toMatch(/eyJ/);
  });

  it('Entra without a login_hint claim: no hint at all (never the id_token)', async () => {
    const provider = await FakeProvider.create(`https://login.microsoftonline.com/${tenant}/v2.0`);
    provider.claims = { ...provider.claims, tid: tenant, oid: '00000000-0000-0000-66f3-3332eca7ea81' };
    const url = await signedOutUrl(provider, true);
    expect(url.searchParams.has('logout_hint')).toBe(false);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
  });

  it('a generic OpenID provider: id_token_hint (RP-Initiated Logout 1.0)', async () => {
    const provider = await FakeProvider.create();
    const url = await signedOutUrl(provider, false);
    expect(url.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(url.searchParams.has('logout_hint')).toBe(false);
  });
});
