import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationResult } from '../../protocol/messages.js';
import { EXIT } from './main.js';
import { composeTarget, parseDuration, splitHuntArgv } from './hunt-flags.js';
import { createHarness, type Harness } from '../../test/helpers/console/cli/harness.js';
import { getModuleSpec } from '../../modules/registry.js';

function fileResult(paths: readonly string[]): OperationResult {
  return {
    module: 'file',
    isFound: paths.length > 0,
    rows: paths.map((path) => ({ path, size: 12 })),
    stats: { files: 3 },
    errors: [],
  };
}

describe('mig file -t local', () => {
  let h: Harness;
  let dir: string;
  beforeEach(() => {
    h = createHarness();
    dir = mkdtempSync(join(tmpdir(), 'mig-local-'));
  });
  afterEach(() => {
    h.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in-process without a server or a key, renders the rows, exits 0 when found', async () => {
    h.localResults = [fileResult([join(dir, 'x')])];
    const status = await h.run(['file', '-t', 'local', '-path', dir, '-name', 'x']);
    expect(h.stderr.text).toContain('found');
    expect(status).toBe(EXIT.found);
    const lines = h.stdout.text.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.startsWith(`${hostname()} ${join(dir, 'x')}`)).toBe(true);
    expect(h.localCalls).toHaveLength(1);
    expect(h.localCalls[0]?.root).toBe('/');
    expect(h.localCalls[0]?.operations[0]?.module).toBe('file');
    expect(JSON.stringify(h.localCalls[0]?.operations[0]?.parameters)).toContain(dir);
  });

  it('exits 1 when nothing is found, and -show notfound says so', async () => {
    h.localResults = [fileResult([])];
    const status = await h.run(['file', '-t', 'local', '-path', dir, '-name', 'x', '-show', 'notfound']);
    expect(status).toBe(EXIT.notFound);
    expect(h.stdout.text).toBe(`${hostname()} nothing found\n`);
  });

  it('renders json and honours MIG_LOCAL_ROOT', async () => {
    h.env.MIG_LOCAL_ROOT = dir;
    h.localResults = [fileResult(['/etc/passwd'])];
    const status = await h.run(['file', '-path', '/etc', '-name', '^passwd$', '-t', 'local', '-render', 'json']);
    expect(status).toBe(EXIT.found);
    const entries = JSON.parse(h.stdout.text) as { agent: string; row: { path: string } }[];
    expect(entries.map((e) => [e.agent, e.row.path])).toEqual([[hostname(), '/etc/passwd']]);
    expect(h.localCalls[0]?.root).toBe(dir);
  });

  it('reports a failed operation on stderr and exits 2 when every operation failed', async () => {
    h.localResults = [{ ...fileResult([]), error: { code: 'MODULE_TIMEOUT', message: 'took too long' } }];
    const status = await h.run(['file', '-t', 'local', '-path', dir, '-name', 'x']);
    expect(status).toBe(EXIT.error);
    expect(h.stderr.text).toContain('file failed: MODULE_TIMEOUT took too long');
  });
});

const BASE = ['-path', '/tmp', '-name', 'x'];

describe('hunt flag errors name the flag', () => {
  let h: Harness;
  beforeEach(() => (h = createHarness()));
  afterEach(() => h.cleanup());

  it.each([
    {
      name: 'bad expiry',
      input: [BASE, '-e', '5x'],
      want: '-e: expected a duration like 30s, 5m, 1h30m or 2d, got "5x"',
    },
    {
      name: 'expiry past the longest window agents accept',
      input: [BASE, '-e', '30d'],
      want: '-e: expected at most 7d (the longest validity window agents accept), got "30d"',
    },
    { name: 'bad show', input: [BASE, '-show', 'maybe'], want: '-show: expected one of found, notfound, all' },
    { name: 'bad render', input: [BASE, '-render', 'xml'], want: '-render: expected one of text, json, ndjson, csv' },
    { name: 'bad target-found id', input: [BASE, '-target-found', 'XYZ'], want: '-target-found: ' },
    {
      name: 'unknown flag',
      input: [BASE, '-nmae', 'x'],
      want: '-nmae: expected a flag of mig file, got unknown flag -nmae; did you mean -name?',
    },
    {
      name: 'relative path (params schema)',
      input: [['-path', 'etc', '-name', 'x']],
      want: '-path: expected an absolute path (starting with /), got "etc" (INVALID_PARAMETERS)',
    },
    { name: 'stray argument', input: [BASE, 'oops'], want: 'unexpected argument "oops"' },
    {
      name: 'local with target-found',
      input: [BASE, '-t', 'local', '-target-found', 'a'.repeat(32)],
      want: '-target-found: expected a server target, got -t local; earlier results live on a server',
    },
  ])('$name', async ({ input, want }) => {
    const status = await h.run(['file', ...input.flat()]);
    expect(status).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
    expect(h.localCalls).toHaveLength(0);
  });

  it('a target that does not parse fails before anything is signed, with its column', async () => {
    const status = await h.run(['file', '-path', '/tmp', '-name', 'x', '-t', "os = 'linux' and"]);
    expect(status).toBe(EXIT.error);
    expect(h.stderr.text).toMatch(/TARGET_PARSE/);
  });

  it('--help prints module and common flags and exits 0', async () => {
    expect(await h.run(['file', '--help'])).toBe(EXIT.ok);
    expect(h.stdout.text).toContain('Module flags');
    expect(h.stdout.text).toContain('-t, -target');
    expect(h.stdout.text).toContain('-name');
  });
});

describe('hunt flag helpers', () => {
  const spec = getModuleSpec('file');
  it.each([
    {
      name: 'common and module interleaved',
      input: ['-t', 'all', '-path', '/x', '-e=1h', '-y'],
      want: { common: ['-t', 'all', '-e=1h', '-y'], module: ['-path', '/x'] },
    },
    {
      name: 'module flag value that looks like a common flag value',
      input: ['-name', 'render', '-render', 'csv'],
      want: { common: ['-render', 'csv'], module: ['-name', 'render'] },
    },
    {
      name: 'missing value before a known flag is not swallowed',
      input: ['-path', '-t', 'local'],
      want: { common: ['-t', 'local'], module: ['-path'] },
    },
  ])('splitHuntArgv: $name', ({ input, want }) => {
    if (spec === undefined) throw new Error('file module missing');
    expect(splitHuntArgv(input, spec)).toEqual(want);
  });

  it.each([
    { name: 'default', input: {}, want: "status = 'online'" },
    { name: 'explicit', input: { target: 'all' }, want: 'all' },
    {
      name: 'found',
      input: { target: "os = 'linux'", 'target-found': 'a'.repeat(32) },
      want: `(os = 'linux') and found('${'a'.repeat(32)}')`,
    },
    {
      name: 'both',
      input: { 'target-found': 'a'.repeat(32), 'target-notfound': 'b'.repeat(32) },
      want: `(status = 'online') and found('${'a'.repeat(32)}') and notfound('${'b'.repeat(32)}')`,
    },
  ])('composeTarget: $name', ({ input, want }) => {
    expect(composeTarget(input)).toBe(want);
  });

  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { input: '30s', want: 30_000 },
    { input: '5m', want: 300_000 },
    { input: '2h', want: 7_200_000 },
    { input: '1d', want: 86_400_000 },
    { input: '0s', want: undefined },
    { input: '5', want: undefined },
    { input: '1w', want: undefined },
  ])('parseDuration($input)', ({ input, want }) => {
    expect(parseDuration(input)).toBe(want);
  });
});
