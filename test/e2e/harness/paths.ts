import { fileURLToPath } from 'node:url';

/** Repository root (no trailing slash). */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
/** Where globalSetup builds test/e2e/app; inside the git-ignored .tmp/. */
export const appOutDir = `${repoRoot}/.tmp/e2e-app`;
