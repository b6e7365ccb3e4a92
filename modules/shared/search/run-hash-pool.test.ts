import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, utimesSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingContext } from '../../../test/helpers/modules/recording.js';
import { CHUNK_BYTES } from './read.js';
import { HashPool } from './hash-pool.js';
import { modeString } from './checks.js';
import { makeTree, removeTree, runSearch, type Entry } from '../../../test/helpers/modules/search-tree.js';

/**
 * Whole-tree hashing on reader threads (hash-pool.ts): past the first 64 hash-only files the
 * digests come from the pool, and the rows, digests and counters must be those of the inline
 * read: every file read once, rows in walk order, matchlimit still stopping the search.
 */

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) removeTree(root);
  root = undefined;
});

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** 300 files in 6 directories (50 each, as a walk batch), of different sizes, one over one read. */
function tree(): { entries: Record<string, Entry>; contents: Map<string, string | Buffer> } {
  const entries: Record<string, Entry> = {};
  const contents = new Map<string, string | Buffer>();
  for (let i = 0; i < 300; i++) {
    const path = `/d/dir${Math.floor(i / 50)}/f${String(i).padStart(3, '0')}`;
    const data = i === 250 ? Buffer.alloc(CHUNK_BYTES + 10, 7) : `file ${i}\n${'x'.repeat(i * 37)}`;
    entries[path] = data;
    contents.set(path, data);
  }
  return { entries, contents };
}

const bytesOf = (data: string | Buffer): number => (typeof data === 'string' ? Buffer.byteLength(data) : data.length);

describe('hashing on reader threads', () => {
  it('finds the files whose sha256 is listed, reading each file once, rows in walk order', async () => {
    const { entries, contents } = tree();
    root = makeTree(entries);
    const wanted = ['/d/dir0/f005', '/d/dir2/f120', '/d/dir4/f249', '/d/dir5/f250', '/d/dir5/f299'];
    const rec = recordingContext(root);
    const rows = await runSearch(
      {
        searches: {
          s1: {
            paths: ['/d'],
            sha2: wanted.map((p) => sha256(contents.get(p) as string)),
            options: { returnsha256: true },
          },
        },
      },
      rec,
    );
    expect(rows.map((r) => [r.path, r.sha256])).toEqual(wanted.map((p) => [p, sha256(contents.get(p) as string)]));
    const total = [...contents.values()].reduce((sum, d) => sum + bytesOf(d), 0);
    expect(rec.stats.bytesHashed).toBe(total);
    expect(rec.stats.bytesRead).toBe(total);
    expect(rec.warnings).toEqual([]);
  });

  it("rows of files stat'ed by the reader threads are those of an lstat: size, mode, mtime", async () => {
    const { entries, contents } = tree();
    root = makeTree(entries);
    chmodSync(`${root}/d/dir3/f170`, 0o4750);
    utimesSync(`${root}/d/dir3/f170`, new Date('2020-01-02T03:04:05.678Z'), new Date('2020-01-02T03:04:05.678Z'));
    const wanted = ['/d/dir1/f060', '/d/dir3/f170'];
    const rows = await runSearch(
      { searches: { s1: { paths: ['/d'], sha2: wanted.map((p) => sha256(contents.get(p) as string)) } } },
      recordingContext(root),
    );
    expect(rows).toEqual(
      wanted.map((p) => {
        const stat = lstatSync(`${root}${p}`);
        return {
          search: 's1',
          path: p,
          size: stat.size,
          mode: modeString(stat.mode),
          mtime: new Date(stat.mtimeMs).toISOString(),
        };
      }),
    );
    expect(rows[1]?.mode).toBe('urwxr-x---');
  });

  it('past the first files, symlinks and errors are judged as inline: a file link followed, a broken one reported', async () => {
    const { entries, contents } = tree();
    root = makeTree({
      ...entries,
      '/d/dir4/link-to-f005': { symlink: '../dir0/f005' },
      '/d/dir4/dangling': { symlink: 'nowhere' },
    });
    const rec = recordingContext(root);
    const rows = await runSearch(
      { searches: { s1: { paths: ['/d'], sha2: [sha256(contents.get('/d/dir0/f005') as string)] } } },
      rec,
    );
    expect(rows.map((r) => r.path)).toEqual(['/d/dir0/f005', '/d/dir4/link-to-f005']);
    expect(rec.warnings).toEqual(['/d/dir4/dangling: broken symlink (ENOENT)']);
  });

  it('a name-only search beside a hash search that stopped still gets every row, with its size', async () => {
    const { entries, contents } = tree();
    root = makeTree(entries);
    const rows = await runSearch(
      {
        searches: {
          names: { paths: ['/d'], names: ['^f'] },
          hashes: { paths: ['/d'], sha2: [sha256(contents.get('/d/dir0/f001') as string)], options: { matchlimit: 1 } },
        },
      },
      recordingContext(root),
    );
    const named = rows.filter((r) => r.search === 'names');
    expect(named.map((r) => [r.path, r.size])).toEqual([...contents].map(([p, d]) => [p, bytesOf(d)]));
    expect(rows.filter((r) => r.search === 'hashes').map((r) => r.path)).toEqual(['/d/dir0/f001']);
  });

  it('feeds md5 and sha256 from one read, and matchany says which matched', async () => {
    const { entries, contents } = tree();
    root = makeTree(entries);
    const rec = recordingContext(root);
    const rows = await runSearch(
      {
        searches: {
          s1: {
            paths: ['/d'],
            md5: [md5(contents.get('/d/dir3/f170') as string)],
            sha2: [sha256(contents.get('/d/dir5/f260') as string)],
            options: { matchany: true },
          },
        },
      },
      rec,
    );
    expect(rows.map((r) => [r.path, r.matched?.map((m) => m.split(':')[0])])).toEqual([
      ['/d/dir3/f170', ['md5']],
      ['/d/dir5/f260', ['sha2']],
    ]);
    expect(rec.stats.bytesRead).toBe([...contents.values()].reduce((sum, d) => sum + bytesOf(d), 0));
  });

  it('stops at matchlimit even when the next directory was judged ahead', async () => {
    const { entries, contents } = tree();
    root = makeTree(entries);
    const rec = recordingContext(root);
    const listed = [...contents.keys()].filter((_, i) => i >= 100 && i % 2 === 0);
    const rows = await runSearch(
      {
        searches: {
          s1: {
            paths: ['/d'],
            sha2: listed.map((p) => sha256(contents.get(p) as string)),
            options: { matchlimit: 3 },
          },
        },
      },
      rec,
    );
    expect(rows.map((r) => r.path)).toEqual(listed.slice(0, 3));
    expect(rec.warnings).toEqual(['search s1: stopped at 3 matches (options.matchlimit)']);
  });
});

describe('HashPool', () => {
  it('reports a file it cannot open with its error code, and hashes and stats the others', async () => {
    root = makeTree({ '/d/a': 'alpha', '/d/b': 'beta' });
    const pool = new HashPool(2);
    try {
      const [a, gone] = await pool.hash([`${root}/d/a`, `${root}/d/missing`], ['sha256', 'md5']);
      const [b] = await pool.hash([`${root}/d/b`], ['sha256']);
      expect(a).toEqual({
        kind: 'hashed',
        digests: new Map([
          ['sha256', sha256('alpha')],
          ['md5', md5('alpha')],
        ]),
        bytes: 5,
        stat: expect.objectContaining({ size: 5 }),
      });
      expect(gone?.kind === 'failed' ? gone.error.code : undefined).toBe('ENOENT');
      expect(b).toEqual({
        kind: 'hashed',
        digests: new Map([['sha256', sha256('beta')]]),
        bytes: 4,
        stat: expect.anything(),
      });
    } finally {
      await pool.close();
    }
  });

  it('gives the stat of the file it opened: size, mode and mtime as lstat has them', async () => {
    root = makeTree({ '/d/a': 'alpha' });
    chmodSync(`${root}/d/a`, 0o640);
    const pool = new HashPool(1);
    try {
      const [a] = await pool.hash([`${root}/d/a`], ['sha256']);
      const { size, mode, mtimeMs } = lstatSync(`${root}/d/a`);
      expect(a?.kind === 'hashed' ? a.stat : undefined).toEqual({ size, mode, mtimeMs });
    } finally {
      await pool.close();
    }
  });

  it('never follows a symlink, never blocks on nor reads a FIFO, and leaves a file longer than one read to the module thread', async () => {
    root = makeTree({
      '/d/target': 'x',
      '/d/link': { symlink: 'target' },
      '/d/pipe': { fifo: true },
      '/d/big': Buffer.alloc(CHUNK_BYTES + 1),
    });
    const pool = new HashPool(1);
    try {
      const [link, pipe, big] = await pool.hash([`${root}/d/link`, `${root}/d/pipe`, `${root}/d/big`], ['sha256']);
      expect(link?.kind === 'failed' ? link.error.code : link?.kind).toBe('ELOOP');
      expect(pipe).toEqual({ kind: 'notFile' });
      expect(big).toEqual({ kind: 'large', stat: expect.objectContaining({ size: CHUNK_BYTES + 1 }) });
    } finally {
      await pool.close();
    }
  });
});
