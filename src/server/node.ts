/// <reference types="node" />
import type * as NodeCrypto from 'node:crypto';
import type * as NodeFs from 'node:fs';
import type * as NodeModule from 'node:module';
import { ConfigurationError, ErrorCode } from '../errors.js';

/**
 * Node's built-in modules, loaded when first needed rather than by `import` statements.
 * A top-level `import 'node:crypto'` fails to link in a browser bundle, and then people see
 * a bundler error instead of keyward's `server_client_in_browser`; loading lazily keeps the
 * entry importable everywhere. `process.getBuiltinModule` (Node 20.16+) is synchronous, so
 * credentials can still be checked inside the constructor.
 */
function builtin<T>(id: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') {
    throw new ConfigurationError(
      ErrorCode.serverClientInBrowser,
      `keyward/server needs Node.js 20.16 or later (it loads "${id}" through process.getBuiltinModule).`,
    );
  }
  return get(id) as T;
}

export const nodeCrypto = (): typeof NodeCrypto => builtin<typeof NodeCrypto>('node:crypto');
export const nodeFs = (): typeof NodeFs => builtin<typeof NodeFs>('node:fs');
export const nodeModule = (): typeof NodeModule => builtin<typeof NodeModule>('node:module');

/** True in a browser page or a worker of one (`importScripts`): a place where no secret can be kept. */
export function isBrowser(): boolean {
  return typeof window !== 'undefined' || typeof document !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
}

/** Environment variables where the runtime has them (Node, Bun, Deno with --allow-env); none elsewhere. */
export function environment(): Readonly<Record<string, string | undefined>> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}
