import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** console/services imports form no cycle (issue 14: gpg.ts and signer.ts imported each other). */

const DIR = dirname(fileURLToPath(import.meta.url));

/** Relative imports of one source file, `import type` included: a type-only cycle still couples the files. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)\.js'/gms)].map((m) => m[1] ?? '');
  return found.map((spec) => resolve(dirname(file), `${spec}.ts`)).filter((path) => path.startsWith(DIR));
}

function cycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const found: string[][] = [];
  const visit = (file: string, path: string[]): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push([...path.slice(at), file].map((f) => relative(DIR, f)));
      return;
    }
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
  };
  for (const file of files) visit(file, []);
  return found;
}

describe('console/services imports', () => {
  const files = readdirSync(DIR)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => join(DIR, name));

  it('the checker sees imports (type-only ones too)', () => {
    expect(importsOf(join(DIR, 'gpg.ts'))).toContain(join(DIR, 'signer-contract.ts'));
    expect(cycles([join(DIR, 'signer.ts'), join(DIR, 'gpg.ts')]).length).toBe(0);
  });

  it('form no cycle', () => {
    expect(cycles(files)).toEqual([]);
  });
});
