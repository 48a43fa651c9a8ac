// What `npm start` runs, as pieces the walkthrough test (test/e2e/playground.e2e.test.ts) reuses:
// the local IdP, the protected API that trusts it, and the playground's Vite dev server with a
// small loopback-only control endpoint (`POST /__playground/claims`) that turns the API's
// claims challenge on and off.
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { createIdp } from '../../test/idp/createIdp.mjs';
import { createResourceServer } from '../../test/resource/createResourceServer.mjs';

export const PLAYGROUND_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The auth context the API demands while its claims challenge is on (Entra's CAE shape). */
export const CLAIMS_CHALLENGE = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';

/** Where `npm run storybook` serves the stories. */
const STORYBOOK_ORIGINS = ['http://localhost:6006', 'http://127.0.0.1:6006'];

/** @param {import('./stack.d.mts').LocalServicesOptions} options */
export async function startLocalServices({ appOrigin, idpPort = 0, apiPort = 0 }) {
  // authContext: the IdP puts the `acrs` a claims challenge asks for into the access token,
  // as Entra does, so re-acquisition really satisfies the API. The Storybook dev server
  // (`npm run storybook`) is a client too: its live story signs in here.
  const idp = await createIdp({
    port: idpPort,
    redirectUris: [`${appOrigin}/`, ...STORYBOOK_ORIGINS.map((origin) => `${origin}/__keyward/live-redirect`)],
    corsOrigins: [appOrigin, ...STORYBOOK_ORIGINS],
    authContext: true,
  });
  const api = await createResourceServer({
    issuers: [{ issuer: idp.issuer, jwks: idp.jwks, audience: 'api://demo' }],
    corsOrigins: [appOrigin],
    port: apiPort,
  });
  return {
    idp,
    api,
    async close() {
      await api.close();
      await idp.close();
    },
  };
}

/**
 * `POST /__playground/claims` with `{"on": true|false}` on the Vite server itself (same origin as
 * the page, so no CORS; Vite listens on 127.0.0.1 only). Answers `{on, claims}`.
 * @param {{ setClaimsChallenge(claims: string | undefined): void } | undefined} api
 * @returns {import('vite').Plugin}
 */
function controlPlugin(api) {
  let on = false;
  return {
    name: 'keyward-playground-control',
    configureServer(server) {
      server.middlewares.use('/__playground/claims', (req, res) => {
        const reply = (status, body) => {
          res.statusCode = status;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(body));
        };
        if (!api) return reply(404, { error: 'the protected API is not running (VITE_KEYWARD_API points elsewhere)' });
        if (req.method === 'GET') return reply(200, { on, claims: on ? CLAIMS_CHALLENGE : null });
        if (req.method !== 'POST') return reply(405, { error: 'POST or GET' });
        let raw = '';
        req.on('data', (chunk) => {
          raw += chunk;
        });
        req.on('end', () => {
          try {
            on = Boolean(JSON.parse(raw || '{}').on);
          } catch {
            return reply(400, { error: 'body must be JSON {"on": boolean}' });
          }
          api.setClaimsChallenge(on ? CLAIMS_CHALLENGE : undefined);
          reply(200, { on, claims: on ? CLAIMS_CHALLENGE : null });
        });
      });
    },
  };
}

/** @param {import('./stack.d.mts').PlaygroundServerOptions} options */
export async function startPlaygroundServer({ port, api, env = {}, logLevel }) {
  // Vite exposes VITE_* variables of process.env to the page.
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
  const server = await createServer({
    root: PLAYGROUND_ROOT,
    configFile: false,
    ...(logLevel && { logLevel }),
    plugins: [controlPlugin(api)],
    server: { host: '127.0.0.1', port, strictPort: true },
    // The server folder is Node code for this script, not part of the page.
    optimizeDeps: { entries: ['index.html'] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const actual = address && typeof address === 'object' ? address.port : port;
  return { server, origin: `http://127.0.0.1:${actual}`, close: () => server.close() };
}
