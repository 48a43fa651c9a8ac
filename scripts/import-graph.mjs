// Prints the folder-level import graph of src/ (runtime and type imports), from the code itself:
// `node scripts/import-graph.mjs` — used to draw docs/architecture.md; test/unit/architecture.test.ts checks the rules.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(root, 'src');

/** The concern a src file belongs to: its top folder, or its own name for a ground-floor file (types, errors, …). */
export function concernOf(file) {
  const rel = path.relative(src, file).split(path.sep);
  if (rel.length === 1) return rel[0].replace(/\.tsx?$/, '');
  if (rel[0] === 'client') return rel.length > 2 ? `client/${rel[1]}` : rel[1] === 'PublicClientApplication.ts' ? 'client' : 'client/context';
  return rel[0];
}

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) yield full;
  }
}

/** Every edge: { from, to, file, spec, typeOnly }. */
export function importEdges() {
  const edges = [];
  for (const file of walk(src)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm)) {
      const target = path.resolve(path.dirname(file), m[2]).replace(/\.js$/, '.ts');
      const resolved = fs.existsSync(target) ? target : target.replace(/\.ts$/, '.tsx');
      edges.push({ from: concernOf(file), to: concernOf(resolved), file: path.relative(root, file), spec: m[2], typeOnly: Boolean(m[1]) });
    }
  }
  return edges;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const pairs = new Map();
  for (const e of importEdges()) if (e.from !== e.to) pairs.set(`${e.from} -> ${e.to}`, (pairs.get(`${e.from} -> ${e.to}`) ?? 0) + 1);
  for (const [pair, n] of [...pairs].sort()) console.log(`${pair}  (${n})`);
}
