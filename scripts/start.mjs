// `npm start`: the bundled local identity provider (oidc-provider on 127.0.0.1:4000)
// and the playground (Vite on 127.0.0.1:5173), stopped together with Ctrl+C.
// Set VITE_KEYWARD_AUTHORITY or VITE_KEYWARD_OIDC_AUTHORITY to use another provider;
// the local one is then not started.
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../playground', import.meta.url));
const appPort = Number(process.env.KEYWARD_APP_PORT ?? 5173);
const appOrigin = `http://127.0.0.1:${appPort}`;
const external = process.env.VITE_KEYWARD_AUTHORITY || process.env.VITE_KEYWARD_OIDC_AUTHORITY;

let idp;
if (!external) {
  const { createIdp } = await import('../test/idp/createIdp.mjs');
  idp = await createIdp({
    port: Number(process.env.KEYWARD_IDP_PORT ?? 4000),
    redirectUris: [`${appOrigin}/`],
    corsOrigins: [appOrigin],
  });
  process.env.VITE_KEYWARD_OIDC_AUTHORITY = idp.issuer;
}

const server = await createServer({ root, configFile: false, server: { host: '127.0.0.1', port: appPort, strictPort: true } });
await server.listen();

console.log('');
console.log(`  keyward playground  ${appOrigin}/`);
console.log(external ? `  provider            ${external}` : `  local provider      ${idp.issuer}  (client "spa"; any login name and password)`);
console.log('  Ctrl+C to stop');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.close();
  await idp?.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
