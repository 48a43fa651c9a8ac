/**
 * The page the end-to-end tests drive: it loads keyward exactly as an app would, builds a
 * client from the config the test injects (Playwright init script), and runs
 * handleRedirectPromise() on every load. Tests call the SDK through `window.keyward` / `window.app`.
 */
import * as keyward from '../../../src/index.js';

declare global {
  interface Window {
    __E2E_CONFIG__?: keyward.PublicClientApplicationOptions;
    keyward: typeof keyward;
    app?: keyward.PublicClientApplication;
    redirectOutcome?: Promise<{ result: keyward.AuthenticationResult | null; error?: { name: string; errorCode: string; message: string } }>;
  }
}

window.keyward = keyward;
const status = document.getElementById('status')!;

if (window.__E2E_CONFIG__) {
  const app = new keyward.PublicClientApplication(window.__E2E_CONFIG__);
  window.app = app;
  window.redirectOutcome = app.handleRedirectPromise().then(
    (result) => ({ result }),
    (error: keyward.KeywardError) => ({ result: null, error: { name: error.name, errorCode: error.errorCode, message: error.message } }),
  );
  void window.redirectOutcome.then((outcome) => {
    status.textContent = outcome.error ? `error ${outcome.error.errorCode}` : outcome.result ? `signed in ${outcome.result.account.username}` : 'ready';
  });
} else {
  status.textContent = 'ready';
}
