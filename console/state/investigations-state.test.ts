import { describe, expect, it } from 'vitest';
import { RECENT_PER_AGENT, emptyInvestigations, loaded, startLoading, upsertCommands } from './investigations-state.js';
import { investigationRows, resultColumns } from './results.js';
import { testModules } from '../../test/helpers/console/state/fake-modules.js';
import { makeActionRecord, makeAgent, makeCommand } from '../../test/helpers/console/state/records.js';

const record = makeActionRecord(1);
const agents = Array.from({ length: 4 }, (_, i) => makeAgent(i));
const row = (path: string) => ({ path, size: 10, mtime: record.createdAt });

function opened() {
  const [a0, a1, a2, a3] = agents;
  if (a0 === undefined || a1 === undefined || a2 === undefined || a3 === undefined) throw new Error('fixture');
  return loaded(startLoading(emptyInvestigations, record.action.id), record, [
    makeCommand(record, a0, { rows: [row('/a'), row('/b')] }),
    makeCommand(record, a1),
    makeCommand(record, a2, { status: 'sent', isFound: undefined, operations: undefined, finishedAt: undefined }),
    makeCommand(record, a3, {
      status: 'failed',
      isFound: false,
      operations: [],
      error: { code: 'EXPIRED', message: 'too late' },
    }),
  ]);
}

describe('investigations', () => {
  it.each([
    {
      name: 'all: one row per result row, one per agent without rows',
      input: 'all' as const,
      want: ['/a', '/b', 'not found', 'waiting', 'EXPIRED: too late'],
    },
    { name: 'found', input: 'found' as const, want: ['/a', '/b'] },
    {
      name: 'notfound leaves out agents still running',
      input: 'notfound' as const,
      want: ['not found', 'EXPIRED: too late'],
    },
  ])('rows: $name', ({ input, want }) => {
    const inv = opened().byAction.get(record.action.id);
    if (inv === undefined) throw new Error('not opened');
    expect(
      investigationRows(inv, input).map((r) => (typeof r.values.path === 'string' ? r.values.path : r.note)),
    ).toEqual(want);
  });

  it('a late page never overwrites a result that streamed in', () => {
    const a2 = agents[2];
    if (a2 === undefined) throw new Error('fixture');
    const done = makeCommand(record, a2, { rows: [row('/live')] });
    let state = startLoading(emptyInvestigations, record.action.id);
    state = upsertCommands(state, [done]);
    state = loaded(state, record, [{ ...done, status: 'sent', isFound: undefined, operations: undefined }]);
    expect(state.byAction.get(record.action.id)?.commands.get(done.id)?.status).toBe('success');
  });

  it('commands of unopened actions only feed the per-agent index, capped', () => {
    const a0 = agents[0];
    if (a0 === undefined) throw new Error('fixture');
    const many = Array.from({ length: RECENT_PER_AGENT + 5 }, (_, i) => makeCommand(makeActionRecord(100 + i), a0));
    const state = upsertCommands(emptyInvestigations, many);
    expect(state.byAction.size).toBe(0);
    expect(state.recentByAgent.get(a0.id)).toHaveLength(RECENT_PER_AGENT);
    expect(state.recentByAgent.get(a0.id)?.[0]?.actionId).toBe(makeActionRecord(100 + RECENT_PER_AGENT + 4).action.id);
  });

  it.each([
    {
      name: 'module columns after agent and status',
      input: record,
      want: ['agent', 'status', 'col:path', 'col:size', 'col:mtime', 'note'],
    },
    {
      name: 'unknown module still shows its data',
      input: makeActionRecord(2, { operations: [{ module: 'mystery', parameters: {} }] }),
      want: ['agent', 'status', 'data', 'note'],
    },
    {
      name: 'two modules add a MODULE column',
      input: makeActionRecord(3, {
        operations: [
          { module: 'probe', parameters: {} },
          { module: 'nested', parameters: {} },
        ],
      }),
      want: ['agent', 'status', 'module', 'col:path', 'col:size', 'col:mtime', 'col:hit', 'note'],
    },
  ])('columns: $name', ({ input, want }) => {
    expect(resultColumns(input, testModules).map((c) => c.key)).toEqual(want);
  });
});
