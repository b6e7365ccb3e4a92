import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cacheFileFor } from './code-cache.js';

// bin/code-cache.js runs the CLI's zod and re2js from a V8 code cache written at exit: each case
// is a real node process, as `mig` is, since the cache is only written when a process ends.
const LOADER = new URL('./code-cache.js', import.meta.url).href;
const Outcome = z.object({ cache: z.enum(['accepted', 'rejected', 'absent']), answer: z.number(), dir: z.string() });

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mig-code-cache-'));
  file = join(dir, 'lib.cjs');
  writeLib(42, new Date('2026-01-01T10:00:00Z'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeLib(answer: number, mtime: Date): void {
  writeFileSync(
    file,
    [
      "const { join } = require('node:path');",
      `exports.answer = ${answer};`,
      'exports.dir = join(__dirname, ".");',
      'exports.fail = () => { throw new Error("from line 4"); };',
      '',
    ].join('\n'),
  );
  utimesSync(file, mtime, mtime);
}

/** Loads `file` in a new node process: what it reported, and its stderr. */
function load(extra = ''): { outcome: z.infer<typeof Outcome>; stderr: string } {
  const script =
    `import { loadCommonJs } from ${JSON.stringify(LOADER)};` +
    `const { exports, cache } = loadCommonJs(process.argv[1]);` +
    `${extra}console.log(JSON.stringify({ cache, answer: exports.answer, dir: exports.dir }));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { encoding: 'utf8' });
  expect(out.status, out.stderr).toBe(0);
  return { outcome: Outcome.parse(JSON.parse(out.stdout)), stderr: out.stderr };
}

describe('loadCommonJs', () => {
  it('runs the file as CommonJS, writes the cache at exit, and the next start compiles from it', () => {
    expect(load().outcome).toEqual({ cache: 'absent', answer: 42, dir });
    expect(existsSync(cacheFileFor(file))).toBe(true);
    expect(load().outcome).toEqual({ cache: 'accepted', answer: 42, dir });
  });

  it('compiles as before from a cache V8 rejects, and replaces that cache', () => {
    load();
    writeFileSync(cacheFileFor(file), 'not a V8 code cache');
    expect(load().outcome).toEqual({ cache: 'rejected', answer: 42, dir });
    expect(readFileSync(cacheFileFor(file), 'utf8')).not.toBe('not a V8 code cache');
    expect(load().outcome.cache).toBe('accepted');
  });

  it('never meets the bytecode of an earlier build: a rebuilt file has a cache of its own', () => {
    load();
    // Same length as before: V8's own check would take the old bytecode for this source.
    writeLib(43, new Date('2026-01-01T11:00:00Z'));
    expect(load().outcome).toEqual({ cache: 'absent', answer: 43, dir });
  });

  it('decodes a file that is not ASCII as UTF-8 (the build writes ASCII, read as Latin-1)', () => {
    // 4 UTF-16 units; 9 if its UTF-8 bytes were read as Latin-1.
    writeFileSync(file, "exports.answer = '\u2212\u00b5\u{1f600}'.length; // \u2212 µ 😀\nexports.dir = __dirname;\n");
    expect(readFileSync(file).length).toBeGreaterThan(readFileSync(file, 'utf8').length);
    expect(load().outcome).toEqual({ cache: 'absent', answer: 4, dir });
  });

  it('keeps line numbers in stack traces those of the file', () => {
    const { stderr } = load('try { exports.fail(); } catch (e) { console.error(e.stack); }');
    expect(stderr).toContain(`${file}:4`);
  });

  it('runs without a cache where none can be written, leaving no temporary file', () => {
    // A directory where the cache would go: the rename at exit fails, as in a read-only install.
    mkdirSync(join(cacheFileFor(file), 'occupied'), { recursive: true });
    const { outcome, stderr } = load();
    expect(outcome).toEqual({ cache: 'absent', answer: 42, dir });
    expect(stderr).toBe('');
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
