import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_BYTES } from './content.js';
import { CHUNK_BYTES, FIRST_CONTENT_READ_BYTES } from './read.js';
import { treeHunts, type Entry } from '../../../test/helpers/modules/search-tree.js';

/**
 * How a file is read, end to end with real files: content-only reads grow from
 * FIRST_CONTENT_READ_BYTES to CHUNK_BYTES and stop at the first match; a line cut by any read
 * boundary is still matched whole, with every engine and with '\r\n' endings.
 */

const trees = treeHunts();
afterEach(() => trees.cleanup());
const hunt = trees.hunt;

/** Where the growing reads end: 64 KiB, then 64+128, 64+128+256, ... up to 1 MiB reads. */
function readBoundaries(count: number): number[] {
  const out: number[] = [];
  for (let at = 0, size = FIRST_CONTENT_READ_BYTES; out.length < count; size = Math.min(size * 2, CHUNK_BYTES))
    out.push((at += size));
  return out;
}

/** Filler lines (100 bytes each, ending `eol`) up to `at - cut`, then `needle` + `eol`, so the read boundary `at` falls inside it. */
function straddling(at: number, cut: number, needle: string, eol = '\n'): string {
  const filler = `${'y'.repeat(100 - eol.length)}${eol}`;
  const head = filler.repeat(Math.floor((at - cut) / 100));
  return `${head}${'z'.repeat(at - cut - head.length - eol.length)}${eol}${needle}${eol}${filler.repeat(3)}`;
}

describe('read boundaries', () => {
  const boundaries = readBoundaries(5);

  it.each([
    { name: 'a literal (V8)', pattern: '^NEEDLE_ACROSS$' },
    { name: 'no literal (re2js)', pattern: '^[A-Z_]+$' },
    { name: 'a required literal (re2js + prefilter)', pattern: '^NEE[A-Z]+_ACROSS$' },
  ])('a line cut by any read boundary is matched whole: $name', async ({ pattern }) => {
    const entries: Record<string, Entry> = {};
    for (const at of boundaries) entries[`/d/at-${at}`] = straddling(at, 5, 'NEEDLE_ACROSS');
    entries['/d/none'] = straddling(boundaries[1] as number, 5, 'NEEDLE_ACROSS!');
    const { paths } = await hunt(entries, { contents: [pattern] });
    expect(paths).toEqual(boundaries.map((at) => `/d/at-${at}`).sort());
  });

  it("a '\\r\\n' line cut between its '\\r' and its '\\n' keeps its '\\r'", async () => {
    // The needle ends one byte before the boundary: its '\r' is the read's last byte.
    const at = boundaries[0] as number;
    const file = straddling(at, 'NEEDLE'.length + 1, 'NEEDLE', '\r\n');
    expect(file.slice(at - 1, at + 1)).toBe('\r\n');
    expect((await hunt({ '/d/crlf': file }, { contents: ['^NEEDLE$'] })).paths).toEqual([]);
    expect((await hunt({ '/d/crlf': file }, { contents: ['^NEEDLE\\r$'] })).paths).toEqual(['/d/crlf']);
  });

  it('a line longer than a whole read, with the match in its middle', async () => {
    const line = `${'a'.repeat(CHUNK_BYTES + 3000)}NEEDLE${'b'.repeat(CHUNK_BYTES)}\n`;
    const { paths } = await hunt(
      { '/d/long': `short\n${line}tail\n`, '/d/other': `${'a'.repeat(CHUNK_BYTES * 2)}\n` },
      { contents: ['^a+NEEDLEb+$'] },
    );
    expect(paths).toEqual(['/d/long']);
  });
});

describe('runs of lines (content.ts RUN_BYTES) inside one read', () => {
  /** 100-byte lines filling a whole read, `line` at index `at` (a line start). */
  function withLineAt(at: number, line: string): string {
    const filler = `${'k'.repeat(99)}\n`;
    return `${filler.repeat(at / 100)}${line}\n${filler.repeat((3 * CHUNK_BYTES) / 100)}`;
  }

  it.each([
    { name: 'the last line before a run split', at: 6 * RUN_BYTES - 100 * 3 },
    { name: 'a line across a RUN_BYTES offset', at: 6 * RUN_BYTES - 36 },
  ])('a match on $name', async ({ at }) => {
    const start = at - (at % 100);
    const { paths } = await hunt(
      { '/d/f': withLineAt(start, 'SPLIT_NEEDLE') },
      { contents: ['^SPLIT_NEEDLE$', '^[A-Z_]{12}$'] },
    );
    expect(paths).toEqual(['/d/f']);
  });

  it('macroal sees every line exactly once, across runs and reads', async () => {
    const good = `${'ok line\n'.repeat(CHUNK_BYTES / 4)}`;
    const { paths } = await hunt(
      { '/d/good': good, '/d/bad': `${good}BAD\n${good}` },
      { contents: ['^ok line$'], options: { macroal: true } },
    );
    expect(paths).toEqual(['/d/good']);
  });
});

describe('stop at the first match', () => {
  it('reads one small read of each file matched on its first line, and counts every file', async () => {
    const big = `MATCH here\n${'q'.repeat(99)}\n`.repeat((4 * CHUNK_BYTES) / 111);
    const { paths, rec } = await hunt(
      { '/d/a': big, '/d/b': big, '/d/small': 'MATCH here\n', '/d/miss': 'nothing\n' },
      { contents: ['^MATCH'] },
    );
    expect(paths).toEqual(['/d/a', '/d/b', '/d/small']);
    expect(rec.stats.filesMatched).toBe(3);
    expect(rec.stats.bytesRead).toBe(2 * FIRST_CONTENT_READ_BYTES + 'MATCH here\n'.length + 'nothing\n'.length);
  });

  it('a match deep in a file reads up to the read that holds it, not the rest', async () => {
    const at = readBoundaries(3)[2] as number;
    const file = `${straddling(at, 5, 'DEEP_NEEDLE')}${`${'s'.repeat(99)}\n`.repeat(20_000)}`;
    const { paths, rec } = await hunt({ '/d/deep': file }, { contents: ['DEEP_NEEDLE'] });
    expect(paths).toEqual(['/d/deep']);
    expect(rec.stats.bytesRead).toBe(readBoundaries(4)[3]);
    expect(rec.stats.bytesRead).toBeLessThan(file.length);
  });

  it('a negated content check reads the whole file (no line may match)', async () => {
    const file = `${'x'.repeat(99)}\n`.repeat(30_000);
    const { paths, rec } = await hunt({ '/d/f': file }, { contents: ['!NOT_THERE'] });
    expect(paths).toEqual(['/d/f']);
    expect(rec.stats.bytesRead).toBe(file.length);
  });

  it('content and a hash in one search: one whole read feeds both', async () => {
    const file = `${'MATCH\n'}${'h'.repeat(CHUNK_BYTES * 2)}\n`;
    const sha256 = createHash('sha256').update(file).digest('hex');
    const { paths, rec } = await hunt({ '/d/f': file }, { contents: ['^MATCH'], sha2: [sha256] });
    expect(paths).toEqual(['/d/f']);
    expect(rec.stats.bytesRead).toBe(file.length);
    expect(rec.stats.bytesHashed).toBe(file.length);
  });

  it('md5, sha1, sha256 and sha3 of a small file, a file of exactly one read and an empty file: one read each, the digests node:crypto gives', async () => {
    const files: Record<string, string> = {
      '/d/small': 'tiny file\n',
      '/d/one-read': 'r'.repeat(CHUNK_BYTES),
      '/d/empty': '',
    };
    for (const [path, text] of Object.entries(files)) {
      const digest = (algorithm: string): string => createHash(algorithm).update(text).digest('hex');
      const search = {
        md5: [digest('md5')],
        sha1: [digest('sha1')],
        sha2: [digest('sha256')],
        sha3: [digest('sha3-256')],
        options: { returnsha256: true },
      };
      const { paths, rec } = await hunt({ [path]: text }, search);
      expect(paths).toEqual([path]);
      expect(rec.stats.bytesRead ?? 0).toBe(text.length);
      expect(rec.stats.bytesHashed ?? 0).toBe(text.length);
    }
  });
});
