// The layering docs/architecture.md draws, checked against the code: a module imports only
// from its own concern or from a floor below, the ground-floor types import nothing of ours,
// the core never imports React, and comments cite only sources inside the repository.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { importEdges } from '../../scripts/import-graph.mjs';

interface Edge {
  from: string;
  to: string;
  file: string;
  spec: string;
  typeOnly: boolean;
}

/** Lowest first. Entry points and the layers people build on (react, router, server, testing) sit on top. */
const floors: Record<string, number> = {
  types: 0,
  version: 1,
  errors: 1,
  logger: 1,
  util: 1,
  http: 2,
  protocol: 3,
  authority: 4,
  cache: 5,
  pop: 5,
  'client/state': 6,
  'client/browser': 6,
  'client/context': 7,
  'client/token': 8,
  'client/flows': 9,
  client: 10,
  index: 11,
  react: 11,
  router: 11,
  testing: 11,
  server: 11,
};

const edges = importEdges() as Edge[];
const src = path.resolve(import.meta.dirname, '../../src');

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (/\.tsx?$/.test(entry.name)) yield full;
  }
}

describe('architecture', () => {
  it('finds the imports it checks (the graph is not empty)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from === 'client/flows' && e.to === 'client/token')).toBe(true);
  });

  it('every concern has a floor', () => {
    const unknown = [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((c) => floors[c] === undefined);
    expect(unknown).toEqual([]);
  });

  it('no module imports from a floor above its own', () => {
    const upward = edges.filter((e) => e.from !== e.to && floors[e.to]! >= floors[e.from]!);
    expect(upward.map((e) => `${e.file} imports ${e.spec} (${e.from} → ${e.to})`)).toEqual([]);
  });

  it('src/types.ts is the ground floor: no imports of keyward modules, no runtime imports', () => {
    const text = fs.readFileSync(path.join(src, 'types.ts'), 'utf8');
    const imports = [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)];
    expect(imports.filter((m) => m[2]!.startsWith('.'))).toEqual([]);
    expect(imports.filter((m) => !m[1])).toEqual([]);
  });

  it('the core knows nothing of React', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(src)) {
      if (file.includes(`${path.sep}react${path.sep}`) || file.includes(`${path.sep}testing${path.sep}`)) continue;
      if (/from\s+'react(-dom)?(\/[^']*)?'/.test(fs.readFileSync(file, 'utf8'))) offenders.push(path.relative(src, file));
    }
    expect(offenders).toEqual([]);
  });

  it('comments cite only sources inside the repository', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(src)) {
      const text = fs.readFileSync(file, 'utf8');
      if (/PROTOCOL\.md|checklist #|\.\.\/shared/.test(text)) offenders.push(path.relative(src, file));
    }
    expect(offenders).toEqual([]);
  });
});
