import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SOURCE_DIRS, SOURCE_LIST, STAMP, buildInputs, distIsFresh } from './dist-state.js';

// A fake checkout: the build's inputs, then a stamp and list as scripts/build.mjs leaves them.
let root: string;
const built = new Date('2026-01-01T10:00:00Z');
const before = new Date('2026-01-01T09:00:00Z');
const after = new Date('2026-01-01T11:00:00Z');

function write(rel: string, time: Date): void {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, rel);
  utimesSync(path, time, time);
}

function build(): void {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, SOURCE_LIST), `${buildInputs(root).join('\n')}\n`);
  write(STAMP, built);
}

beforeEach(() => {
  root = `${mkdtempSync(join(tmpdir(), 'mig-dist-state-'))}/`;
  for (const dir of SOURCE_DIRS) mkdirSync(join(root, dir));
  for (const file of [
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'agent/start.ts',
    'modules/yara/scan-worker.mjs',
    'console/app/view.tsx',
    'bin/code-cache.js',
  ])
    write(file, before);
  write('agent/start.test.ts', before);
  write('agent/worker/test-modules.ts', before);
  write('modules/firewall/testing/netns.ts', before);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('buildInputs', () => {
  it('lists compiled sources, assets and inlined JavaScript, not tests nor test support', () => {
    expect(buildInputs(root).sort()).toEqual([
      'agent/start.ts',
      'bin/code-cache.js',
      'console/app/view.tsx',
      'modules/yara/scan-worker.mjs',
      'package.json',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
  });
});

describe('distIsFresh', () => {
  it('is false with no build', () => {
    expect(distIsFresh(root)).toBe(false);
  });

  it('is true when every listed file is older than the build', () => {
    build();
    expect(distIsFresh(root)).toBe(true);
  });

  it('is false after an edit to a source, an asset or the compiler settings', () => {
    for (const file of ['agent/start.ts', 'modules/yara/scan-worker.mjs', 'tsconfig.build.json']) {
      build();
      write(file, after);
      expect(distIsFresh(root), file).toBe(false);
      write(file, before);
    }
  });

  it('is false when a listed source is gone (renamed or deleted since the build)', () => {
    build();
    rmSync(join(root, 'console/app/view.tsx'));
    expect(distIsFresh(root)).toBe(false);
  });

  it('ignores edits to tests, which are not compiled', () => {
    build();
    write('agent/start.test.ts', after);
    expect(distIsFresh(root)).toBe(true);
  });

  it('is false when the list of inputs is missing (a build from before lists existed)', () => {
    build();
    rmSync(join(root, SOURCE_LIST));
    expect(distIsFresh(root)).toBe(false);
  });
});
