import { readdir } from 'node:fs/promises';
import { build } from 'vite';
import { appOutDir, repoRoot } from './paths';

/**
 * Builds the e2e page (test/e2e/app) into .tmp/e2e-app. `configFile: false`
 * keeps the library build settings in vite.config.ts out of it; relative base
 * lets the static server serve it from any origin.
 */
export async function buildApp(): Promise<string> {
  await build({
    configFile: false,
    root: `${repoRoot}/test/e2e/app`,
    base: './',
    logLevel: 'warn',
    build: {
      outDir: appOutDir,
      emptyOutDir: true,
      sourcemap: false,
      minify: false,
      // Extra pages (e.g. popup.html) are picked up from the app folder.
      rolldownOptions: { input: await htmlEntries() },
    },
  });
  return appOutDir;
}

async function htmlEntries(): Promise<Record<string, string>> {
  const root = `${repoRoot}/test/e2e/app`;
  const html = (await readdir(root)).filter((f) => f.endsWith('.html'));
  return Object.fromEntries(html.map((f) => [f.replace(/\.html$/, ''), `${root}/${f}`]));
}
