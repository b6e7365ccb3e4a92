import { afterEach, describe, expect, it } from 'vitest';
import { topEntry } from '../nav.js';
import { FakeBackend } from '../../../test/helpers/console/state/fake-backend.js';
import { settle, startHarness, type Harness } from '../../../test/helpers/console/state/harness.js';
import { UserError } from '../../../protocol/errors.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import { isolateModule } from '../../../test/helpers/console/state/fake-modules.js';
import { makeActionRecord, makeAgent, T0 } from '../../../test/helpers/console/state/records.js';

let h: Harness | undefined;
afterEach(() => {
  h?.ctl.dispose();
  h = undefined;
});

function fleet(): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: 6 }, (_, i) => makeAgent(i));
  return backend;
}

const launcher = (x: Harness) => x.ctl.stores.launcher.getState();
const view = (x: Harness) => topEntry(x.ctl.stores.ui.getState().nav).view;

/** Focus the row with this id. */
async function focus(x: Harness, id: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const { launcherRows } = await import('./launcher-state.js');
    if (launcherRows(launcher(x), x.ctl.modules)[launcher(x).focus]?.id === id) return;
    await x.press('down');
  }
  throw new Error(`no row ${id}`);
}

// Alike on purpose (duplicates): keyboard-driven steps (press, then read the frame) are the shape
// of every view test; the keys and frames are each test's own.
describe('launcher flow', () => {
  it('counts the target once typing pauses, then signs, counts down, launches and opens the action', async () => {
    h = await startHarness({ backend: fleet() });
    await h.press('n');
    expect(view(h).kind).toBe('launcher');
    await focus(h, 'target');
    await h.press('enter', 'ctrl+u');
    await h.type("os = 'linux'");
    expect(h.backend.callsTo('countAgents')).toHaveLength(0);
    h.clock.advance(300);
    await settle();
    expect(h.backend.callsTo('countAgents').map((c) => c.args[0])).toEqual(["os = 'linux'"]);
    expect(launcher(h).targetCount).toMatchObject({ kind: 'counted', count: { total: 4 } });
    // Alike on purpose (duplicates): the keys a user presses to fill the launcher, spelled out in each test: a shared
    // sequence would hide which keys each flow presses.
    await h.press('enter');
    await focus(h, 'field:names');
    await h.press('enter');
    await h.type('passwd, shadow');
    await h.press('enter', 's');
    await settle();
    expect(launcher(h).phase).toMatchObject({ kind: 'countdown', secondsLeft: 3 });
    expect(h.backend.callsTo('signAndLaunch')).toHaveLength(0);
    h.clock.advance(3000);
    await settle();
    const sent = h.backend.callsTo('signAndLaunch')[0]?.args[0];
    expect(sent).toMatchObject({
      target: "os = 'linux'",
      operations: [{ module: 'probe', parameters: { names: ['passwd', 'shadow'], depth: 3, recursive: false } }],
      signatures: ['signature-by-alice'],
    });
    expect(view(h)).toMatchObject({ kind: 'action' });
    expect(launcher(h).phase.kind).toBe('editing');
  });

  it('Esc during the countdown sends nothing', async () => {
    h = await startHarness({ backend: fleet() });
    await h.press('n');
    await focus(h, 'field:names');
    await h.press('enter');
    await h.type('passwd');
    await h.press('enter', 's');
    await settle();
    expect(launcher(h).phase.kind).toBe('countdown');
    await h.press('esc');
    expect(h.ctl.stores.ui.getState().flash?.text).toContain('nothing was sent');
    h.clock.advance(10_000);
    await settle();
    expect(h.backend.callsTo('signAndLaunch')).toHaveLength(0);
    expect(launcher(h).phase.kind).toBe('editing');
  });

  it('refuses to sign an invalid form and focuses the bad field', async () => {
    h = await startHarness({ backend: fleet() });
    await h.press('n', 's');
    expect(h.backend.callsTo('sign')).toHaveLength(0);
    expect(h.ctl.stores.ui.getState().flash?.text).toMatch(/^names: /);
  });

  it.each([
    { name: 'found', key: 'h', want: "found('" },
    { name: 'notfound', key: 'N', want: "notfound('" },
  ])('hunt again ($name) prefills the form and the target', async ({ key, want }) => {
    const backend = fleet();
    const record = makeActionRecord(1, {
      operations: [{ module: 'probe', parameters: { names: ['a,b', 'c'], depth: 5 } }],
    });
    backend.actions.set(record.action.id, record);
    h = await startHarness({ backend });
    h.ctl.dispatch({ type: 'open', view: { kind: 'action', actionId: record.action.id } });
    await settle();
    await h.press(key);
    expect(view(h).kind).toBe('launcher');
    expect(launcher(h)).toMatchObject({
      source: { kind: 'form' },
      target: `${want}${record.action.id}')`,
      values: { names: 'a\\,b, c', depth: '5', recursive: false },
    });
  });

  it('hunt again copies parameters the form cannot express verbatim', async () => {
    const backend = fleet();
    const operations = [
      { module: 'nested', parameters: { searches: { s1: { paths: ['/a'] }, s2: { paths: ['/b'] } } } },
    ];
    const record = makeActionRecord(2, { operations });
    backend.actions.set(record.action.id, record);
    h = await startHarness({ backend });
    h.ctl.dispatch({ type: 'huntAgain', actionId: record.action.id, which: 'found' });
    await settle();
    expect(launcher(h).source).toEqual({ kind: 'template', operations, from: `action ${record.action.name}` });
  });

  it('loads an action another investigator signed and co-signs it', async () => {
    const backend = fleet();
    const action = {
      ...makeActionRecord(3).action,
      expireAfter: new Date(T0 + 600_000).toISOString(),
      signatures: ['signature-by-bob'],
    };
    backend.files.set('/tmp/bob.json', action);
    h = await startHarness({ backend });
    await h.press('n', 'l');
    await h.type('/tmp/bob.json');
    await h.press('enter');
    expect(launcher(h).source).toMatchObject({ kind: 'signed', from: 'bob.json' });
    await h.press('s');
    await settle();
    h.clock.advance(3000);
    await settle();
    expect(h.backend.callsTo('signAndLaunch')[0]?.args[0]).toMatchObject({
      id: action.id,
      signatures: ['signature-by-bob', 'signature-by-alice'],
    });
  });

  it('a missing action file is a flash line, not a crash', async () => {
    h = await startHarness({ backend: fleet() });
    await h.press('n', 'l');
    await h.type('/nope.json');
    await h.press('enter');
    expect(h.ctl.stores.ui.getState().flash).toMatchObject({
      level: 'error',
      text: '/nope.json: no such file (check the path)',
    });
  });

  it('a response module asks y/n before signing', async () => {
    const modules = new Map<string, AnyModuleSpec>([['firewall', isolateModule]]);
    h = await startHarness({ backend: fleet(), modules });
    await h.press('n');
    await focus(h, 'field:reason');
    await h.press('enter');
    await h.type('ransomware');
    await h.press('enter', 's');
    expect(h.ctl.stores.ui.getState().overlay).toMatchObject({
      kind: 'confirm',
      message: 'launch firewall? It changes the endpoints it runs on.',
    });
    await h.press('n');
    expect(h.backend.callsTo('sign')).toHaveLength(0);
    await h.press('s', 'y');
    expect(h.backend.callsTo('sign')).toHaveLength(1);
    expect(launcher(h).phase.kind).toBe('countdown');
  });

  it.each([
    { name: 'signer fails', input: 'sign', want: 'passphrase refused (check your key)' },
    { name: 'server refuses', input: 'signAndLaunch', want: 'passphrase refused (check your key)' },
  ])('$name: the error is a flash line and the draft stays editable', async ({ input, want }) => {
    h = await startHarness({ backend: fleet() });
    h.backend.failures.set(input, new UserError('SIGNER_FAILED', 'passphrase refused', 'check your key'));
    await h.press('n');
    await focus(h, 'field:names');
    await h.press('enter');
    await h.type('passwd');
    await h.press('enter', 's');
    h.clock.advance(3000);
    await settle();
    expect(h.ctl.stores.ui.getState().flash).toMatchObject({ level: 'error', text: want });
    expect(launcher(h).phase.kind).toBe('editing');
    expect(view(h).kind).toBe('launcher');
  });
});
