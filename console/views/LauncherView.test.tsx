import { describe, expect, it } from 'vitest';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeActionRecord, makeAgent, T0 } from '../../test/helpers/console/state/records.js';

function fleet(): FakeBackend {
  const backend = new FakeBackend();
  backend.agents = Array.from({ length: 6 }, (_, i) => makeAgent(i, i === 5 ? { status: 'offline' } : {}));
  return backend;
}

async function openLauncher(backend: FakeBackend): Promise<RenderedConsole> {
  const r = await renderConsole({ backend });
  await r.command('launch');
  return r;
}

/** Moves the focus down to the row whose label starts the line after the ▸ marker. */
async function focus(r: RenderedConsole, label: string): Promise<void> {
  for (let i = 0; i < 15 && !r.frame().includes(`▸ ${label}`); i++) await r.press('down');
  if (!r.frame().includes(`▸ ${label}`)) throw new Error(`no row ${label}`);
}

describe('LauncherView', () => {
  it('generates the form from the module schema; ←/→ switches module', async () => {
    const ui = await openLauncher(fleet());
    expect(ui.frame()).toMatch(/Module\s+‹ probe ›\s+looks for files by name/);
    expect(ui.frame()).toMatch(/names\s+expected one or more values, got nothing/);
    expect(ui.frame()).toMatch(/depth\s+3/);
    expect(ui.frame()).toMatch(/recursive\s+\[ \]/);
    await ui.press('right');
    expect(ui.frame()).toMatch(/Module\s+‹ nested ›/);
    expect(ui.frame()).toMatch(/path\s+expected a string, got nothing/);
    expect(ui.frame()).not.toMatch(/depth/);
  });

  it('validates each field as you type and shows the issue beside it', async () => {
    const ui = await openLauncher(fleet());
    await focus(ui, 'depth');
    await ui.press('enter', 'backspace');
    await ui.type('x');
    expect(ui.frame()).toMatch(/depth\s+x▏\s+expected a number, got "x"/);
    await ui.press('backspace');
    await ui.type('500');
    expect(ui.frame()).toContain('expected a number <= 100, got 500');
    await ui.press('backspace', 'backspace');
    expect(ui.frame()).not.toContain('expected a number');
    await ui.press('enter');
    await focus(ui, 'recursive');
    await ui.press('space');
    expect(ui.frame()).toMatch(/recursive\s+\[x\]/);
  });

  it('counts matching agents once typing pauses', async () => {
    const backend = fleet();
    const ui = await openLauncher(backend);
    await focus(ui, 'Target');
    await ui.press('enter', 'ctrl+u');
    await ui.type("os = 'linux'");
    await ui.advance(300);
    expect(ui.frame()).toMatch(/Target\s+os = 'linux'▏\s+matches 4 \(3 online, 0 idle, 1 offline\)/);
    expect(backend.callsTo('countAgents').map((c) => c.args[0])).toEqual(["os = 'linux'"]);
    await ui.type(' and');
    expect(ui.frame()).toMatch(/expected a field/);
  });

  it('p previews the exact action JSON', async () => {
    const ui = await openLauncher(fleet());
    await focus(ui, 'names');
    await ui.press('enter');
    await ui.type('passwd');
    await ui.press('enter', 'p');
    const frame = ui.frame();
    expect(frame).toContain('"v": 1,');
    expect(frame).toMatch(/"id": "[0-9a-f]{32}"/);
    expect(frame).toContain(`"validFrom": "${new Date(T0).toISOString()}"`);
    expect(frame).toContain('"module": "probe"');
    await ui.press('p');
    expect(ui.frame()).not.toContain('"v": 1,');
  });

  it('signs ("signing…"), counts down 3 s, Esc cancels; then launches and lands in the action view', async () => {
    const backend = fleet();
    let release = (): void => undefined;
    backend.signGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ui = await openLauncher(backend);
    await focus(ui, 'names');
    await ui.press('enter');
    await ui.type('passwd');
    await ui.press('enter', 's');
    expect(ui.frame()).toContain('signing…');
    release();
    await ui.press();
    await ui.advance(0);
    expect(ui.frame()).toContain('launching in 3 s… Esc cancels');
    await ui.advance(1000);
    expect(ui.frame()).toContain('launching in 2 s… Esc cancels');
    await ui.press('esc');
    expect(ui.frame()).toContain('launch cancelled: nothing was sent');
    await ui.advance(5000);
    expect(backend.callsTo('signAndLaunch')).toHaveLength(0);
    backend.signGate = undefined;
    await ui.press('s');
    await ui.advance(3000);
    expect(backend.callsTo('signAndLaunch')).toHaveLength(1);
    expect(ui.frame()).toMatch(/Action probe by [0-9a-f]{8}\s+target: status = 'online'\s+inflight/);
    expect(ui.frame()).toContain('launched probe: 5 agents targeted');
  });

  it('l loads an action another investigator signed; a toggles adding my signature', async () => {
    const backend = fleet();
    const action = { ...makeActionRecord(7, { name: 'two-person hunt' }).action, signatures: ['signature-by-bob'] };
    backend.files.set('/tmp/hunt.json', action);
    const ui = await openLauncher(backend);
    await ui.press('l');
    await ui.type('/tmp/hunt.json');
    await ui.press('enter');
    expect(ui.frame()).toContain('Co-sign and launch two-person hunt (1 signature, from hunt.json)');
    expect(ui.frame()).toMatch(/My signature\s+\[x\]/);
    await ui.press('a');
    expect(ui.frame()).toMatch(/My signature\s+\[ \]/);
    await ui.press('a', 's');
    await ui.advance(3000);
    expect(backend.callsTo('sign')).toHaveLength(1);
    expect(backend.callsTo('signAndLaunch')[0]?.args[0]).toMatchObject({
      signatures: ['signature-by-bob', 'signature-by-alice'],
    });
  });
});
