// The public API report (issue 17): one api/<entry>.api.md per entry point, written by
// @microsoft/api-extractor from the built declaration files (dist/types, so run npm run build
// first). `npm test` runs the check and fails when the public API (any exported name, member,
// parameter or type reachable from an entry) differs from the checked-in report; doc comments
// are not part of the report, so documentation edits do not touch it.
//
//   npm run api:check     compare with api/*.api.md (npm test)
//   npm run api:update    rebuild the declarations and rewrite api/*.api.md after an intended API change; commit the diff
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');
const entries = { keyward: 'index', react: 'react/index', cache: 'cache/index', testing: 'testing/index', server: 'server/index', router: 'router/index' };
const generated = `${root}.tmp/api/`;
mkdirSync(generated, { recursive: true });

const changed = [];
for (const [name, path] of Object.entries(entries)) {
  const config = ExtractorConfig.prepare({
    configObjectFullPath: `${root}api/api-extractor.json`,
    packageJsonFullPath: `${root}package.json`,
    configObject: {
      projectFolder: root,
      newlineKind: 'lf',
      mainEntryPointFilePath: `${root}dist/types/${path}.d.ts`,
      bundledPackages: [],
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'Bundler',
            lib: ['ES2022', 'DOM', 'DOM.Iterable', 'ESNext.Disposable'],
            types: ['node'],
            jsx: 'react-jsx',
            strict: true,
            skipLibCheck: true,
          },
          files: [`${root}dist/types/${path}.d.ts`],
        },
      },
      // Written to .tmp/api/ and compared here, after dropping the "(undocumented)" notices, so
      // documenting a member does not change the report.
      apiReport: { enabled: true, reportFileName: `${name}.api.md`, reportFolder: generated, reportTempFolder: `${generated}temp/` },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: false },
          // No release tags (@public/@beta) in keyward: everything exported is public.
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
          // Types reachable but not exported by name (option bags of internal helpers) are still in the report.
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: false },
          'ae-internal-missing-underscore': { logLevel: 'none', addToApiReportFile: false },
          // Doc comments and their links are TypeDoc's to check (npm run docs fails on them).
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
          'ae-unresolved-link': { logLevel: 'none', addToApiReportFile: false },
        },
        // TypeDoc checks the doc comments (npm run docs); api-extractor's TSDoc dialect differs.
        tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
      },
    },
  });
  const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false, messageCallback: quietInfo });
  if (!result.succeeded) {
    changed.push(`${name} (api-extractor reported errors above)`);
    continue;
  }
  const report = normalize(readFileSync(`${generated}${name}.api.md`, 'utf8'));
  const checkedIn = `${root}api/${name}.api.md`;
  writeFileSync(`${generated}${name}.api.md`, report);
  if (update) writeFileSync(checkedIn, report);
  else if (!existsSync(checkedIn) || readFileSync(checkedIn, 'utf8') !== report) {
    changed.push(name);
    spawnSync('diff', ['-u', checkedIn, `${generated}${name}.api.md`], { stdio: 'inherit' });
  }
}

/** Drops api-extractor's "(undocumented)" notices: the report is about the API's shape, TypeDoc checks the docs. */
function normalize(text) {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '// (undocumented)')
    .map((line) => line.replace(/^(\s*\/\/ @\w+) \(undocumented\)$/, '$1'))
    .join('\n');
}

function quietInfo(message) {
  // The "API signature changed" and per-file info lines: summarized below instead.
  if (message.logLevel === 'info' || message.logLevel === 'verbose' || message.messageId?.startsWith('console-api-report')) message.handled = true;
}

if (changed.length) {
  console.error(
    `\nThe public API differs from api/*.api.md for: ${changed.join(', ')}.\n` +
      'If the change is intended, run `npm run api:update` and commit the api/ diff (shown above).',
  );
  process.exit(1);
}
console.log(update ? 'api: reports written to api/' : `api: ${Object.keys(entries).length} reports match api/*.api.md`);
