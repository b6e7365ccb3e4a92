import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../test/helpers/agent/probe.js';
import { KeyedJournal, LineTooLargeError, type KeyedLimits } from './keyed-journal.js';
import { LATER_MS } from './write-queue.js';
import { closedAfterEach } from '../../test/helpers/closed-after-each.js';

const T0 = 1_900_000_000_000;
const LineSchema = z.strictObject({ k: z.string(), until: z.number(), n: z.number() });
type Line = z.infer<typeof LineSchema>;

let dir: ReturnType<typeof tempDir>;
let clock: number;
let warnings: string[];
beforeEach(() => {
  dir = tempDir('keyed');
  clock = T0;
  warnings = [];
});
afterEach(() => dir.remove());
const track = closedAfterEach();

const path = (): string => join(dir.path, 'keyed.jsonl');
const open = (limits: Partial<KeyedLimits> = {}): Promise<KeyedJournal<number>> =>
  KeyedJournal.open({
    path: path(),
    decode: (value) => {
      const parsed = LineSchema.safeParse(value);
      return parsed.success ? { key: parsed.data.k, until: parsed.data.until, meta: parsed.data.n } : undefined;
    },
    now: () => new Date(clock),
    log: (_level, message) => warnings.push(message),
    what: 'test journal',
    limits,
  }).then(track);
const put = (j: KeyedJournal<number>, k: string, n: number, ttl = 60_000): Promise<void> =>
  j.put(k, T0 + ttl, n, { k, until: T0 + ttl, n } satisfies Line);
const lines = (): Line[] =>
  readFileSync(path(), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => LineSchema.parse(JSON.parse(l)));
const live = (j: KeyedJournal<number>): [string, number][] => [...j.live()].map((e) => [e.key, e.meta]);

describe('KeyedJournal', () => {
  it('putLater: counts at once, written with the next put in one batch, or on its own after LATER_MS', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const journal = await open();
      journal.putLater('a', T0 + 60_000, 1, { k: 'a', until: T0 + 60_000, n: 1 } satisfies Line);
      expect(journal.get('a')?.meta).toBe(1);
      await put(journal, 'b', 2);
      expect(lines().map((l) => l.k)).toEqual(['a', 'b']);
      journal.putLater('c', T0 + 60_000, 3, { k: 'c', until: T0 + 60_000, n: 3 } satisfies Line);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines()).toHaveLength(2); // nobody asked for a write yet
      vi.advanceTimersByTime(LATER_MS);
      while (lines().length < 3) await new Promise((resolve) => setImmediate(resolve));
      expect(live(await open())).toEqual([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps entries across reopening, the later line of a key winning', async () => {
    const journal = await open();
    await put(journal, 'a', 1);
    await put(journal, 'b', 2);
    await put(journal, 'a', 3);
    expect(journal.get('a')?.meta).toBe(3);
    expect(live(await open())).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
    expect(await (await open()).read('a')).toEqual({ k: 'a', until: T0 + 60_000, n: 3 });
  });

  it('skips a torn last line, says so, and drops it before appending again', async () => {
    await put(await open(), 'a', 1);
    appendFileSync(path(), '{"k":"b","until":');
    const reopened = await open();
    expect(warnings.join()).toMatch(/test journal .*skipped 1 unreadable line/);
    await put(reopened, 'c', 3);
    expect(lines().map((l) => l.k)).toEqual(['a', 'c']);
    expect(live(await open())).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
  });

  it('forgets entries past their expiry (mocked clock) and drops them from the file at open', async () => {
    const journal = await open();
    await put(journal, 'short', 1, 1000);
    await put(journal, 'long', 2, 10_000);
    clock = T0 + 5000;
    expect(journal.get('short')).toBeUndefined();
    expect(await journal.read('short')).toBeUndefined();
    expect(journal.get('long')?.meta).toBe(2);
    const reopened = await open();
    expect(reopened.size).toBe(1);
    expect(lines().map((l) => l.k)).toEqual(['long']);
  });

  it('remove() with a tombstone forgets the key after reopening too', async () => {
    const journal = await open();
    await put(journal, 'a', 1);
    await put(journal, 'b', 2);
    await journal.remove('a', { k: 'a', until: 0, n: 0 } satisfies Line);
    expect(journal.get('a')).toBeUndefined();
    expect(live(await open())).toEqual([['b', 2]]);
    expect(lines().map((l) => l.k)).toEqual(['b']); // the dead lines went at open
  });

  it('rewrites the file once dead lines pile up, and reads the right lines afterwards', async () => {
    const journal = await open();
    for (let n = 0; n < 1500; n++) await put(journal, `k${n % 3}`, n);
    expect(lines().length).toBeLessThan(1500);
    expect(await Promise.all(['k0', 'k1', 'k2'].map((k) => journal.read(k)))).toEqual(
      [1497, 1498, 1499].map((n) => ({ k: `k${n % 3}`, until: T0 + 60_000, n })),
    );
  });

  it('writes concurrent puts in call order, and each counts before its write is done', async () => {
    const journal = await open();
    const writes: Promise<void>[] = [];
    for (let n = 0; n < 200; n++) {
      writes.push(put(journal, `k${n}`, n));
      expect(journal.get(`k${n}`)?.meta).toBe(n); // at once: callers check-then-put without racing
    }
    await Promise.all(writes);
    expect(lines().map((l) => l.n)).toEqual([...Array(200).keys()]);
  });

  it('keeps reading right while puts and a rewrite interleave', async () => {
    const journal = await open();
    const writes: Promise<void>[] = [];
    for (let n = 0; n < 2500; n++) writes.push(put(journal, `k${n % 5}`, n));
    const reads = ['k0', 'k4'].map((k) => journal.read(k));
    await Promise.all(writes);
    await journal.flushed(); // a rewrite may still be queued: two journals must not rewrite one file at once
    expect(await Promise.all(reads)).toEqual([2495, 2499].map((n) => ({ k: `k${n % 5}`, until: T0 + 60_000, n })));
    expect(live(await open()).map(([, n]) => n)).toEqual([2495, 2496, 2497, 2498, 2499]);
  });

  it('drops the oldest entries over maxEntries, and refuses a line over maxLineBytes', async () => {
    const journal = await open({ maxEntries: 2, maxLineBytes: 100 });
    for (const n of [1, 2, 3]) await put(journal, `k${n}`, n);
    expect(live(journal)).toEqual([
      ['k2', 2],
      ['k3', 3],
    ]);
    await expect(journal.put('big', T0 + 1000, 9, { k: 'x'.repeat(200) })).rejects.toBeInstanceOf(LineTooLargeError);
    expect(journal.get('big')).toBeUndefined();
    expect(live(await open({ maxEntries: 2 })).map(([k]) => k)).toEqual(['k2', 'k3']);
  });

  it('skips lines that are not its own (and unknown garbage) at open', async () => {
    writeFileSync(path(), `not json\n{"other":1}\n${JSON.stringify({ k: 'a', until: T0 + 1000, n: 1 })}\n`);
    const journal = await open();
    expect(live(journal)).toEqual([['a', 1]]);
    expect(warnings.join()).toMatch(/skipped 2 unreadable line/);
    expect(lines().map((l) => l.k)).toEqual(['a']);
  });
});
