import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingContext, type Recording } from '../../../test/helpers/modules/recording.js';
import { makeTree, removeTree, runSearch, type Entry } from '../../../test/helpers/modules/search-tree.js';
import {
  ContentPool,
  MAX_CONTENT_THREADS,
  threadsFor,
  useContentThreads,
  useContentWorkerScript,
  type PooledFile,
  type Ticket,
} from './content-pool.js';
import { Pacer } from './pacer.js';
import type { ScanSpec } from './content-scan.js';
import { fileParams } from './params.js';
import { runFile, type FileRow } from './run.js';

/**
 * Content threads (content-pool.ts): on generated trees, every hunt must give the rows, warnings
 * and counters of the module thread's own reads, whether the threads read every file (no
 * claiming), share them with the module thread, or fail to start.
 */

let root: string | undefined;
afterEach(() => {
  useContentThreads(undefined);
  useContentWorkerScript(undefined);
  if (root !== undefined) removeTree(root);
  root = undefined;
});

/** A small deterministic generator: the same tree on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const NEEDLES = ['evil.com', 'cmd.exe -enc AAAA', 'user123@evil.net', '10.1.2.3 - - GET', 'ROOTKIT', 'Googlebot'];

/**
 * 240 files in 8 directories: sizes from empty to ~300 KiB (past the first 64 KiB read), LF and
 * CRLF lines, a few invalid UTF-8 bytes, needles at random lines (or none).
 */
function generatedTree(seed: number): Record<string, Entry> {
  const next = generator(seed);
  const entries: Record<string, Entry> = {};
  for (let i = 0; i < 240; i++) {
    const eol = next() < 0.2 ? '\r\n' : '\n';
    const lines: string[] = [];
    const count = Math.floor(next() ** 3 * 4000);
    for (let k = 0; k < count; k++) {
      const r = next();
      if (r < 0.004) lines.push(`x ${NEEDLES[Math.floor(next() * NEEDLES.length)]} y`);
      else
        lines.push(`line ${k} of ${i}: ${'abcdefgh'.repeat(1 + Math.floor(next() * 8))} ${Math.floor(next() * 1e7)}`);
    }
    let body = Buffer.from(lines.join(eol) + (next() < 0.8 ? eol : ''));
    if (next() < 0.1) body = Buffer.concat([body, Buffer.from([0xff, 0xc3, 0x0a]), Buffer.from('tail ROOTKIT\n')]);
    entries[`/d/dir${i % 8}/f${String(i).padStart(3, '0')}`] = body;
  }
  return entries;
}

const SEARCHES = {
  v8Literal: { paths: ['/d'], contents: ['evil\\.com'] },
  re2jsNoLiteral: { paths: ['/d'], contents: ['[0-9]{3}@evil\\.(com|net)'] },
  anchored: { paths: ['/d'], contents: ['^10\\.[0-9]+\\.[0-9]+\\.[0-9]+ - -'] },
  crlfEnd: { paths: ['/d'], contents: ['y\\r$'] },
  negated: { paths: ['/d'], contents: ['!ROOTKIT', '^line'] },
  any: { paths: ['/d'], contents: ['Googlebot', '(?i)cmd\\.exe.*-enc'], options: { matchany: true } },
  macroal: { paths: ['/d'], contents: ['^(line|x) '], options: { macroal: true } },
  limited: { paths: ['/d'], contents: ['^line 1 '], options: { matchlimit: 17 } },
};

interface Outcome {
  rows: FileRow[];
  warnings: string[];
  stats: Record<string, number>;
}

/** The files content threads read in the last hunt (its debug log says). */
let threadFiles = 0;

async function hunt(dir: string, searches: Record<string, unknown>): Promise<Outcome> {
  const rec: Recording = recordingContext(dir);
  const rows = await runSearch({ searches }, rec);
  const said = rec.logs
    .map((line) => /^content threads read (\d+) files$/.exec(line)?.[1])
    .find((n) => n !== undefined);
  threadFiles = Number(said ?? 0);
  return { rows, warnings: rec.warnings, stats: rec.stats };
}

describe('content threads give the module thread results', () => {
  it.each([1, 2, 3])('generated tree %i: every search, threads reading every file, then sharing', async (seed) => {
    root = makeTree(generatedTree(seed));
    const { limited, ...unlimited } = SEARCHES;
    useContentThreads(0);
    const inline = await hunt(root, unlimited);
    expect(inline.rows.length).toBeGreaterThan(20);
    expect(threadFiles).toBe(0);
    useContentThreads(2, false);
    // Rows, warnings and every counter, bytesRead too: each file is read the same way, once.
    expect(await hunt(root, unlimited)).toEqual(inline);
    // The first directories' files are read inline (the pool starts after 64 files), the rest by threads.
    expect(threadFiles).toBeGreaterThan(100);
    useContentThreads(3, true);
    expect(await hunt(root, unlimited)).toEqual(inline);

    // With a matchlimit, a thread may read a file further than needed for a search stopped
    // meanwhile (it reads for every search that wanted the file when it was sent): the same
    // rows and warnings, bytesRead maybe higher.
    const all = { ...unlimited, limited };
    useContentThreads(0);
    const inlineAll = await hunt(root, all);
    expect(inlineAll.warnings).toContain('search limited: stopped at 17 matches (options.matchlimit)');
    useContentThreads(2, false);
    const threadsAll = await hunt(root, all);
    expect([threadsAll.rows, threadsAll.warnings]).toEqual([inlineAll.rows, inlineAll.warnings]);
  });

  it('a pool whose threads cannot start leaves every file to the module thread', async () => {
    root = makeTree(generatedTree(4));
    useContentThreads(0);
    const inline = await hunt(root, SEARCHES);
    useContentThreads(2, false);
    useContentWorkerScript({ url: new URL('file:///nonexistent/content-worker.js'), data: {} });
    expect(await hunt(root, SEARCHES)).toEqual(inline);
    expect(threadFiles).toBe(0);
  });

  it('a hunt aborted at its first row ends there, its threads closed', async () => {
    root = makeTree(generatedTree(5));
    useContentThreads(2, false);
    const rec = recordingContext(root);
    let rows = 0;
    for await (const row of runFile(fileParams.parse({ searches: { s1: SEARCHES.crlfEnd } }), rec.ctx)) {
      if (row !== undefined) rows++;
      rec.controller.abort();
    }
    expect(rows).toBe(1);
  });
});

describe('ContentPool', () => {
  const spec: ScanSpec = { checks: [{ source: 'b', isNegated: false }], isMacroal: false, canStopAtFailure: true };

  it('answers a file it cannot read with the error, and the rest of its group normally', async () => {
    root = makeTree({ '/a': 'abc\n' });
    const pool = new ContentPool(new AbortController().signal, { threads: 1, heapMb: 64 }, false);
    try {
      const files: PooledFile[] = [
        { path: join(root, 'missing'), size: 4, specs: [spec] },
        { path: join(root, 'a'), size: 4, specs: [spec] },
      ];
      const tickets = pool.submit(files);
      expect(tickets.map((t) => t.claim())).toEqual([false, false]);
      const [missing, found] = await Promise.all(tickets.map((t) => t.outcome));
      expect(missing).toMatchObject({ error: { code: 'ENOENT' } });
      expect(found).toEqual({ bytesRead: 4, scanners: [{ results: [true] }] });
    } finally {
      await pool.close();
    }
  });

  it('the module thread, waiting for an answer, scans queued groups itself (with its pacer)', async () => {
    root = makeTree({ '/a': 'abc\n', '/b': 'xyz\n' });
    const pool = new ContentPool(new AbortController().signal, { threads: 1, heapMb: 64 }, true);
    try {
      const tickets = pool.submit([
        { path: join(root, 'a'), size: 4, specs: [spec] },
        { path: join(root, 'b'), size: 4, specs: [spec] },
      ]);
      // No thread started (none is before the module thread has read alone for a while): it scans them.
      const pacer = new Pacer(new AbortController().signal);
      expect(await pool.outcomeOf(tickets[1] as Ticket, pacer)).toEqual({
        bytesRead: 4,
        scanners: [{ results: [false] }],
      });
      expect(await (tickets[0] as Ticket).outcome).toEqual({ bytesRead: 4, scanners: [{ results: [true] }] });
      expect(pool.filesAnswered).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('claimed files are the module thread’s: no thread reads them', async () => {
    const pool = new ContentPool(new AbortController().signal, { threads: 1, heapMb: 64 }, true);
    try {
      const tickets = pool.submit([{ path: '/nonexistent', size: 1, specs: [spec] }]);
      expect(tickets[0]?.claim()).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('bounds its threads by the cores, MAX_CONTENT_THREADS and the module thread’s heap ceiling', () => {
    // The module's own thread reads too: one thread fewer than the cores.
    expect(threadsFor(1, undefined)).toEqual({ threads: 0, heapMb: 128 });
    expect(threadsFor(2, undefined)).toEqual({ threads: 0, heapMb: 128 });
    expect(threadsFor(3, undefined)).toEqual({ threads: 2, heapMb: 128 });
    expect(threadsFor(2, undefined, 1)).toEqual({ threads: 1, heapMb: 128 });
    expect(threadsFor(64, undefined).threads).toBe(MAX_CONTENT_THREADS);
    // An agent's module worker lends an operation one core unless its owner opts in.
    expect(threadsFor(8, 512).threads).toBe(0);
    // Opted in with 512 MB: the threads share it.
    expect(threadsFor(8, 512, 4)).toEqual({ threads: 4, heapMb: 102 });
    expect(threadsFor(8, 100, 4)).toEqual({ threads: 1, heapMb: 50 });
    expect(threadsFor(8, 64, 4).threads).toBe(0);
  });
});
