import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/agent/probe.js';
import { REPLAY_JOURNAL_FILE, ReplayJournal } from './replay-journal.js';
import { LEGACY_RUNNING_DIR, RUNNING_JOURNAL_FILE, RunningJournal } from './running-journal.js';
import { closedAfterEach } from '../../test/helpers/closed-after-each.js';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const ID_A = 'a'.repeat(32);
const ID_B = 'b'.repeat(32);
const CMD_1 = '1'.repeat(32);
const CMD_2 = '2'.repeat(32);

let dir: ReturnType<typeof tempDir>;
let clock: Date;
beforeEach(() => {
  dir = tempDir('journal');
  clock = T0;
});
afterEach(() => dir.remove());
const track = closedAfterEach();

const open = (): Promise<ReplayJournal> => ReplayJournal.open(dir.path, { now: () => clock }).then(track);

describe('ReplayJournal', () => {
  it('remembers ids across reopen (restart), in the format older agents wrote', async () => {
    await (await open()).record(ID_A, new Date(T0.getTime() + 60_000));
    const again = await open();
    expect(again.has(ID_A)).toBe(true);
    expect(again.has(ID_B)).toBe(false);
    expect(readFileSync(join(dir.path, REPLAY_JOURNAL_FILE), 'utf8')).toBe(
      `${JSON.stringify({ id: ID_A, until: T0.getTime() + 60_000 })}\n`,
    );
  });

  it('refuses to record an id twice with REPLAYED, even while the first write is under way', async () => {
    const journal = await open();
    const first = journal.record(ID_A, new Date(T0.getTime() + 60_000));
    await expect(journal.record(ID_A, new Date(T0.getTime() + 60_000))).rejects.toMatchObject({ code: 'REPLAYED' });
    await first;
    await expect(journal.record(ID_A, new Date(T0.getTime() + 60_000))).rejects.toMatchObject({ code: 'REPLAYED' });
  });

  it('forgets ids past their horizon and compacts them away at open', async () => {
    const journal = await open();
    await journal.record(ID_A, new Date(T0.getTime() + 1000));
    await journal.record(ID_B, new Date(T0.getTime() + 10_000));
    clock = new Date(T0.getTime() + 5000);
    expect(journal.has(ID_A)).toBe(false);
    const reopened = await open();
    expect(reopened.size).toBe(1);
    expect(readFileSync(join(dir.path, REPLAY_JOURNAL_FILE), 'utf8')).not.toContain(ID_A);
  });

  it('survives a torn last line (a kill during append)', async () => {
    await (await open()).record(ID_A, new Date(T0.getTime() + 60_000));
    appendFileSync(join(dir.path, REPLAY_JOURNAL_FILE), '{"id":"bbbb');
    const warnings: string[] = [];
    const reopened = track(
      await ReplayJournal.open(dir.path, { now: () => clock, log: (_level, m) => warnings.push(m) }),
    );
    expect(reopened.has(ID_A)).toBe(true);
    expect(warnings.join()).toMatch(/skipped 1 unreadable line/);
  });
});

describe('ReplayJournal: the running mark on the same line', () => {
  const mark = { commandId: CMD_1, receivedAt: T0.toISOString() };
  const leftover = { commandId: CMD_1, actionId: ID_A, receivedAt: T0.toISOString() };

  it('is one line; reported at reopen until finished, the id refused throughout', async () => {
    const journal = await open();
    await journal.record(ID_A, new Date(T0.getTime() + 60_000), mark);
    expect(readFileSync(join(dir.path, REPLAY_JOURNAL_FILE), 'utf8')).toBe(
      `${JSON.stringify({ id: ID_A, until: T0.getTime() + 60_000, ...mark })}\n`,
    );
    const reopened = await open();
    expect(reopened.leftovers()).toEqual([leftover]);
    expect(reopened.has(ID_A)).toBe(true);
    expect(reopened.isRunning(CMD_1)).toBe(true);
    reopened.finish(CMD_1);
    expect(reopened.isRunning(CMD_1)).toBe(false);
    await reopened.flushed(); // finish's line is written lazily: with the next write, or by then
    const again = await open();
    expect(again.leftovers()).toEqual([]);
    expect(again.has(ID_A)).toBe(true);
    await expect(again.record(ID_A, new Date(T0.getTime() + 60_000))).rejects.toMatchObject({ code: 'REPLAYED' });
  });

  it("outlives the id's horizon: a command running that long is still reported; finished, it goes", async () => {
    const journal = await open();
    await journal.record(ID_A, new Date(T0.getTime() + 1000), mark);
    clock = new Date(T0.getTime() + 5000);
    expect(journal.has(ID_A)).toBe(false); // its validity window refuses the action by now anyway
    const reopened = await open();
    expect(reopened.leftovers()).toEqual([leftover]);
    reopened.finish(CMD_1);
    await reopened.close();
    const again = await open();
    expect(again.size).toBe(0);
    expect(again.leftovers()).toEqual([]);
  });

  it("writes finish's line with the next command's line; lost at a crash, the command is reported, never re-run", async () => {
    const path = join(dir.path, REPLAY_JOURNAL_FILE);
    const journal = await open();
    await journal.record(ID_A, new Date(T0.getTime() + 60_000), mark);
    const lines = (): number => readFileSync(path, 'utf8').split('\n').length - 1;
    journal.finish(CMD_1);
    expect(journal.isRunning(CMD_1)).toBe(false);
    expect(lines()).toBe(1); // not written yet: nobody waits for it
    // A process that dies now: the next start reports the command again (its kept answer goes
    // out once more) and the id stays refused.
    const crashed = await open();
    expect(crashed.leftovers()).toEqual([leftover]);
    await expect(crashed.record(ID_A, new Date(T0.getTime() + 60_000))).rejects.toMatchObject({ code: 'REPLAYED' });
    // The next command's line takes it along, in one write.
    await journal.record(ID_B, new Date(T0.getTime() + 60_000), { commandId: CMD_2, receivedAt: T0.toISOString() });
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .slice(1, 3)
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { id: ID_A, until: T0.getTime() + 60_000 },
      { id: ID_B, until: T0.getTime() + 60_000, commandId: CMD_2, receivedAt: T0.toISOString() },
    ]);
    expect((await open()).leftovers()).toEqual([{ commandId: CMD_2, actionId: ID_B, receivedAt: T0.toISOString() }]);
  });

  it('with the running journal: reports what either left, and ends a command wherever it is', async () => {
    await (await open()).record(ID_A, new Date(T0.getTime() + 60_000), mark);
    const older = track(await RunningJournal.open(dir.path));
    await older.begin({ commandId: CMD_2, actionId: ID_B, receivedAt: T0.toISOString() });
    await older.close();
    const marks = await open();
    const running = track(await RunningJournal.open(dir.path, { replay: marks }));
    expect(running.leftovers()).toEqual([{ commandId: CMD_2, actionId: ID_B, receivedAt: T0.toISOString() }, leftover]);
    await running.end(CMD_1);
    await running.end(CMD_2);
    await Promise.all([running.close(), marks.close()]);
    const replay = await open();
    expect(track(await RunningJournal.open(dir.path, { replay })).leftovers()).toEqual([]);
    expect(replay.has(ID_A)).toBe(true);
  });

  it('refuses a command id that could forge a line; a half mark at load still counts the id', async () => {
    const journal = await open();
    await expect(
      journal.record(ID_A, new Date(T0.getTime() + 60_000), { commandId: '../x', receivedAt: T0.toISOString() }),
    ).rejects.toThrow();
    appendFileSync(
      join(dir.path, REPLAY_JOURNAL_FILE),
      `${JSON.stringify({ id: ID_B, until: T0.getTime() + 60_000, commandId: CMD_2 })}\n`,
    );
    const reopened = await open();
    expect(reopened.has(ID_B)).toBe(true);
    expect(reopened.leftovers()).toEqual([]);
  });
});

describe('RunningJournal', () => {
  it('returns what a previous process left, with the latest update of each command', async () => {
    const journal = track(await RunningJournal.open(dir.path));
    await journal.begin({ commandId: CMD_1, receivedAt: T0.toISOString() });
    await journal.begin({ commandId: CMD_1, actionId: ID_A, receivedAt: T0.toISOString() });
    await journal.begin({ commandId: CMD_2, receivedAt: T0.toISOString() });
    await journal.end(CMD_2);
    expect(track(await RunningJournal.open(dir.path)).leftovers()).toEqual([
      { commandId: CMD_1, actionId: ID_A, receivedAt: T0.toISOString() },
    ]);
  });

  it('takes over what an older agent left in running/, a damaged entry by its file name', async () => {
    const legacy = join(dir.path, LEGACY_RUNNING_DIR);
    mkdirSync(legacy);
    writeFileSync(join(legacy, `${CMD_1}.json`), '{"commandId":');
    writeFileSync(
      join(legacy, `${CMD_2}.json`),
      JSON.stringify({ commandId: CMD_2, actionId: ID_B, receivedAt: T0.toISOString() }),
    );
    writeFileSync(join(legacy, `${CMD_2}.json.123.tmp`), 'half');
    writeFileSync(join(legacy, 'notes.txt'), 'not ours');
    const leftovers = track(await RunningJournal.open(dir.path)).leftovers();
    expect(leftovers).toEqual([
      { commandId: CMD_1, receivedAt: new Date(0).toISOString() },
      { commandId: CMD_2, actionId: ID_B, receivedAt: T0.toISOString() },
    ]);
    expect(existsSync(legacy)).toBe(false);
    expect(track(await RunningJournal.open(dir.path)).leftovers()).toEqual(leftovers); // now in running.jsonl
    expect(existsSync(join(dir.path, RUNNING_JOURNAL_FILE))).toBe(true);
  });

  it('refuses a command id that could escape or forge a line', async () => {
    const journal = track(await RunningJournal.open(dir.path));
    expect(() => journal.end('../../etc/passwd')).toThrow();
    expect(() => journal.begin({ commandId: '../x', receivedAt: T0.toISOString() })).toThrow();
  });

  it('ending an unknown command is harmless', async () => {
    await expect(track(await RunningJournal.open(dir.path)).end(CMD_1)).resolves.toBeUndefined();
  });
});
