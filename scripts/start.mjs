// `npm start`: the bundled local identity provider (oidc-provider on 127.0.0.1:4000), the local
// protected API (127.0.0.1:4100, trusting that provider) and the playground (Vite on
// 127.0.0.1:5173), stopped together with Ctrl+C.
// Set VITE_KEYWARD_AUTHORITY or VITE_KEYWARD_OIDC_AUTHORITY to use another provider: the local
// provider and API are then not started (set VITE_KEYWARD_API to your own API).
import { startLocalServices, startPlaygroundServer } from '../playground/server/stack.mjs';

const appPort = Number(process.env.KEYWARD_APP_PORT ?? 5173);
const appOrigin = `http://127.0.0.1:${appPort}`;
const external = process.env.VITE_KEYWARD_AUTHORITY || process.env.VITE_KEYWARD_OIDC_AUTHORITY;

const local = external
  ? undefined
  : await startLocalServices({ appOrigin, idpPort: Number(process.env.KEYWARD_IDP_PORT ?? 4000), apiPort: Number(process.env.KEYWARD_API_PORT ?? 4100) });
const env = local ? { VITE_KEYWARD_OIDC_AUTHORITY: local.idp.issuer, VITE_KEYWARD_API: process.env.VITE_KEYWARD_API || local.api.url('/api/profile') } : {};
const app = await startPlaygroundServer({ port: appPort, api: local?.api, env });

console.log('');
console.log(`  keyward playground  ${app.origin}/`);
console.log(external ? `  provider            ${external}` : `  local provider      ${local.idp.issuer}  (client "spa"; any login name and password)`);
console.log(`  protected API       ${process.env.VITE_KEYWARD_API || '(none: set VITE_KEYWARD_API)'}`);
console.log('  Ctrl+C to stop');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await app.close();
  await local?.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
