import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaseError } from '../../protocol/errors.js';
import { tempDir } from '../../test/helpers/agent/probe.js';
import { REPLAY_JOURNAL_FILE, ReplayJournal } from './replay-journal.js';
import { RUNNING_DIR, RunningJournal } from './running-journal.js';

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

const open = (): ReplayJournal => ReplayJournal.open(dir.path, { now: () => clock });

describe('ReplayJournal', () => {
  it('remembers ids across reopen (restart)', () => {
    open().record(ID_A, new Date(T0.getTime() + 60_000));
    const again = open();
    expect(again.has(ID_A)).toBe(true);
    expect(again.has(ID_B)).toBe(false);
  });

  it('refuses to record an id twice with REPLAYED', () => {
    const journal = open();
    journal.record(ID_A, new Date(T0.getTime() + 60_000));
    let code = '';
    try {
      journal.record(ID_A, new Date(T0.getTime() + 60_000));
    } catch (err) {
      code = (err as BaseError).code;
    }
    expect(code).toBe('REPLAYED');
  });

  it('forgets ids past their horizon and compacts them away at open', () => {
    const journal = open();
    journal.record(ID_A, new Date(T0.getTime() + 1000));
    journal.record(ID_B, new Date(T0.getTime() + 10_000));
    clock = new Date(T0.getTime() + 5000);
    expect(journal.has(ID_A)).toBe(false);
    const reopened = open();
    expect(reopened.size).toBe(1);
    expect(readFileSync(join(dir.path, REPLAY_JOURNAL_FILE), 'utf8')).not.toContain(ID_A);
  });

  it('survives a torn last line (a kill during append)', () => {
    open().record(ID_A, new Date(T0.getTime() + 60_000));
    appendFileSync(join(dir.path, REPLAY_JOURNAL_FILE), '{"id":"bbbb');
    const warnings: string[] = [];
    const reopened = ReplayJournal.open(dir.path, { now: () => clock, log: (_level, m) => warnings.push(m) });
    expect(reopened.has(ID_A)).toBe(true);
    expect(warnings.join()).toMatch(/skipped 1 unreadable line/);
  });
});

describe('RunningJournal', () => {
  it('returns what a previous process left, with the latest update of each command', () => {
    const journal = RunningJournal.open(dir.path);
    journal.begin({ commandId: CMD_1, receivedAt: T0.toISOString() });
    journal.begin({ commandId: CMD_1, actionId: ID_A, receivedAt: T0.toISOString() });
    journal.begin({ commandId: CMD_2, receivedAt: T0.toISOString() });
    journal.end(CMD_2);
    expect(RunningJournal.open(dir.path).leftovers()).toEqual([
      { commandId: CMD_1, actionId: ID_A, receivedAt: T0.toISOString() },
    ]);
  });

  it('reports a damaged entry by its file name and clears temp files', () => {
    const running = join(dir.path, RUNNING_DIR);
    RunningJournal.open(dir.path);
    writeFileSync(join(running, `${CMD_1}.json`), '{"commandId":');
    writeFileSync(join(running, `${CMD_2}.json.123.tmp`), 'half');
    writeFileSync(join(running, 'notes.txt'), 'not ours');
    const leftovers = RunningJournal.open(dir.path).leftovers();
    expect(leftovers.map((e) => e.commandId)).toEqual([CMD_1]);
    expect(readdirSync(running).sort()).toEqual([`${CMD_1}.json`, 'notes.txt']);
  });

  it('refuses a command id that could escape the directory', () => {
    expect(() => RunningJournal.open(dir.path).end('../../etc/passwd')).toThrow();
  });

  it('ending an unknown command is harmless', () => {
    expect(() => RunningJournal.open(dir.path).end(CMD_1)).not.toThrow();
  });
});
