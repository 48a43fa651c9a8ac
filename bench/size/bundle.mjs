// Bundles one entry for production with Vite, in memory, and measures what a browser would
// download: raw, gzip (zlib level 9) and brotli (max quality) bytes of every JS chunk.
// Shared by the benchmark (bench/size/index.mjs) and the size budget (scripts/size-check.mjs)
// so the two can never measure differently.
import { build } from 'vite';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * React is the app's own dependency (every SDK here needs it anyway), so it stays out of every
 * bundle. Everything else — jose, idb-keyval, each SDK's own dependencies — is bundled, since
 * users ship it.
 */
const reactExternal = [/^react($|\/)/, /^react-dom($|\/)/];

/**
 * keyward is measured as the package ships it: the library build (vite.config.ts, the same
 * `vite build` as `npm run build`) of the current src/, written here rather than to dist/ so
 * that measuring never needs nor clobbers a build. Bundling src/ directly instead was 6% smaller
 * than what an installed package gave once (bench/README.md "Measured as shipped"): the library
 * build had left bare imports behind that made the app's bundler split its entry chunk.
 */
export const libDir = `${root}node_modules/.cache/keyward-size/lib/`;

/** `keyward`, `keyward/react` and `keyward/router` as the package's `exports` map them (dist/ → the library build here). */
export const keywardAlias = [
  { find: /^keyward$/, replacement: `${libDir}index.js` },
  { find: /^keyward\/react$/, replacement: `${libDir}react.js` },
  { find: /^keyward\/router$/, replacement: `${libDir}router.js` },
];

let libraryBuild;
/** Runs the library build once per process (about 2 s); every bundle of this run uses it. */
export function buildLibrary() {
  libraryBuild ??= build({ configFile: `${root}vite.config.ts`, logLevel: 'silent', build: { outDir: libDir, emptyOutDir: true } }).then(() => {
    // As the package's own package.json says for dist/ (this folder has none above it but the repository's).
    writeFileSync(`${libDir}package.json`, JSON.stringify({ type: 'module', sideEffects: false }));
  });
  return libraryBuild;
}

/**
 * The source module a module of the library build came from (the build preserves modules:
 * lib/client/context.js is src/client/context.ts), so figures and checks name source files.
 * Any other id is returned as it is.
 */
export function sourceOf(id) {
  if (!id.startsWith(libDir)) return id;
  const path = id.slice(libDir.length).replace(/\.js$/, '');
  for (const candidate of [`src/${path}.ts`, `src/${path}.tsx`, `src/${path}/index.ts`]) if (existsSync(`${root}${candidate}`)) return `${root}${candidate}`;
  return id;
}

/**
 * A feature entry (bench/size/features/) imports the typical app for its side effects; the
 * package's `"sideEffects": false` would let the bundler drop that import, so the app module is
 * marked as having side effects (it renders the app).
 */
const appHasSideEffects = {
  name: 'keyward-bench:app-side-effects',
  enforce: 'post',
  transform(code, id) {
    return id.includes('/bench/size/apps/') ? { code, map: null, moduleSideEffects: true } : null;
  },
};

/**
 * @param {string} entry absolute path of the entry module
 * @param {{ keepExports?: boolean, plugins?: import('vite').Plugin[] }} [options]
 *   keepExports: keep every export of the entry (for "the whole public API" entries); an app entry
 *   keeps only what it uses. plugins: e.g. one that leaves some modules external.
 * @returns {Promise<{ raw: number, gzip: number, brotli: number, chunks: number, initial: { raw: number, gzip: number, brotli: number }, initialModules: string[],
 *   lazy: { raw: number, gzip: number, brotli: number, fileName: string, modules: string[], imports: string[] }[], modules: string[], exports: string[] }>}
 */
export async function bundleSize(entry, { keepExports = false, plugins = [] } = {}) {
  await buildLibrary();
  const output = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    resolve: { alias: keywardAlias },
    plugins: [appHasSideEffects, ...plugins],
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
        // allow-extension: every export kept, and modules shared with lazy chunks stay in the entry chunk
        // (as in an app's bundle) instead of being split into chunks of their own.
        preserveEntrySignatures: keepExports ? 'allow-extension' : false,
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
  const sizes = {
    raw: 0,
    gzip: 0,
    brotli: 0,
    chunks: chunks.length,
    initial: { raw: 0, gzip: 0, brotli: 0 },
    initialModules: [],
    lazy: [],
    modules: [],
    exports: [],
  };
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
    if (initialNames.has(chunk.fileName)) sizes.initialModules.push(...Object.keys(chunk.modules).map(sourceOf));
    if (!initialNames.has(chunk.fileName))
      sizes.lazy.push({ ...size, fileName: chunk.fileName, modules: Object.keys(chunk.modules).map(sourceOf), imports: chunk.imports });
    sizes.modules.push(...Object.keys(chunk.modules).map(sourceOf));
    if (chunk.isEntry) sizes.exports.push(...chunk.exports);
  }
  return sizes;
}

/**
 * What a page running `size`'s bundle downloads once it has used the features whose modules are
 * `loads` (paths from the repository root): the initial chunks, plus every lazy chunk holding one
 * of those modules and the chunks that chunk imports.
 * @param {Awaited<ReturnType<typeof bundleSize>>} size
 * @param {string[]} loads
 * @returns {{ raw: number, gzip: number, brotli: number, missing: string[] }}
 */
export function loadedSize(size, loads) {
  const total = { ...size.initial, missing: [] };
  const taken = new Set();
  const take = (chunk) => {
    if (taken.has(chunk.fileName)) return;
    taken.add(chunk.fileName);
    for (const unit of ['raw', 'gzip', 'brotli']) total[unit] += chunk[unit];
    for (const name of chunk.imports) {
      const imported = size.lazy.find((c) => c.fileName === name);
      if (imported) take(imported);
    }
  };
  for (const module of loads) {
    const id = `${root}${module}`;
    const chunk = size.lazy.find((c) => c.modules.includes(id));
    if (chunk) take(chunk);
    else if (!size.modules.includes(id)) total.missing.push(module);
  }
  return total;
}
