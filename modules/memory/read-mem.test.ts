import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Region } from './maps.js';
import { MemoryMatcher } from './matcher.js';
import { planMemory } from './plan.js';
import { memoryParams } from './params.js';
import { scanBuffer, scanMemory, type ScanState } from './read-mem.js';

/**
 * The reader and the matcher together over a real file read with positioned reads, with chunk
 * sizes that put a boundary at every position: whatever the chunking, the answer must be the
 * one of the reference (each region's lines tested alone with RE2; bytes searched whole).
 */

const BASE = 0x100;
let dir: string | undefined;

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function memFile(data: Buffer): string {
  dir = mkdtempSync(join(tmpdir(), 'mig-memory-scan-'));
  const path = join(dir, 'mem');
  writeFileSync(path, Buffer.concat([Buffer.alloc(BASE), data]));
  return path;
}

interface Scan {
  matched: string[];
  failures: string[];
  state: ScanState;
}

async function scan(
  path: string,
  regions: Region[],
  params: unknown,
  chunkBytes: number,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<Scan> {
  const plan = planMemory(memoryParams.parse(params));
  const matcher = new MemoryMatcher(plan.contents, plan.bytes);
  const failures: string[] = [];
  const state: ScanState = {
    buffer: scanBuffer(matcher, chunkBytes),
    chunkBytes,
    signal: new AbortController().signal,
    remaining: maxBytes,
    bytesScanned: 0,
    regionsScanned: 0,
    onRegionFailure: (region, at, code) => failures.push(`${region.start.toString(16)}@${at.toString(16)}:${code}`),
  };
  await scanMemory(path, regions, matcher, state);
  return { matched: matcher.matchedLabels(), failures, state };
}

/** The file module's line semantics, with NUL ending lines too: split, drop one '\r', test each line with RE2. */
function referenceLines(pattern: string, text: string): boolean {
  const re = RE2JS.compile(pattern);
  return text.split(/[\n\0]/).some((line) => re.test(line.endsWith('\r') ? line.slice(0, -1) : line));
}

const CHUNKS = [1, 2, 3, 5, 8, 13, 64, 4096];

describe('content regexes: the same answer for every chunk size', () => {
  const text = 'aaaa\nhello world\r\nbbbb\x00\xffzz GET /x?token=SECRET-42 HTTP/1.1\nxx\x00c-string\x00\x00partial';
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { name: 'a literal spanning boundaries', input: 'hello world', want: true },
    { name: 'a whole-line anchor', input: '^hello world$', want: true },
    { name: 'a line start that is not one', input: '^world', want: false },
    { name: 'a line end that is not one', input: '^hello$', want: false },
    { name: 'the region end ends the last line', input: 'partial$', want: true },
    { name: 'a re2js pattern', input: 'token=[A-Z]+-[0-9]+ HTTP', want: true },
    { name: 'dot does not cross a newline', input: 'aaaa.hello', want: false },
    { name: 'a C string, anchored', input: '^c-string$', want: true },
    { name: 'dot does not cross a NUL', input: 'xx.c-string', want: false },
    { name: 'a NUL escape never matches inside a line', input: 'bbbb\\x00', want: false },
    { name: 'absent', input: 'goodbye', want: false },
  ])('$name: $input', async ({ input, want }) => {
    const data = Buffer.from(text, 'latin1');
    const path = memFile(data);
    expect(referenceLines(input, data.toString('utf8'))).toBe(want);
    for (const chunk of CHUNKS) {
      const got = await scan(path, [{ start: BASE, end: BASE + data.length, path: '' }], { contents: [input] }, chunk);
      expect({ chunk, matched: got.matched }).toEqual({ chunk, matched: want ? [`content:${input}`] : [] });
    }
  });
});

// Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
// table's.
describe('byte strings: the same answer for every chunk size', () => {
  const data = Buffer.from('00112233deadbeef4455660a6d69672e6f7267', 'hex');
  it.each([
    { name: 'inside', input: 'deadbeef', want: true },
    { name: 'at the start', input: '0011', want: true },
    { name: 'at the end', input: '6d69672e6f7267', want: true },
    { name: 'across a newline', input: '660a6d', want: true },
    { name: 'absent', input: 'deadbeee', want: false },
  ])('$name: $input', async ({ input, want }) => {
    const path = memFile(data);
    for (const chunk of CHUNKS) {
      const got = await scan(path, [{ start: BASE, end: BASE + data.length, path: '' }], { bytes: [input] }, chunk);
      expect({ chunk, matched: got.matched }).toEqual({ chunk, matched: want ? [`bytes:${input}`] : [] });
    }
  });
});

describe('scanMemory', () => {
  it('finds a match across a chunk boundary inside a line longer than any chunk', async () => {
    const data = Buffer.from(`${'x'.repeat(200_000)}MARK${'y'.repeat(200_000)}`);
    const path = memFile(data);
    const got = await scan(
      path,
      [{ start: BASE, end: BASE + data.length, path: '' }],
      { contents: ['xMARKy'] },
      200_002,
    );
    expect(got.matched).toEqual(['content:xMARKy']);
  });

  it('regions are separate: a line does not continue into the next region', async () => {
    const data = Buffer.from('abcdef');
    const path = memFile(data);
    const regions = [
      { start: BASE, end: BASE + 3, path: '' },
      { start: BASE + 3, end: BASE + 6, path: '' },
    ];
    expect((await scan(path, regions, { contents: ['abcdef'] }, 2)).matched).toEqual([]);
    expect((await scan(path, regions, { contents: ['^def$', 'abc$'] }, 2)).matched).toEqual([
      'content:^def$',
      'content:abc$',
    ]);
  });

  it('a region that stops reading part way is reported, and what was read still counts', async () => {
    const data = Buffer.from('found-me\nand');
    const path = memFile(data);
    const regions = [{ start: BASE, end: BASE + 4096, path: '' }];
    const got = await scan(path, regions, { contents: ['found-me', 'and$', 'absent'] }, 5);
    expect(got.matched).toEqual(['content:found-me', 'content:and$']);
    expect(got.failures).toEqual([`100@${(BASE + data.length).toString(16)}:EOF`]);
    expect(got.state.bytesScanned).toBe(data.length);
  });

  it('stops at the byte budget (maxlength) and at the first region past it', async () => {
    const data = Buffer.from('0123456789MARK');
    const path = memFile(data);
    const regions = [
      { start: BASE, end: BASE + 10, path: '' },
      { start: BASE + 10, end: BASE + 14, path: '' },
    ];
    const capped = await scan(path, regions, { contents: ['MARK'] }, 4, 10);
    expect({ matched: capped.matched, bytes: capped.state.bytesScanned, regions: capped.state.regionsScanned }).toEqual(
      { matched: [], bytes: 10, regions: 1 },
    );
    const enough = await scan(path, regions, { contents: ['MARK'] }, 4, 14);
    expect(enough.matched).toEqual(['content:MARK']);
  });

  it('stops reading once every check has matched', async () => {
    const data = Buffer.from(`MARK\n${'.'.repeat(1000)}`);
    const path = memFile(data);
    const got = await scan(
      path,
      [{ start: BASE, end: BASE + data.length, path: '' }],
      { contents: ['MARK'], bytes: ['4d41'] },
      8,
    );
    expect(got.matched).toEqual(['content:MARK', 'bytes:4d41']);
    expect(got.state.bytesScanned).toBe(8);
  });

  it('throws when the mem file cannot be opened', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mig-memory-scan-'));
    await expect(scan(join(dir, 'missing'), [], { contents: ['x'] }, 8)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
