import { afterEach, describe, expect, it } from 'vitest';
import { recordingContext, type Recording } from '../../../test/helpers/modules/recording.js';
import { fileParams } from './params.js';
import { runFile, type FileRow } from './run.js';
import { makeTree, removeTree, runSearch, type Entry } from '../../../test/helpers/modules/search-tree.js';

/**
 * The walk: depth, symlinks, errors, limits, abort and the root prefix. Read errors: tests run
 * as root, so chmod 000 does not stop a read. Unreadable things are made as a broken symlink
 * (ENOENT), a symlink loop (ELOOP), a path that does not exist, and /proc/self/mem, which
 * fails to read at offset 0 (EIO).
 */

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) removeTree(root);
  root = undefined;
});

const TREE: Record<string, Entry> = {
  '/d/f0': 'zero\n',
  '/d/a/f1': 'one\n',
  '/d/a/b/f2': 'two\n',
  '/d/a/b/c/f3': 'three\n',
};

async function hunt(
  entries: Record<string, Entry>,
  searches: Record<string, unknown>,
): Promise<{ rows: string[]; rec: Recording }> {
  root = makeTree(entries);
  const rec = recordingContext(root);
  const rows = await runSearch({ searches }, rec);
  return { rows: rows.map((r) => `${r.search}:${r.path}`).sort(), rec };
}

describe('depth and the single walk', () => {
  it.each([
    { name: 'maxdepth 0: files directly in the path', input: 0, want: ['s1:/d/f0'] },
    { name: 'maxdepth 1', input: 1, want: ['s1:/d/a/f1', 's1:/d/f0'] },
    { name: 'maxdepth 2', input: 2, want: ['s1:/d/a/b/f2', 's1:/d/a/f1', 's1:/d/f0'] },
    { name: 'default depth', input: undefined, want: ['s1:/d/a/b/c/f3', 's1:/d/a/b/f2', 's1:/d/a/f1', 's1:/d/f0'] },
  ])('$name', async ({ input, want }) => {
    const { rows } = await hunt(TREE, {
      s1: { paths: ['/d'], names: ['^f'], options: input === undefined ? {} : { maxdepth: input } },
    });
    expect(rows).toEqual(want);
  });

  it('reads each directory once for overlapping searches', async () => {
    const { rows, rec } = await hunt(TREE, {
      a: { paths: ['/d'], names: ['^f[02]$'] },
      b: { paths: ['/d/a'], names: ['^f[13]$'] },
      c: { paths: ['/d/'], sizes: ['>4'] },
    });
    expect(rows).toEqual(['a:/d/a/b/f2', 'a:/d/f0', 'b:/d/a/b/c/f3', 'b:/d/a/f1', 'c:/d/a/b/c/f3', 'c:/d/f0']);
    expect(rec.stats.dirsVisited).toBe(4);
    expect(rec.stats.filesChecked).toBe(4);
  });

  it('reaches a deep search path below a shallow search', async () => {
    const { rows } = await hunt(TREE, {
      a: { paths: ['/d'], names: ['.'], options: { maxdepth: 0 } },
      b: { paths: ['/d/a/b/c'], names: ['.'], options: { maxdepth: 0 } },
    });
    expect(rows).toEqual(['a:/d/f0', 'b:/d/a/b/c/f3']);
  });

  it('a file path inside a walked directory is judged once per search', async () => {
    const { rows, rec } = await hunt(TREE, {
      a: { paths: ['/d'], names: ['^f0$'] },
      b: { paths: ['/d/f0'], contents: ['^zero$'] },
    });
    expect(rows).toEqual(['a:/d/f0', 'b:/d/f0']);
    expect(rec.stats.bytesRead).toBe(5);
  });

  it('walks a deep tree', async () => {
    const deep = `/${Array.from({ length: 60 }, (_, i) => `l${i}`).join('/')}/bottom`;
    const { rows } = await hunt({ [deep]: 'x\n' }, { s1: { paths: ['/l0'], names: ['^bottom$'] } });
    expect(rows).toEqual([`s1:${deep}`]);
  });
});

describe('symlinks', () => {
  it('follows a file symlink and reports it under its own path', async () => {
    const { rows } = await hunt(
      { ...TREE, '/d/link': { symlink: 'a/b/f2' } },
      { s1: { paths: ['/d'], names: ['^link$'], contents: ['^two$'] } },
    );
    expect(rows).toEqual(['s1:/d/link']);
  });

  it('resolves an absolute symlink inside the root, never on the real host', async () => {
    root = makeTree({
      '/d/abs': { symlink: '/etc/mig-test-secret' },
      '/d/up': { symlink: '../../../../etc/mig-test-secret' },
      '/etc/mig-test-secret': 'inside the root\n',
    });
    const rec = recordingContext(root);
    const rows = await runSearch({ searches: { s1: { paths: ['/d'], contents: ['^inside the root$'] } } }, rec);
    expect(rows.map((r) => [r.path, r.size])).toEqual([
      ['/d/abs', 16],
      ['/d/up', 16],
    ]);
  });

  // MIG (modules/file/file.go, pathWalk): "if not symlinked directory, don't put symlinked
  // directory in subdirectories to follow"; "we only follow symlinks to files, not directories".
  it.each<{ name: string; input: Record<string, Entry> }>([
    { name: 'back to an ancestor', input: { '/d/a/loop': { symlink: '..' } } },
    { name: 'out of the search path', input: { '/elsewhere/f9': 'x\n', '/d/out': { symlink: '/elsewhere' } } },
    { name: 'inside the search path (each file once, at its real path)', input: { '/d/shortcut': { symlink: 'a/b' } } },
  ])('does not follow a directory symlink $name: counted, logged, not a warning', async ({ input }) => {
    const { rows, rec } = await hunt({ ...TREE, ...input }, { s1: { paths: ['/d'], names: ['^f'] } });
    expect(rows).toEqual(['s1:/d/a/b/c/f3', 's1:/d/a/b/f2', 's1:/d/a/f1', 's1:/d/f0']);
    expect(rec.warnings).toEqual([]);
    expect(rec.stats.symlinksNotFollowed).toBe(1);
  });

  it('a search path that is a directory symlink is not followed, and says where it leads', async () => {
    const { rows, rec } = await hunt(
      { '/usr/bin/tool': 'x\n', '/bin': { symlink: 'usr/bin' } },
      { s1: { paths: ['/bin'], names: ['^tool$'] } },
    );
    expect(rows).toEqual([]);
    expect(rec.warnings).toEqual([
      '/bin: search path is a symlink to the directory /usr/bin (search that path instead); not followed',
    ]);
  });

  it('with the alias and the real directory as search paths, each file is reported once, at its real path', async () => {
    const { rows, rec } = await hunt(
      { '/usr/bin/tool': 'x\n', '/bin': { symlink: 'usr/bin' } },
      { s1: { paths: ['/bin', '/usr/bin'], names: ['^tool$'] } },
    );
    expect(rows).toEqual(['s1:/usr/bin/tool']);
    expect(rec.stats.dirsVisited).toBe(1);
  });

  it("a symlink in a search path's parent directories is resolved: files are reported at their real path", async () => {
    const { rows } = await hunt(
      { '/usr/lib/pkg/tool': 'x\n', '/lib': { symlink: 'usr/lib' } },
      { s1: { paths: ['/lib/pkg'], names: ['^tool$'] } },
    );
    expect(rows).toEqual(['s1:/usr/lib/pkg/tool']);
  });

  it('a search path that is a symlink to a file is judged at its target, as MIG does', async () => {
    const { rows } = await hunt(
      { ...TREE, '/link': { symlink: 'd/a/f1' } },
      { s1: { paths: ['/link'], contents: ['^one$'] } },
    );
    expect(rows).toEqual(['s1:/d/a/f1']);
  });

  it('the walk of / does not enter a directory symlink, even one that is a search path too', async () => {
    const { rows, rec } = await hunt(
      { '/usr/bin/tool': 'x\n', '/bin': { symlink: 'usr/bin' } },
      { s1: { paths: ['/', '/bin'], names: ['^tool$'] } },
    );
    expect(rows).toEqual(['s1:/usr/bin/tool']);
    expect(rec.warnings).toEqual([
      '/bin: search path is a symlink to the directory /usr/bin (search that path instead); not followed',
    ]);
  });

  it('enters /proc, /sys and /dev only when a search path names them', async () => {
    const tree = { '/proc/kcore': 'x\n', '/etc/hosts': 'x\n', '/d/procfs': { symlink: '/proc' } };
    expect((await hunt(tree, { s1: { paths: ['/'], names: ['.'] } })).rows).toEqual(['s1:/etc/hosts']);
    removeTree(root ?? '');
    expect((await hunt(tree, { s1: { paths: ['/proc'], names: ['.'] } })).rows).toEqual(['s1:/proc/kcore']);
  });

  it('never opens a FIFO', async () => {
    const { rows } = await hunt(
      { '/d/pipe': { fifo: true }, '/d/file': 'x\n' },
      { s1: { paths: ['/d'], contents: ['.'] } },
    );
    expect(rows).toEqual(['s1:/d/file']);
  });
});

describe('errors are counted and reported, never fatal', () => {
  const cases: { name: string; input: Record<string, Entry>; names: string[]; paths?: string[]; want: string }[] = [
    {
      name: 'broken symlink',
      input: { '/d/f0': 'x\n', '/d/dangling': { symlink: 'nowhere' } },
      names: ['^dangling$'],
      want: '/d/dangling: broken symlink (ENOENT)',
    },
    {
      name: 'symlink loop',
      input: { '/d/f0': 'x\n', '/d/ping': { symlink: 'pong' }, '/d/pong': { symlink: 'ping' } },
      names: ['^ping$'],
      want: '/d/ping: broken symlink (ELOOP)',
    },
    {
      name: 'missing search path',
      input: { '/d/f0': 'x\n' },
      names: ['x'],
      paths: ['/nowhere'],
      want: '/nowhere: cannot open search path (ENOENT)',
    },
    {
      name: 'a file where a directory is expected',
      input: { '/d/f0': 'x\n' },
      names: ['x'],
      paths: ['/d/f0/sub'],
      want: '/d/f0/sub: cannot open search path (ENOTDIR)',
    },
  ];
  it.each(cases)('$name', async ({ input, names, paths, want }) => {
    const { rows, rec } = await hunt(input, { s1: { paths: paths ?? ['/d'], names } });
    expect(rows).toEqual([]);
    expect(rec.warnings).toEqual([want]);
    expect(rec.stats.errors).toBe(1);
  });

  it('a broken symlink nobody asked about is not an error', async () => {
    const { rec } = await hunt(
      { '/d/f0': 'x\n', '/d/dangling': { symlink: 'nowhere' } },
      { s1: { paths: ['/d'], names: ['^f0$'] } },
    );
    expect(rec.warnings).toEqual([]);
    expect(rec.stats.errors).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('a file that fails to read (EIO) fails its content checks', async () => {
    const rec = recordingContext('/');
    const rows = await runSearch({ searches: { s1: { paths: ['/proc/self/mem'], contents: ['.'] } } }, rec);
    expect(rows).toEqual([]);
    // /proc/self is a symlink in the path's parents: reported at the real path.
    expect(rec.warnings).toEqual([`/proc/${process.pid}/mem: cannot read (EIO)`]);
    expect(rec.stats.errors).toBe(1);
  });

  it('maxerrors stops only the search that hit it', async () => {
    const broken = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`/d/bad${i}`, { symlink: `missing${i}` }]));
    const { rows, rec } = await hunt(
      { ...broken, '/d/z': 'x\n' },
      { a: { paths: ['/d'], names: ['^bad'], options: { maxerrors: 3 } }, b: { paths: ['/d'], names: ['^z$'] } },
    );
    expect(rows).toEqual(['b:/d/z']);
    expect(rec.warnings.filter((w) => w.startsWith('search '))).toEqual([
      'search a: stopped after 3 errors (options.maxerrors)',
    ]);
    expect(rec.stats.errors).toBe(3);
  });
});

describe('limits and cancellation', () => {
  const many = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`/d/f${String(i).padStart(2, '0')}`, `${i}\n`]),
  );

  it('matchlimit stops the search after that many matches, with a warning', async () => {
    const { rows, rec } = await hunt(many, { s1: { paths: ['/d'], names: ['^f'], options: { matchlimit: 3 } } });
    expect(rows).toHaveLength(3);
    expect(rec.warnings).toEqual(['search s1: stopped at 3 matches (options.matchlimit)']);
  });

  it('an abort stops the run at the next file', async () => {
    root = makeTree(many);
    const rec = recordingContext(root);
    const rows: FileRow[] = [];
    for await (const row of runFile(
      fileParams.parse({ searches: { s1: { paths: ['/d'], names: ['^f'] } } }),
      rec.ctx,
    )) {
      rows.push(row);
      rec.controller.abort();
    }
    expect(rows).toHaveLength(1);
  });

  it('an aborted run reads nothing', async () => {
    root = makeTree(many);
    const rec = recordingContext(root);
    rec.controller.abort();
    expect(await runSearch({ searches: { s1: { paths: ['/d'], contents: ['.'] } } }, rec)).toEqual([]);
    expect(rec.stats.bytesRead).toBeUndefined();
  });

  it('counts what it did', async () => {
    const { rec } = await hunt(TREE, { s1: { paths: ['/d'], contents: ['^t'] } });
    expect(rec.stats).toEqual({ filesVisited: 4, dirsVisited: 4, filesChecked: 4, filesMatched: 2, bytesRead: 19 });
  });
});
