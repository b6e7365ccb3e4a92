import { describe, expect, it } from 'vitest';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import type { ActionRecord, CommandRecord } from '../state/backend.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeActionRecord, makeAgent, makeCommand, signedCommand } from '../../test/helpers/console/state/records.js';
import { emptyCounters } from '../../protocol/api.js';

const LONG_PATH = `/srv/${'deeply/nested/'.repeat(8)}evil-implant.so`;
const MTIME = '2026-01-14T03:04:05.678Z';

/** One action, one command per agent, built by `commands`; opens its action view (found rows). */
async function openWith(
  commands: (record: ActionRecord) => CommandRecord[],
  keys: string[] = [],
  columns = 80,
): Promise<RenderedConsole> {
  const backend = new FakeBackend();
  backend.agents = [makeAgent(0), makeAgent(1)];
  const base = makeActionRecord(1, { name: 'implant hunt', status: 'completed' });
  const list = commands(base);
  const found = list.filter((c) => c.isFound === true).length;
  const record: ActionRecord = {
    ...base,
    counters: {
      ...emptyCounters(),
      targeted: list.length,
      sent: list.length,
      success: list.length,
      done: list.length,
      found,
    },
  };
  backend.actions.set(record.action.id, record);
  backend.commands.set(record.action.id, list);
  const r = await renderConsole({ backend, columns });
  await r.command('actions');
  await r.press('enter', ...keys);
  return r;
}

const agent = (i: number) => makeAgent(i);
const foundRow = (record: ActionRecord, over: Partial<CommandRecord> = {}): CommandRecord =>
  makeCommand(record, agent(0), { rows: [{ path: LONG_PATH, size: 123456, mtime: MTIME }], ...over });

/** The frame with wrapped continuation lines joined back: what was split over lines reads whole again. */
function unwrapped(frame: string): string {
  return frame.replace(/\n {12}/g, '');
}

describe('row detail (Enter on a result row)', () => {
  it('shows every field whole: a path longer than the terminal and the exact date, where the table cuts them', async () => {
    const ui = await openWith((r) => [foundRow(r)]);
    expect(ui.frame()).toContain('/srv/deeply/');
    expect(ui.frame()).not.toContain('evil-implant.so'); // the 80-column table cuts the path
    await ui.press('enter');
    const frame = ui.frame();
    expect(frame).toContain('Result of host00000.example.org  action implant hunt');
    expect(unwrapped(frame)).toContain(`path        ${LONG_PATH}`);
    expect(frame).toMatch(new RegExp(`modified\\s+${MTIME}`));
    expect(frame).toMatch(/size\s+123456 bytes \(121K\)/);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  const trustCases: { name: string; build: (r: ActionRecord) => CommandRecord; want: RegExp }[] = [
    {
      name: 'signed by the agent: verified',
      build: (r) => signedCommand(foundRow(r)),
      want: /answer\s+verified: signed by the key of agent a-[0-9a-f]{20}/,
    },
    {
      name: 'no signature: unsigned',
      build: (r) => foundRow(r),
      want: /answer\s+unsigned: the agent did not sign this answer/,
    },
    {
      name: 'rows changed after signing: BAD SIGNATURE',
      build: (r) => {
        const c = signedCommand(foundRow(r));
        return {
          ...c,
          operations: c.operations?.map((op) => ({ ...op, rows: [{ path: '/tmp/harmless', size: 1, mtime: MTIME }] })),
        };
      },
      want: /answer\s+BAD SIGNATURE: the signature does not match the answer/,
    },
    {
      name: "another agent's answer re-labelled: not verified",
      build: (r) => ({ ...signedCommand(foundRow(r)), agentId: 'a-00000000000000000000' }),
      want: /answer\s+not verified: the signing key does not derive agent id\s+a-0{20}/,
    },
  ];
  it.each(trustCases)('shows the agent signature check: $name', async ({ build, want }) => {
    const ui = await openWith((r) => [build(r)], ['enter']);
    expect(ui.frame()).toMatch(want);
  });

  it('shows the warnings that came with the answer, and the action view counts them', async () => {
    const errors = ['/home/bob: permission denied', '/root: permission denied'];
    const ui = await openWith(
      (r) => [
        foundRow(r),
        makeCommand(r, agent(1), {
          operations: [{ module: 'probe', isFound: false, rows: [], stats: { files: 3 }, errors }],
        }),
      ],
      ['f'],
      100,
    );
    expect(ui.frame()).toContain('[notfound]');
    expect(ui.frame()).toMatch(/host00001\.example\.org\s+success.*not found — 2 warnings/);
    expect(ui.frame()).toContain('warned 1');
    expect(ui.frame()).toContain('2/2 done — 2 warnings');
    await ui.press('enter');
    expect(ui.frame()).toMatch(/operation 1: probe\s+not found\s+0 rows\s+2 warnings/);
    expect(ui.frame()).toContain('! /home/bob: permission denied');
    expect(ui.frame()).toContain('! /root: permission denied');
  });

  it('says "nothing found" with the warnings when nothing was found', async () => {
    const errors = ['/export/home: no such file or directory'];
    const ui = await openWith((r) => [
      makeCommand(r, agent(0), { operations: [{ module: 'probe', isFound: false, rows: [], stats: {}, errors }] }),
    ]);
    expect(ui.frame()).toContain('1/1 done — nothing found, 1 warning');
  });
});
