// The size budget `npm test` holds (issues 7, 19): the typical app, the bytes each opt-in
// feature adds to it (bench/size/index.mjs `features`), and keyward's core, React layer and both,
// bundled exactly as `npm run bench` bundles them (minified, React external, jose and idb-keyval
// in), must stay within size-budget.json (min+gzip bytes). Deterministic: same source, same bytes.
//
//   npm run size                       check
//   npm run size -- --update           lower each budget to the measurement + margin
//   npm run size -- --update --note "why"   also allow a budget to go up, recording why
import { readFileSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { buildLibrary, bundleSize, libDir, root, sourceOf } from '../bench/size/bundle.mjs';
import { featureCosts, keywardParts } from '../bench/size/index.mjs';

const budgetFile = `${root}size-budget.json`;
const budget = JSON.parse(readFileSync(budgetFile, 'utf8'));
const args = process.argv.slice(2);
const update = args.includes('--update');
const noteAt = args.indexOf('--note');
const note = noteAt >= 0 ? args[noteAt + 1] : undefined;

/**
 * What each bundle must contain, so the check cannot pass on a bundle that lost its entry or
 * most of its code (a broken alias, an entry that re-exports nothing; the index files themselves vanish from a bundle, so the check names modules with code): modules by path, exports by name.
 */
const mustContain = {
  core: {
    modules: ['src/client/PublicClientApplication.ts', 'src/protocol/idToken.ts', 'src/cache/indexedDbTokenCache.ts'],
    exports: ['PublicClientApplication', 'createAuthFetch', 'KeywardError'],
  },
  react: {
    modules: ['src/react/AuthProvider.tsx', 'src/react/useToken.ts', 'src/react/RequireAuth.tsx'],
    exports: ['AuthProvider', 'useToken', 'RequireAuth'],
  },
  both: {
    modules: ['src/client/PublicClientApplication.ts', 'src/react/AuthProvider.tsx', 'src/react/useToken.ts'],
    exports: ['PublicClientApplication', 'AuthProvider', 'useToken'],
  },
};

/**
 * A feature row is the difference of two gzip sizes (its app minus the typical app), which moves by
 * a few tens of bytes when unrelated shared code changes (gzip's matches shift); 3% of a 200 B row
 * is less than that, so a feature row's margin is at least `deltaMarginBytes`.
 */
const isDelta = (key) => !['typicalApp', ...keywardParts.map((p) => p.key)].includes(key);
const withMargin = (bytes, key) => Math.ceil(Math.max(bytes * (1 + budget.marginPercent / 100), isDelta(key) ? bytes + (budget.deltaMarginBytes ?? 0) : 0));
const failures = [];

/**
 * The package as built must not import one of its own modules for side effects only
 * (`import "./options.js";`). Rolldown leaves such an import behind when it inlines a constant
 * (`optimization.inlineConst`, off in vite.config.ts); an app's bundler must then keep that
 * module's execution order and splits the shared core out of the app's entry chunk into several
 * small chunks (measured: 3.2 kB min+gzip more for the typical app; bench/README.md "Measured as shipped").
 */
await buildLibrary();
const bareImports = [];
for (const file of readdirSync(libDir, { recursive: true })) {
  if (!String(file).endsWith('.js')) continue;
  const code = readFileSync(`${libDir}${file}`, 'utf8');
  for (const [, target] of code.matchAll(/^import\s*["'](\.{1,2}\/[^"']+)["'];?$/gm))
    bareImports.push(`${sourceOf(`${libDir}${file}`).slice(root.length)} → ${target}`);
}
if (bareImports.length) {
  failures.push(
    `the library build imports its own modules for side effects only (${bareImports.join('; ')}): an app's bundler then splits keyward across extra chunks. Keep \`optimization: { inlineConst: false }\` in vite.config.ts's rollupOptions, or remove the module-level side effect.`,
  );
}
const rows = [];

// The typical app and each feature row: what the page downloads once it has used the feature.
for (const row of await featureCosts()) {
  const limit = budget.gzip[row.key];
  const part = { key: row.key, label: row.key === 'typicalApp' ? `typical app` : `+ ${row.label}` };
  // --update gives a new row its first budget; the check itself needs one.
  if ((typeof limit !== 'number' || limit <= 0) && !update) {
    failures.push(`size-budget.json has no gzip budget for "${row.key}": run \`npm run size -- --update\``);
    continue;
  }
  if (row.missing.length || row.gzip <= 0) {
    failures.push(
      `${part.label}: the bundle is incomplete (gzip ${row.gzip} B; missing modules: ${row.missing.join(', ') || 'none'}), so its size says nothing. Fix bench/size/ before trusting the budget.`,
    );
    continue;
  }
  if (row.eager.length) {
    failures.push(
      `${part.label}: ${row.eager.join(', ')} ${row.eager.length === 1 ? 'is' : 'are'} in the typical app's initial download, but an opt-in feature must cost nothing until used. Load it with import() where it is first needed (see src/pop/popKeys.ts, or the device code methods of PublicClientApplication), or import only types from it.`,
    );
  }
  rows.push({ part, size: row, limit });
}
for (const part of keywardParts) {
  const limit = budget.gzip[part.key];
  if (typeof limit !== 'number' || limit <= 0) {
    failures.push(`size-budget.json has no gzip budget for "${part.key}"`);
    continue;
  }
  const size = await bundleSize(`${root}bench/size/entries/${part.entry}`, part.options);
  const want = mustContain[part.key];
  const missingModules = want.modules.filter((m) => !size.modules.includes(`${root}${m}`));
  const missingExports = want.exports.filter((e) => !size.exports.includes(e));
  if (size.gzip === 0 || missingModules.length || missingExports.length) {
    failures.push(
      `${part.label}: the bundle is incomplete (gzip ${size.gzip} B; missing modules: ${missingModules.join(', ') || 'none'}; missing exports: ${missingExports.join(', ') || 'none'}), so its size says nothing. Fix bench/size/ before trusting the budget.`,
    );
    continue;
  }
  rows.push({ part, size, limit });
}

for (const { part, size, limit } of rows) {
  const status = size.gzip > limit ? 'OVER' : 'ok';
  console.log(`${status.padEnd(4)} ${part.label}: ${size.gzip} B min+gzip (budget ${limit} B, raw ${size.raw} B, brotli ${size.brotli} B)`);
  if (size.gzip > limit && !update) {
    failures.push(
      `${part.label} is ${size.gzip} B min+gzip, over its budget of ${limit} B by ${size.gzip - limit} B. ` +
        `Make it smaller (npm run bench shows the breakdown; bench/README.md lists where bytes go), or, if the growth is worth it, ` +
        `run \`npm run size -- --update --note "<why>"\`, which raises size-budget.json to the measurement + ${budget.marginPercent}% and records the note.`,
    );
  } else if (withMargin(size.gzip, part.key) < limit && !update) {
    console.log(
      `     ${part.key} shrank: lower its budget to ${withMargin(size.gzip, part.key)} B with \`npm run size -- --update\` (budgets only move down).`,
    );
  }
}

if (update && failures.length === 0) {
  const date = new Date().toISOString().slice(0, 10);
  for (const { part, size, limit } of rows) {
    const next = withMargin(size.gzip, part.key);
    if (next === limit) continue;
    // Within its budget but inside the margin: --update only lowers, so it stays as it is.
    if (typeof limit === 'number' && next > limit && size.gzip <= limit && !note) continue;
    if (typeof limit === 'number' && next > limit && !note) {
      failures.push(`${part.key}: raising the budget from ${limit} B to ${next} B needs a reason: add --note "<why>".`);
      continue;
    }
    budget.gzip[part.key] = next;
    budget.history.push({
      date,
      part: part.key,
      from: limit ?? null,
      to: next,
      measured: size.gzip,
      ...((next > limit || limit === undefined) && note && { note }),
    });
    console.log(`budget ${part.key}: ${limit} B -> ${next} B`);
  }
  if (failures.length === 0) writeFileSync(budgetFile, `${JSON.stringify(budget, null, 2)}\n`);
}

if (failures.length) {
  for (const failure of failures) console.error(`size check failed: ${failure}`);
  process.exit(1);
}
