// A Vite plugin for keyward's own build: every `ErrorCode.someName` in src/ becomes its string
// value, as TypeScript inlines a const enum. The source keeps the checked names (a misspelt
// code does not compile); the package then ships `'invalid_request'` instead of a property read
// of the `ErrorCode` object, so an app's bundler drops the object (about 95 codes, 1.4 kB
// min+gzip) unless the app imports `ErrorCode` itself. Used by vite.config.ts, so the package
// build, the size bench (which runs that build) and the tests all see the same code.
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { fileURLToPath } from 'node:url';

const errorsModule = fileURLToPath(new URL('../src/errors.ts', import.meta.url));

/** `name: 'value'` pairs of the `ErrorCode` object literal in src/errors.ts. */
function readErrorCodes(): Map<string, string> {
  const source = readFileSync(errorsModule, 'utf8');
  const start = source.indexOf('export const ErrorCode = {');
  const end = source.indexOf('} as const;', start);
  if (start < 0 || end < 0) throw new Error('inline-error-codes: no `export const ErrorCode = { … } as const;` in src/errors.ts');
  const codes = new Map<string, string>();
  for (const [, name, value] of source.slice(start, end).matchAll(/^\s+(\w+): '([a-z0-9_]+)',$/gm)) codes.set(name as string, value as string);
  if (codes.size === 0) throw new Error('inline-error-codes: read no codes from src/errors.ts');
  return codes;
}

export function inlineErrorCodes(): Plugin {
  const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
  let codes = new Map<string, string>();
  return {
    name: 'keyward:inline-error-codes',
    enforce: 'pre',
    buildStart() {
      codes = readErrorCodes();
    },
    transform(code: string, id: string) {
      if (!id.startsWith(srcDir) || !/\.tsx?$/.test(id) || !code.includes('ErrorCode.')) return null;
      const out = code.replace(/(?<![\w$.])ErrorCode\.(\w+)/g, (_match, name: string) => {
        const value = codes.get(name);
        if (value === undefined) this.error(`inline-error-codes: ${id} uses ErrorCode.${name}, which src/errors.ts does not define`);
        return `'${value}'`;
      });
      return { code: out, map: null };
    },
  };
}
