// The CommonJS build (dist/*.cjs) gets its own declaration files: each dist/types/**/*.d.ts is
// copied to a .d.cts whose relative imports name .cjs files. In a "type": "module" package
// TypeScript reads a .d.ts as ESM, so a `require` consumer typed by it would be told the
// package is ESM-only (node16 / nodenext resolution; what @arethetypeswrong/cli calls
// "Masquerading as ESM"). Run by `npm run build` after tsc.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const types = fileURLToPath(new URL('../dist/types/', import.meta.url));
// `from './x.js'`, `import('./x.js')`, `export * from '../y/index.js'`: relative specifiers only.
const relative = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+?)\.js\2/g;
// Dependencies that are ESM only (jose 6): a CommonJS declaration file may import their types
// only with resolution-mode "import" (TS1479 / TS1541 under node16 otherwise). In a declaration
// file every import is a type import, so `import { type A }` becomes `import type { A }`.
const esmOnly = /^import (type )?\{([^}]*)\} from '(jose)';$/gm;
const typeOnly = (_line, _type, names, id) => `import type {${names.replace(/\btype\s+/g, '')}} from '${id}' with { 'resolution-mode': 'import' };`;

let count = 0;
for (const file of readdirSync(types, { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.d.ts')) continue;
  const source = readFileSync(join(types, file), 'utf8');
  writeFileSync(join(types, file.replace(/\.d\.ts$/, '.d.cts')), source.replace(relative, '$1$2$3.cjs$2').replace(esmOnly, typeOnly));
  count += 1;
}
console.log(`cjs-types: ${count} .d.cts files written`);
