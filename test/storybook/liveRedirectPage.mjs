// Plain ESM so that .storybook/main.ts can import it with its extension (Storybook refuses
// extensionless imports there, and TypeScript refuses `.ts` ones).

/** Where the live story's popup lands: any same-origin page will do (keyward reads its URL). */
export const liveRedirectPath = '/__keyward/live-redirect';

/**
 * A blank page at the redirect path, on the server that serves the stories: the popup must land
 * on a same-origin document keyward can read (a 404 becomes Chromium's error page, which is not).
 * @returns {import('vite').Plugin}
 */
export function liveRedirectPage() {
  return {
    name: 'keyward-live-redirect',
    configureServer(server) {
      server.middlewares.use(liveRedirectPath, (_request, response) => {
        response.setHeader('content-type', 'text/html; charset=utf-8');
        response.end('<!doctype html><title>Signing in…</title>');
      });
    },
  };
}
