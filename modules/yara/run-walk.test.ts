import { afterEach, describe, expect, it } from 'vitest';
import { recordingContext, type Recording } from '../../test/helpers/modules/recording.js';
import { brief, makeTree, removeTree, runScan, type Entry } from '../../test/helpers/modules/yara.js';

/** Where the module looks: paths, depth, name filter, size cap, match limit and symlinks. */

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) removeTree(root);
  root = undefined;
});

/** Every fixture file holds the marker, so the rule matches wherever the module looks. */
const MARK = 'needle-7f3a';
const RULE = `rule marked : t { strings: $m = "${MARK}" condition: $m }`;

const TREE: Record<string, Entry> = {
  '/d/f0.txt': `${MARK}\n`,
  '/d/a/f1.log': `${MARK} one\n`,
  '/d/a/b/f2.txt': `${MARK} two\n`,
  '/d/a/b/c/f3.bin': `${MARK} three\n`,
  '/d/big.txt': `${MARK}${'x'.repeat(5000)}`,
  '/other/f4.txt': `${MARK} four\n`,
};

async function hunt(
  params: Record<string, unknown>,
  entries: Record<string, Entry> = TREE,
): Promise<{ paths: string[]; rec: Recording }> {
  root = makeTree(entries);
  const rec = recordingContext(root);
  const rows = await runScan({ rules: [RULE], paths: ['/d'], ...params }, rec);
  return { paths: rows.map((r) => r.path).sort(), rec };
}

describe('parameters', () => {
  it.each([
    {
      name: 'default: the whole tree',
      input: {},
      want: ['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/d/a/f1.log', '/d/big.txt', '/d/f0.txt'],
    },
    { name: 'maxdepth 0: files directly in the path', input: { maxdepth: 0 }, want: ['/d/big.txt', '/d/f0.txt'] },
    { name: 'maxdepth 1', input: { maxdepth: 1 }, want: ['/d/a/f1.log', '/d/big.txt', '/d/f0.txt'] },
    {
      name: 'several paths, one of them a file',
      input: { paths: ['/d/a/b', '/other/f4.txt'] },
      want: ['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/other/f4.txt'],
    },
    {
      name: 'overlapping paths scan each file once',
      input: { paths: ['/d/a', '/d/a/b', '/d/a/b/f2.txt'] },
      want: ['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/d/a/f1.log'],
    },
    { name: 'name regex', input: { name: '\\.txt$' }, want: ['/d/a/b/f2.txt', '/d/big.txt', '/d/f0.txt'] },
    { name: 'negated name regex', input: { name: '!\\.txt$' }, want: ['/d/a/b/c/f3.bin', '/d/a/f1.log'] },
    { name: 'name regex on the base name only', input: { name: '^a' }, want: [] },
    {
      name: 'maxfilesize skips larger files',
      input: { maxfilesize: 1000 },
      want: ['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/d/a/f1.log', '/d/f0.txt'],
    },
  ])('$name', async ({ input, want }) => {
    expect((await hunt(input)).paths).toEqual(want);
  });

  it('a file above maxfilesize is reported as not scanned', async () => {
    const { rec } = await hunt({ maxfilesize: 1000 });
    expect(rec.warnings).toEqual(['/d/big.txt: 5011 bytes, above maxfilesize (1000 bytes); not scanned']);
    expect(rec.stats).toMatchObject({ filesTooLarge: 1, filesScanned: 4 });
  });

  it('a file exactly at maxfilesize is scanned', async () => {
    expect((await hunt({ paths: ['/d/big.txt'], maxfilesize: 5011 })).paths).toEqual(['/d/big.txt']);
  });

  it('names not wanted are never opened', async () => {
    const { rec } = await hunt({ name: '^f0\\.txt$' });
    expect(rec.stats).toMatchObject({ filesVisited: 5, filesScanned: 1 });
  });

  it.each([
    { name: 'matchlimit 1', input: 1, want: 1 },
    { name: 'matchlimit 3', input: 3, want: 3 },
  ])('$name stops the scan with a warning', async ({ input, want }) => {
    const { paths, rec } = await hunt({ matchlimit: input });
    expect(paths).toHaveLength(want);
    expect(rec.warnings).toEqual([`stopped at ${want} matching files (matchlimit)`]);
  });

  it('matchlimit counts files: every rule matching the last file is still reported', async () => {
    root = makeTree(TREE);
    const rows = await runScan(
      {
        rules: [`${RULE} rule any_file { condition: filesize > 0 }`],
        paths: ['/d/f0.txt', '/d/big.txt'],
        matchlimit: 1,
      },
      recordingContext(root),
    );
    expect(rows.map(brief).sort()).toEqual(['/d/big.txt:any_file', '/d/big.txt:marked[t]']);
  });
});

describe('symlinks and unreadable paths', () => {
  it('follows a file symlink and reports it under its own path', async () => {
    const { paths } = await hunt({ paths: ['/d/a/b'] }, { ...TREE, '/d/a/b/link': { symlink: '../../f0.txt' } });
    expect(paths).toEqual(['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/d/a/b/link']);
  });

  it('resolves an absolute symlink inside the root, never on the real host', async () => {
    const { paths } = await hunt(
      { paths: ['/e'] },
      { '/e/abs': { symlink: '/etc/hostname' }, '/etc/hostname': `${MARK} inside the root\n` },
    );
    expect(paths).toEqual(['/e/abs']);
  });

  it('does not follow a directory symlink out of the search path', async () => {
    const { paths, rec } = await hunt({ paths: ['/d/a'] }, { ...TREE, '/d/a/out': { symlink: '/other' } });
    expect(paths).toEqual(['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/d/a/f1.log']);
    // Directory symlinks are never followed (the file walk's MIG semantics): counted, not a warning.
    expect(rec.warnings).toEqual([]);
    expect(rec.stats.symlinksNotFollowed).toBe(1);
  });

  it('does not loop on a directory symlink to an ancestor', async () => {
    const { paths, rec } = await hunt({ paths: ['/d/a'] }, { ...TREE, '/d/a/b/up': { symlink: '../..' } });
    expect(paths).toEqual(['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/d/a/f1.log']);
    expect(rec.stats.symlinksNotFollowed).toBe(1);
  });

  it('does not follow a directory symlink that stays inside the search path: each file once, at its real path', async () => {
    const { paths } = await hunt({ paths: ['/d/a'] }, { ...TREE, '/d/a/alias': { symlink: 'b/c' } });
    expect(paths).toEqual(['/d/a/b/c/f3.bin', '/d/a/b/f2.txt', '/d/a/f1.log']);
  });

  it.each([
    {
      name: 'missing path',
      input: { paths: ['/nope'] },
      entries: TREE,
      want: '/nope: cannot open search path (ENOENT)',
    },
    {
      name: 'broken symlink',
      input: { paths: ['/e'] },
      entries: { '/e/gone': { symlink: 'missing' } },
      want: '/e/gone: cannot follow symlink (ENOENT)',
    },
    {
      name: 'symlink loop',
      input: { paths: ['/e'] },
      entries: { '/e/x': { symlink: 'y' }, '/e/y': { symlink: 'x' } },
      want: '/e/x: cannot follow symlink (ELOOP)',
    },
  ])('$name: a warning, not a failure', async ({ input, entries, want }) => {
    const { paths, rec } = await hunt(input, entries);
    expect(paths).toEqual([]);
    expect(rec.warnings).toContain(want);
    expect(rec.stats.errors).toBeGreaterThan(0);
  });

  it('skips a FIFO without blocking on it', async () => {
    const { paths } = await hunt({ paths: ['/e'] }, { '/e/pipe': { fifo: true }, '/e/f': `${MARK}\n` });
    expect(paths).toEqual(['/e/f']);
  });
});
