// keyward/server imported into a browser bundle (Vite, real Chromium): the import itself
// works, and constructing the client throws the documented error, whichever credential form.
import { describe, expect, it } from 'vitest';
import { ConfidentialClientApplication, ConfigurationError, ErrorCode, KeywardError } from '../../src/server/index.js';

describe('keyward/server in a browser', () => {
  it.each([
    ['a client secret', 'secret-value'],
    ['a certificate key', { privateKey: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', thumbprint: 'AB'.repeat(20) }],
    ['a PFX file', { privateKeyPfxPath: '/app.pfx' }],
  ])('constructing with %s throws server_client_in_browser before looking at the credential', (_name, clientCredential) => {
    let caught: unknown;
    try {
      new ConfidentialClientApplication({ clientId: 'web', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', clientCredential });
    } catch (error) {
      caught = error;
    }
    expect(typeof window).toBe('object');
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect(caught).toBeInstanceOf(KeywardError);
    expect(caught).toMatchObject({ errorCode: ErrorCode.serverClientInBrowser });
    expect((caught as Error).message).toMatch(/not a secret/);
    expect((caught as Error).message).not.toContain('secret-value');
  });
});
