// Type-checks every TypeScript block of README.md against the built package (issue 16): run by
// `npm test` after `npm run build`. Each ```ts / ```tsx block becomes its own module under
// .tmp/readme-snippets/ and is compiled with strict settings (strict, noUncheckedIndexedAccess,
// noUnusedLocals, exactOptionalPropertyTypes), importing `keyward`, `keyward/react`, … as an
// app would: through package.json `exports` to dist/types (the package resolves itself by name).
//
// Conventions for README authors:
// - A block may need names it does not define (the app's own `Spinner`, a `clientId` set up
//   earlier). Declare them in an HTML comment right above the fence, which GitHub does not render:
//       <!-- snippet-preamble: declare const clientId: string; declare function Spinner(): JSX.Element; -->
//       ```ts
//   The preamble is prepended to the block, and only to that block. Nothing else is ever declared
//   for you: a name a block uses without declaring is an error, as it would be in an app.
// - A block that is deliberately a fragment (not valid on its own) is marked ```ts nocheck or
//   ```tsx nocheck. Keep that rare: a snippet that does not compile is a snippet people copy.
// - Blocks are modules (top-level await works); each is checked alone.
//
//   node scripts/check-readme-snippets.mjs [README.md]
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = process.argv[2] ?? `${root}README.md`;
const outDir = `${root}.tmp/readme-snippets`;

const lines = readFileSync(readme, 'utf8').split('\n');
const blocks = [];
for (let i = 0; i < lines.length; i++) {
  const open = /^```(ts|tsx)(\s+nocheck)?\s*$/.exec(lines[i]);
  if (!open) continue;
  const start = i + 1;
  let end = start;
  while (end < lines.length && !lines[end].startsWith('```')) end++;
  // The preamble: the HTML comment ending on the line just above the fence.
  let preamble = '';
  if (i > 0 && lines[i - 1].trimEnd().endsWith('-->')) {
    let first = i - 1;
    while (first > 0 && !lines[first].includes('<!--')) first--;
    const comment = lines.slice(first, i).join('\n');
    const match = /<!--\s*snippet-preamble:([\s\S]*?)-->/.exec(comment);
    if (match) preamble = match[1].trim();
  }
  blocks.push({ lang: open[1], skip: Boolean(open[2]), line: start + 1, preamble, code: lines.slice(start, end).join('\n') });
  i = end;
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const files = [];
for (const block of blocks) {
  if (block.skip) continue;
  const name = `readme-line-${block.line}.${block.lang}`;
  // The preamble sits on the same first line, so error line numbers map to README lines (line - 1).
  const body = `${block.preamble.replace(/\n/g, ' ')}\n${block.code}\nexport {};\n`;
  writeFileSync(`${outDir}/${name}`, body);
  files.push({ name, block });
}
writeFileSync(
  `${outDir}/tsconfig.json`,
  JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        noUncheckedIndexedAccess: true,
        noUnusedLocals: true,
        exactOptionalPropertyTypes: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        jsx: 'react-jsx',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        skipLibCheck: true,
        noEmit: true,
      },
      files: files.map((f) => f.name),
    },
    null,
    2,
  ),
);

const checked = files.length;
const skipped = blocks.length - checked;
if (checked === 0) {
  console.error(`readme snippets: no TypeScript blocks found in ${readme}`);
  process.exit(1);
}
const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${outDir}/tsconfig.json`, '--pretty', 'false'], { encoding: 'utf8' });
if (tsc.status !== 0) {
  // Report against README lines: block file line n is README line (block.line + n - 2).
  const byName = new Map(files.map((f) => [f.name, f.block]));
  const report = `${tsc.stdout}${tsc.stderr}`.replace(/(?:\S*\/)?(readme-line-\d+\.tsx?)\((\d+),(\d+)\)/g, (all, name, line, col) => {
    const block = byName.get(name);
    return block ? `README.md:${block.line + Number(line) - 2}:${col}` : all;
  });
  console.error(report.trim());
  console.error(`readme snippets: ${checked} checked, ${skipped} marked nocheck: FAILED (sources in .tmp/readme-snippets/)`);
  process.exit(1);
}
console.log(`readme snippets: ${checked} TypeScript blocks type-check against the built package (${skipped} marked nocheck)`);
