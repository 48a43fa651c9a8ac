// Bundles one entry for production with Vite, in memory, and measures what a browser would
// download: raw, gzip (zlib level 9) and brotli (max quality) bytes of every JS chunk.
// Shared by the benchmark (bench/size/index.mjs) and the size budget (scripts/size-check.mjs)
// so the two can never measure differently.
import { build } from 'vite';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * React is the app's own dependency (every SDK here needs it anyway), so it stays out of every
 * bundle. Everything else — jose, idb-keyval, each SDK's own dependencies — is bundled, since
 * users ship it.
 */
const reactExternal = [/^react($|\/)/, /^react-dom($|\/)/];

/**
 * keyward resolves to its source (src/), not dist/: the bench and the budget then need no build
 * first and measure the code as it is now. Bundling the built dist/ instead gave the same raw size
 * within 0.1% and gzip within 0.5% when this was set up (bench/README.md).
 */
export const keywardAlias = [
  { find: /^keyward$/, replacement: `${root}src/index.ts` },
  { find: /^keyward\/react$/, replacement: `${root}src/react/index.ts` },
];

/**
 * @param {string} entry absolute path of the entry module
 * @param {{ keepExports?: boolean, plugins?: import('vite').Plugin[] }} [options]
 *   keepExports: keep every export of the entry (for "the whole public API" entries); an app entry
 *   keeps only what it uses. plugins: e.g. one that leaves some modules external.
 * @returns {Promise<{ raw: number, gzip: number, brotli: number, chunks: number, initial: { raw: number, gzip: number, brotli: number },
 *   lazy: { raw: number, gzip: number, brotli: number, modules: string[], imports: string[] }[], modules: string[], exports: string[] }>}
 */
export async function bundleSize(entry, { keepExports = false, plugins = [] } = {}) {
  const output = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    resolve: { alias: keywardAlias },
    plugins,
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      modulePreload: false,
      reportCompressedSize: false,
      copyPublicDir: false,
      rollupOptions: {
        input: entry,
        external: reactExternal,
        preserveEntrySignatures: keepExports ? 'strict' : false,
      },
    },
  });
  const outputs = Array.isArray(output) ? output : [output];
  const chunks = outputs.flatMap((o) => ('output' in o ? o.output : [])).filter((file) => file.type === 'chunk');
  if (chunks.length === 0) throw new Error(`bundling ${entry} produced no JS chunk`);
  // initial: the entry chunk and every chunk it imports statically, which the page downloads before
  // any code runs; lazy: chunks reached only through import(), downloaded when a feature that needs
  // them is first used (for example the session monitor). raw/gzip/brotli count every chunk.
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const initialNames = new Set();
  const visit = (chunk) => {
    if (initialNames.has(chunk.fileName)) return;
    initialNames.add(chunk.fileName);
    for (const name of chunk.imports) if (byName.has(name)) visit(byName.get(name));
  };
  for (const chunk of chunks) if (chunk.isEntry) visit(chunk);
  const sizes = { raw: 0, gzip: 0, brotli: 0, chunks: chunks.length, initial: { raw: 0, gzip: 0, brotli: 0 }, lazy: [], modules: [], exports: [] };
  for (const chunk of chunks) {
    const bytes = Buffer.from(chunk.code);
    const size = {
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length,
    };
    for (const unit of ['raw', 'gzip', 'brotli']) {
      sizes[unit] += size[unit];
      if (initialNames.has(chunk.fileName)) sizes.initial[unit] += size[unit];
    }
    if (!initialNames.has(chunk.fileName)) sizes.lazy.push({ ...size, modules: Object.keys(chunk.modules), imports: chunk.imports });
    sizes.modules.push(...Object.keys(chunk.modules));
    if (chunk.isEntry) sizes.exports.push(...chunk.exports);
  }
  return sizes;
}
