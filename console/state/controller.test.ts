import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../protocol/errors.js';
import { agentCounts, agentList } from './agents-state.js';
import { topEntry } from './nav.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { settle, startHarness, type Harness } from '../../test/helpers/console/state/harness.js';
import { makeActionRecord, makeAgent, makeCommand } from '../../test/helpers/console/state/records.js';

let h: Harness | undefined;
afterEach(() => {
  h?.ctl.dispose();
  h = undefined;
});

function fleet(n: number): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: n }, (_, i) => makeAgent(i));
  return backend;
}

const view = (x: Harness): string => topEntry(x.ctl.stores.ui.getState().nav).view.kind;

describe('ConsoleController', () => {
  it('loads agents and actions at start and subscribes to live events', async () => {
    const backend = fleet(3);
    backend.actions.set('x', makeActionRecord(1));
    h = await startHarness({ backend });
    expect(h.ctl.stores.agents.getState().byId.size).toBe(3);
    expect(h.ctl.stores.actions.getState().byId.size).toBe(1);
    expect(backend.subscriberCount).toBe(1);
    h.ctl.dispose();
    expect(backend.subscriberCount).toBe(0);
  });

  it('batches live events and shows the reconnecting status', async () => {
    h = await startHarness({ backend: fleet(2) });
    h.backend.emit({ type: 'agent', agent: makeAgent(7) });
    h.backend.emit({ type: 'agent', agent: makeAgent(0, { status: 'offline' }) });
    expect(h.ctl.stores.agents.getState().byId.size).toBe(2);
    h.clock.advance(0);
    expect(h.ctl.stores.agents.getState().byId.size).toBe(3);
    expect(h.ctl.stores.agents.getState().byId.get('agent-00000')?.status).toBe('offline');
    h.backend.setStatus('reconnecting');
    expect(h.ctl.stores.ui.getState().connection).toBe('reconnecting');
  });

  it.each([
    { name: 'exact name', input: 'actions', want: 'actions' },
    { name: 'unique prefix', input: 'inv', want: 'investigators' },
    { name: 'launcher', input: 'launch', want: 'launcher' },
    { name: 'unknown stays put', input: 'pods', want: 'agents' },
  ])(':$input jumps ($name)', async ({ input, want }) => {
    h = await startHarness();
    await h.press(':');
    await h.type(input);
    await h.press('enter');
    expect(view(h)).toBe(want);
    if (want === 'agents') expect(h.ctl.stores.ui.getState().flash?.text).toContain('unknown view');
  });

  it('filters agents with the target language and keeps the prompt open on a parse error', async () => {
    h = await startHarness({ backend: fleet(6) });
    await h.press('/');
    await h.type("os = 'darwin'");
    await h.press('enter');
    expect(topEntry(h.ctl.stores.ui.getState().nav).filter).toBe("os = 'darwin'");
    await h.press('/', 'ctrl+u');
    await h.type('os = ');
    await h.press('enter');
    expect(h.ctl.stores.ui.getState().overlay.kind).toBe('filter');
    await h.press('esc');
    expect(topEntry(h.ctl.stores.ui.getState().nav).filter).toBe("os = 'darwin'");
  });

  it('asks before cancelling an action and cancels only on y', async () => {
    const backend = fleet(1);
    const record = makeActionRecord(1);
    backend.actions.set(record.action.id, record);
    h = await startHarness({ backend });
    await h.press(':');
    await h.type('actions');
    await h.press('enter', 'c');
    expect(h.ctl.stores.ui.getState().overlay.kind).toBe('confirm');
    await h.press('n');
    expect(backend.callsTo('cancelAction')).toHaveLength(0);
    await h.press('c', 'y');
    expect(backend.callsTo('cancelAction')).toHaveLength(1);
    expect(h.ctl.stores.actions.getState().byId.get(record.action.id)?.status).toBe('cancelled');
  });

  it('does not bind dangerous or mutating commands in read-only mode', async () => {
    const backend = fleet(1);
    const record = makeActionRecord(1);
    backend.actions.set(record.action.id, record);
    h = await startHarness({ backend, isReadOnly: true });
    await h.press(':');
    await h.type('actions');
    await h.press('enter', 'c', 'n');
    expect(h.ctl.stores.ui.getState().overlay.kind).toBe('none');
    expect(view(h)).toBe('actions');
  });

  it('shows a backend error in the flash line without a stack', async () => {
    const backend = fleet(1);
    backend.failures.set('listInvestigators', new UserError('FORBIDDEN', 'admins only', 'ask an admin'));
    h = await startHarness({ backend });
    await h.press(':');
    await h.type('investigators');
    await h.press('enter');
    const flash = h.ctl.stores.ui.getState().flash;
    expect(flash).toEqual({ level: 'error', text: 'admins only (ask an admin)', seq: expect.any(Number) });
    expect(flash?.text).not.toContain('    at ');
  });

  it('opens an action, streams commands into it and drills into one agent', async () => {
    const backend = fleet(2);
    const record = makeActionRecord(1);
    backend.actions.set(record.action.id, record);
    const [a0, a1] = backend.agents;
    if (a0 === undefined || a1 === undefined) throw new Error('fixture');
    backend.commands.set(record.action.id, [
      makeCommand(record, a0, { rows: [{ path: '/etc/passwd', size: 10, mtime: record.createdAt }] }),
    ]);
    h = await startHarness({ backend });
    h.ctl.dispatch({ type: 'open', view: { kind: 'action', actionId: record.action.id } });
    await settle();
    const inv = () => h?.ctl.stores.investigations.getState().byAction.get(record.action.id);
    expect(inv()?.commands.size).toBe(1);
    backend.emit({
      type: 'command',
      command: makeCommand(record, a1, {
        status: 'failed',
        isFound: false,
        error: { code: 'BAD_SIGNATURE', message: 'nope' },
      }),
    });
    h.clock.advance(0);
    expect(inv()?.commands.size).toBe(2);
    await h.press('enter');
    expect(topEntry(h.ctl.stores.ui.getState().nav).view).toMatchObject({
      kind: 'command',
      actionId: record.action.id,
    });
  });

  it('shows pending enrollments apart from the fleet; an admin accepts one with a, rejects one with X, after y', async () => {
    const backend = fleet(1);
    backend.pendingAgents = [
      makeAgent(5, { name: 'newcomer', enrollment: 'pending' }),
      makeAgent(6, { name: 'stranger', enrollment: 'pending' }),
    ];
    h = await startHarness({ backend });
    const agents = (): Map<string, string | undefined> =>
      new Map([...h!.ctl.stores.agents.getState().byId.values()].map((a) => [a.name, a.enrollment]));
    expect(agents().get('newcomer')).toBe('pending');
    expect(agentCounts(h.ctl.stores.agents.getState()).total).toBe(1);
    const rowOf = (name: string): number =>
      agentList(h!.ctl.stores.agents.getState()).findIndex((a) => a.name === name);
    const goTo = async (name: string): Promise<void> => {
      await h!.press('g');
      for (let i = 0; i < rowOf(name); i++) await h!.press('j');
    };
    await goTo('newcomer');
    await h.press('a');
    expect(backend.calls.some((c) => c.method === 'decideEnrollment')).toBe(false);
    await h.press('y');
    await settle();
    expect(agents().get('newcomer')).toBe('accepted');
    expect(agentCounts(h.ctl.stores.agents.getState()).total).toBe(2);
    await goTo('stranger');
    await h.press('X', 'y');
    await settle();
    expect(agents().has('stranger')).toBe(false);
    expect(backend.calls.filter((c) => c.method === 'decideEnrollment').map((c) => c.args)).toEqual([
      [makeAgent(5).id, 'accept'],
      [makeAgent(6).id, 'reject'],
    ]);
  });

  it('binds neither enrollment key in read-only mode', async () => {
    const backend = fleet(0);
    backend.pendingAgents = [makeAgent(5, { enrollment: 'pending' })];
    h = await startHarness({ backend, isReadOnly: true });
    await h.press('a', 'y', 'X', 'y');
    await settle();
    expect(backend.calls.some((c) => c.method === 'decideEnrollment')).toBe(false);
  });
});
