import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResultMessage } from '../../protocol/messages.js';
import { tempDir } from '../../test/helpers/agent/probe.js';
import { ANSWER_JOURNAL_FILE, AnswerJournal, type AnswerLimits } from './answer-journal.js';
import { closedAfterEach } from '../../test/helpers/closed-after-each.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const later = (ms: number): Date => new Date(T0.getTime() + ms);
/** Command ids c0000…, c0001…; action ids a0000…: 32 hex chars each. */
const cmd = (i: number): string => `c${String(i).padStart(4, '0')}`.padEnd(32, '0');
const act = (i: number): string => `a${String(i).padStart(4, '0')}`.padEnd(32, '0');

function result(i: number, rows: Record<string, unknown>[] = [{ path: `/p/${i}`, size: i }]): ResultMessage {
  return {
    v: 1,
    kind: 'result',
    commandId: cmd(i),
    actionId: act(i),
    status: 'success',
    operations: [{ module: 'probe', isFound: rows.length > 0, rows, stats: { visited: rows.length }, errors: [] }],
    startedAt: T0.toISOString(),
    finishedAt: later(5).toISOString(),
  };
}

// Alike on purpose (duplicates): a temp dir, clock and warnings reset per test; the clock is a Date here and epoch ms
// in keyed-journal.test.ts, as each journal's API takes, so a shared helper would need both.
let dir: ReturnType<typeof tempDir>;
let clock: Date;
let warnings: string[];
beforeEach(() => {
  dir = tempDir('answers');
  clock = T0;
  warnings = [];
});
afterEach(() => dir.remove());
const track = closedAfterEach();

const open = (limits: Partial<AnswerLimits> = {}): Promise<AnswerJournal> =>
  AnswerJournal.open(dir.path, { now: () => clock, limits, log: (_level, message) => warnings.push(message) }).then(
    track,
  );
const fileText = (): string => readFileSync(join(dir.path, ANSWER_JOURNAL_FILE), 'utf8');

describe('AnswerJournal keeps answers', () => {
  it('reads back the exact result, in the same process and after reopening', async () => {
    const kept = result(1, [{ path: '/etc/passwd', size: 1234, note: 'é ✓ "quoted"' }]);
    const journal = await open();
    expect(await journal.keep(kept, later(MINUTE))).toBe(true);
    expect(journal.actionIdOf(cmd(1))).toBe(act(1));
    expect(JSON.stringify(await journal.read(cmd(1)))).toBe(JSON.stringify(kept));
    const reopened = await open();
    expect(reopened.actionIdOf(cmd(1))).toBe(act(1));
    expect(JSON.stringify(await reopened.read(cmd(1)))).toBe(JSON.stringify(kept));
    expect(await reopened.read(cmd(2))).toBeUndefined();
  });

  it('a later answer to the same command replaces the earlier one, also on disk', async () => {
    const journal = await open();
    await journal.keep(result(1), later(MINUTE));
    await journal.keep({ ...result(1), status: 'cancelled' }, later(MINUTE));
    expect((await journal.read(cmd(1)))?.status).toBe('cancelled');
    expect((await (await open()).read(cmd(1)))?.status).toBe('cancelled');
    expect((await open()).size).toBe(1);
  });

  it('keeps reading the right lines after rewriting a file full of replaced answers', async () => {
    const journal = await open();
    for (let round = 0; round < 1200; round++)
      await journal.keep({ ...result(round % 3), finishedAt: later(round).toISOString() }, later(MINUTE));
    expect(fileText().split('\n').length - 1).toBeLessThan(1200); // rewritten at least once
    for (const i of [0, 1, 2]) expect((await journal.read(cmd(i)))?.commandId).toBe(cmd(i));
    expect((await journal.read(cmd(2)))?.finishedAt).toBe(later(1199).toISOString());
    expect((await (await open()).read(cmd(2)))?.finishedAt).toBe(later(1199).toISOString());
  });
});

describe('AnswerJournal forgets', () => {
  it('drops expired answers at open and rewrites the file without them', async () => {
    const journal = await open();
    await journal.keep(result(1), later(MINUTE));
    await journal.keep(result(2), later(10 * MINUTE));
    clock = later(5 * MINUTE);
    expect(journal.actionIdOf(cmd(1))).toBeUndefined();
    expect(await journal.read(cmd(1))).toBeUndefined();
    const reopened = await open();
    expect(reopened.size).toBe(1);
    expect(reopened.actionIdOf(cmd(2))).toBe(act(2));
    expect(fileText()).not.toContain(cmd(1));
    expect(fileText()).toContain(cmd(2));
  });

  // Every result(i) for i < 10 makes a line of the same length.
  const lineBytes = Buffer.byteLength(
    `${JSON.stringify({ commandId: cmd(0), actionId: act(0), until: later(MINUTE).getTime(), result: result(0) })}\n`,
  );
  const caps: { name: string; limits: Partial<AnswerLimits>; keep: number; want: number[] }[] = [
    { name: 'maxEntries drops the oldest', limits: { maxEntries: 3 }, keep: 5, want: [2, 3, 4] },
    { name: 'maxBytes drops the oldest', limits: { maxBytes: 3 * lineBytes + 10 }, keep: 8, want: [5, 6, 7] },
  ];
  it.each(caps)('$name', async ({ limits, keep, want }) => {
    const journal = await open(limits);
    for (let i = 0; i < keep; i++) expect(await journal.keep(result(i), later(MINUTE))).toBe(true);
    const kept = (j: AnswerJournal): number[] =>
      [...Array(keep).keys()].filter((i) => j.actionIdOf(cmd(i)) !== undefined);
    expect(kept(journal)).toEqual(want);
    expect(kept(await open(limits))).toEqual(want);
  });

  it('does not keep an answer over maxAnswerBytes, and says so', async () => {
    const journal = await open({ maxAnswerBytes: 2000 });
    expect(await journal.keep(result(1, [{ path: 'x'.repeat(3000) }]), later(MINUTE))).toBe(false);
    expect(journal.actionIdOf(cmd(1))).toBeUndefined();
    expect(warnings.join()).toMatch(/not kept \(limit 2000\)/);
    expect(await journal.keep(result(2), later(MINUTE))).toBe(true);
  });

  it('does not keep an answer without an action id or already past its horizon', async () => {
    const journal = await open();
    const { actionId: _dropped, ...noAction } = result(1);
    expect(await journal.keep(noAction, later(MINUTE))).toBe(false);
    expect(await journal.keep(result(2), later(-1))).toBe(false);
    expect(journal.size).toBe(0);
  });
});

describe('AnswerJournal survives damage', () => {
  it('skips a torn last line (a kill during append) and drops it before appending again', async () => {
    await (await open()).keep(result(1), later(MINUTE));
    appendFileSync(join(dir.path, ANSWER_JOURNAL_FILE), `{"commandId":"${cmd(2)}","actionId":`);
    const reopened = await open();
    expect(warnings.join()).toMatch(/skipped 1 unreadable line/);
    await reopened.keep(result(3), later(MINUTE));
    const again = await open();
    expect(await Promise.all([1, 2, 3].map(async (i) => (await again.read(cmd(i)))?.commandId))).toEqual([
      cmd(1),
      undefined,
      cmd(3),
    ]);
  });

  it('forgets an answer whose line was damaged after it was loaded', async () => {
    const journal = await open();
    await journal.keep(result(1), later(MINUTE));
    const path = join(dir.path, ANSWER_JOURNAL_FILE);
    writeFileSync(path, fileText().replace('"success"', '"exploded"'));
    expect(await journal.read(cmd(1))).toBeUndefined();
    expect(journal.actionIdOf(cmd(1))).toBeUndefined();
    expect(warnings.join()).toMatch(/unreadable/);
  });

  it('skips a line whose result belongs to another command', async () => {
    const line = JSON.stringify({
      commandId: cmd(1),
      actionId: act(1),
      until: later(MINUTE).getTime(),
      result: result(2),
    });
    writeFileSync(join(dir.path, ANSWER_JOURNAL_FILE), `${line}\n`);
    expect((await open()).size).toBe(0);
    expect(statSync(join(dir.path, ANSWER_JOURNAL_FILE)).size).toBe(0);
  });
});
