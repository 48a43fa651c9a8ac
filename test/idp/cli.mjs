// `npm run idp` / `npm start`: the local IdP on a fixed port for the playground.
// Env: KEYWARD_IDP_PORT (default 4000), KEYWARD_APP_ORIGIN (default http://127.0.0.1:5173).
import { createIdp } from './createIdp.mjs';

const port = Number(process.env.KEYWARD_IDP_PORT ?? 4000);
const appOrigin = (process.env.KEYWARD_APP_ORIGIN ?? 'http://127.0.0.1:5173').replace(/\/$/, '');

const idp = await createIdp({
  port,
  redirectUris: [`${appOrigin}/`, `${appOrigin}/popup.html`],
  corsOrigins: [appOrigin],
});
console.log(`keyward IdP: ${idp.issuer} (client_id "spa", any login/password; app ${appOrigin})`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await idp.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
