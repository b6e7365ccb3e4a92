import { describe, expect, it } from 'vitest';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import type { ActionRecord } from '../state/backend.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { isolateModule, testModules } from '../../test/helpers/console/state/fake-modules.js';
import { makeActionRecord, makeAgent, makeInvestigator } from '../../test/helpers/console/state/records.js';
import { emptyCounters } from '../../protocol/api.js';

const BOB = 'b'.repeat(40);
const ZERO = emptyCounters();

/** Bob signed a firewall action; the server holds it for a second investigator. */
function held(over: Partial<ActionRecord> = {}): ActionRecord {
  return makeActionRecord(3, {
    name: 'block c2',
    target: "tags->>'env' = 'prod'",
    operations: [
      {
        module: 'firewall',
        parameters: { block: ['203.0.113.7'], direction: 'egress', reason: 'c2 beacon seen on web-1' },
      },
    ],
    status: 'pending',
    reason: 'pending approval',
    investigators: [BOB],
    approval: { required: 2, signers: [BOB] },
    counters: ZERO,
    ...over,
  });
}

function team(record: ActionRecord = held()): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: 4 }, (_, i) => makeAgent(i));
  backend.investigators = [makeInvestigator('bob', 'b')];
  const done = makeActionRecord(1, { name: 'old sweep', status: 'completed' });
  backend.actions.set(done.action.id, done);
  backend.actions.set(record.action.id, record);
  return backend;
}

async function jump(r: RenderedConsole, view: string): Promise<void> {
  await r.command(view);
}

/** The held action's view (newest first: it is the top row of :pending). */
async function openHeld(backend: FakeBackend, opts: { readOnly?: boolean } = {}): Promise<RenderedConsole> {
  const r = await renderConsole({ backend, rows: 30, ...opts });
  await jump(r, 'pending');
  await r.press('enter');
  return r;
}

describe('actions awaiting approval', () => {
  it('stand out in the actions view and the header; :pending lists only them', async () => {
    const ui = await renderConsole({ backend: team() });
    await jump(ui, 'actions');
    expect(ui.frame()).toContain('1 awaiting approval (:pending; a approves)');
    expect(ui.frame()).toMatch(/block c2\s.*firewa…?\s.*await 1\/2\s/);
    expect(ui.frame().split('\n')[1]).toMatch(/0 in flight .* 1 awaiting approval/);
    await jump(ui, 'pending');
    expect(ui.frame()).toContain('Awaiting approval 1');
    expect(ui.frame()).toContain('block c2');
    expect(ui.frame()).not.toContain('old sweep');
  });

  it('opens as the exact JSON to review, with who signed and how to approve', async () => {
    const ui = await openHeld(team());
    const frame = ui.frame();
    expect(frame).toMatch(/Action block c2 by bbbbbbbb.*pending approval/);
    expect(frame).toMatch(/PENDING APPROVAL 1\/2 signers · firewall \(response\) · expires in/);
    expect(frame).toContain('signed by bob bbbbbbbb');
    expect(frame).toContain('a approves: signs exactly this JSON');
    expect(frame).toContain('"module": "firewall"');
    expect(frame).toContain('"reason": "c2 beacon seen on web-1"');
    expect(frame).toContain('"signatures": [');
  });

  it('scrolls the JSON line by line', async () => {
    const ui = await openHeld(team(), {});
    await ui.resize(80, 16);
    expect(ui.frame()).toContain('"v": 1,');
    await ui.press('down', 'down');
    expect(ui.frame()).not.toContain('"v": 1,');
    expect(ui.frame()).toMatch(/lines 3-/);
    await ui.press('G');
    expect(ui.frame()).toContain('"signatures": [');
  });

  it('a asks y/n; n sends nothing; y co-signs exactly what was shown and switches to live progress', async () => {
    const record = held();
    const backend = team(record);
    const ui = await openHeld(backend);
    await ui.press('a');
    expect(ui.frame()).toContain(`approve and launch block c2 (firewall) on tags->>'env' = 'prod'?  (y/n)`);
    await ui.press('n');
    expect(backend.callsTo('approveAction')).toHaveLength(0);

    await ui.press('a', 'y');

    expect(backend.callsTo('approveAction').map((c) => c.args)).toEqual([[record.action.id, record.action]]);
    const frame = ui.frame();
    expect(frame).toContain('approved block c2: launched to 2 agents');
    expect(frame).toMatch(/Action block c2 .*inflight/);
    expect(frame).toContain('0/2 done');
    expect(frame).not.toContain('PENDING APPROVAL');
  });

  it('a from the :pending list approves the selected action and opens it', async () => {
    const backend = team();
    const ui = await renderConsole({ backend });
    await jump(ui, 'pending');
    await ui.press('a', 'y');
    expect(backend.callsTo('approveAction')).toHaveLength(1);
    expect(ui.frame()).toMatch(/Action block c2 .*inflight/);
  });

  it.each([
    {
      name: 'one the investigator already signed',
      record: () => held({ approval: { required: 2, signers: [new FakeBackend().investigator.fingerprint] } }),
      want: 'you already signed this action',
    },
    {
      name: 'one that is not waiting',
      record: () =>
        held({ status: 'inflight', reason: undefined, approval: { required: 2, signers: [BOB, 'c'.repeat(40)] } }),
      want: 'nothing to approve',
    },
  ])('a refuses $name without asking', async ({ record, want }) => {
    const r = record();
    const backend = team(r);
    const ui = await renderConsole({ backend });
    await jump(ui, 'actions');
    await ui.press('a');
    expect(ui.frame()).toContain(want);
    expect(ui.frame()).not.toContain('(y/n)');
    expect(backend.callsTo('approveAction')).toHaveLength(0);
  });

  it('read-only: a is not bound', async () => {
    const backend = team();
    const ui = await openHeld(backend, { readOnly: true });
    await ui.press('a', 'y');
    expect(backend.callsTo('approveAction')).toHaveLength(0);
  });

  it('a failed approval is a flash line, and the action stays under review', async () => {
    const backend = team();
    backend.failures.set('approveAction', new Error('BAD_SIGNATURE: existing signature does not verify'));
    const ui = await openHeld(backend);
    await ui.press('a', 'y');
    expect(ui.frame()).toContain('BAD_SIGNATURE: existing signature does not verify');
    expect(ui.frame()).toContain('PENDING APPROVAL 1/2');
  });
});

describe('launching a response module', () => {
  const modules: ReadonlyMap<string, AnyModuleSpec> = new Map([...testModules, ['firewall', isolateModule]]);

  it('warns in red on the module row, and the launched action says it waits for approval', async () => {
    const backend = team();
    backend.signAndLaunch = (action, opts) => {
      backend.calls.push({ method: 'signAndLaunch', args: [action, opts] });
      const record = held({
        action: { signatures: ['s'], ...action },
        approval: { required: 2, signers: [backend.investigator.fingerprint] },
      });
      backend.actions.set(record.action.id, record);
      return Promise.resolve(record);
    };
    const ui = await renderConsole({ backend, modules, tuning: { countdownSeconds: 0 } });
    await jump(ui, 'launch');
    await ui.press('left');
    expect(ui.frame()).toMatch(/‹ firewall ›.*RESPONSE: needs a 2nd approver/);
    await ui.press('down', 'down', 'down', 'down', 'enter');
    await ui.type('contain');
    await ui.press('enter', 's');
    expect(ui.frame()).toContain('launch firewall? It changes the endpoints it runs on.  (y/n)');
    await ui.press('y');
    await ui.advance(0);
    expect(backend.callsTo('signAndLaunch')).toHaveLength(1);
    expect(ui.frame()).toContain('waits for a second investigator');
    expect(ui.frame()).toContain('you signed it: another investigator must approve it');
  });
});
