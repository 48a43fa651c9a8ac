import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { repoRoot } from './paths';

/** The Next.js App Router example: its own package.json and lock, installed apart from the repository's `npm ci`. */
export const exampleDir = `${repoRoot}/examples/nextjs`;
const installedMarker = `${exampleDir}/node_modules/.keyward-lock-sha256`;

/** No telemetry, no update checks: the example build and server reach nothing but loopback. */
const nextEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_DISABLE_UPDATE_CHECK: '1' };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = nextEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/**
 * Installs the example's dependencies from its own committed lock (`npm ci`, skipped when
 * that lock is already installed), then the packed keyward build of this repository (the
 * tarball a user would get from the registry; `--no-save` leaves the lock as committed).
 * Needs `npm run build` first (npm test builds before it runs the tests).
 */
export async function installExample(): Promise<void> {
  if (!existsSync(`${repoRoot}/dist/types/react/index.d.ts`)) throw new Error('dist/ is missing: run `npm run build` first');
  const lockHash = createHash('sha256')
    .update(readFileSync(`${exampleDir}/package-lock.json`))
    .digest('hex');
  const installed = existsSync(installedMarker) && readFileSync(installedMarker, 'utf8') === lockHash;
  if (!installed) {
    await run('npm', ['ci', '--no-audit', '--no-fund'], exampleDir);
    writeFileSync(installedMarker, lockHash);
  }
  const packed = await run('npm', ['pack', '--pack-destination', `${repoRoot}/.tmp`, '--silent'], repoRoot);
  const tarball = `${repoRoot}/.tmp/${packed.trim().split('\n').pop()}`;
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', tarball], exampleDir);
}

/** `next build`; resolves with its output. */
export function buildExample(): Promise<string> {
  return run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], exampleDir);
}

export interface ExampleServer {
  origin: string;
  /** Everything `next start` printed. */
  output(): string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `next start` on 127.0.0.1:`port`, with `env` on top (the provider it signs in with); resolves once it answers. */
export async function startExample(port: number, env: Record<string, string>): Promise<ExampleServer> {
  const child: ChildProcess = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: exampleDir,
    env: { ...nextEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so closing stops any worker Next started too.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${origin}/api/hello`);
      if (response.status === 401) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`next start did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { origin, output: () => output, close };
}
