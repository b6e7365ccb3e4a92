import { describe, expect, it } from 'vitest';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeInvestigator } from '../../test/helpers/console/state/records.js';

async function openInvestigators(backend: FakeBackend, readOnly = false): Promise<RenderedConsole> {
  const r = await renderConsole({ backend, readOnly });
  await r.command('inv');
  return r;
}

function team(): FakeBackend {
  const backend = new FakeBackend();
  backend.investigators = [makeInvestigator('alice', 'a', { isAdmin: true }), makeInvestigator('bob', 'b')];
  return backend;
}

describe('InvestigatorsView', () => {
  it('lists investigators with key, admin flag and status', async () => {
    const ui = await openInvestigators(team());
    expect(ui.frame()).toMatch(/alice\s+aaaaaaaa\s+a{40}\s+yes\s+active/);
    expect(ui.frame()).toMatch(/bob\s+bbbbbbbb\s+b{40}\s+active/);
  });

  it('d disables after y, and enables again', async () => {
    const backend = team();
    const ui = await openInvestigators(backend);
    await ui.press('down', 'd');
    expect(ui.frame()).toContain(`disable investigator bob (${'b'.repeat(40)})?  (y/n)`);
    await ui.press('y');
    expect(ui.frame()).toMatch(/bob\s+.*disabled/);
    await ui.press('d', 'y');
    expect(backend.callsTo('setInvestigatorStatus').map((c) => c.args[1])).toEqual(['disabled', 'active']);
  });

  it('a adds from a public key file: path, name, then y', async () => {
    const backend = team();
    const ui = await openInvestigators(backend);
    await ui.press('a');
    await ui.type('/keys/carol.pub.asc');
    await ui.press('enter');
    expect(ui.frame()).toContain('investigator name: ');
    await ui.type('carol');
    await ui.press('enter');
    expect(ui.frame()).toContain('add investigator carol with the key in /keys/carol.pub.asc?');
    await ui.press('y');
    expect(backend.callsTo('addInvestigator')[0]?.args[0]).toEqual({
      name: 'carol',
      publicKeyPath: '/keys/carol.pub.asc',
      isAdmin: false,
    });
    expect(ui.frame()).toMatch(/carol\s+ffffffff/);
  });

  it('a refused by the server shows the reason, not a stack', async () => {
    const backend = team();
    const err = new Error('403 FORBIDDEN: admins only');
    backend.failures.set('addInvestigator', err);
    const ui = await openInvestigators(backend);
    await ui.press('a');
    await ui.type('/k.asc');
    await ui.press('enter');
    await ui.type('x');
    await ui.press('enter', 'y');
    expect(ui.frame()).toContain('error: 403 FORBIDDEN: admins only');
    expect(ui.frame()).not.toContain(' at ');
  });

  it('read-only: neither add nor disable is bound', async () => {
    const backend = team();
    const ui = await openInvestigators(backend, true);
    await ui.press('a', 'd', 'y');
    expect(backend.callsTo('addInvestigator')).toHaveLength(0);
    expect(backend.callsTo('setInvestigatorStatus')).toHaveLength(0);
  });
});
