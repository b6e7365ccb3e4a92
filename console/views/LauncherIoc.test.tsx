import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SignedAction } from '../../protocol/action.js';
import { renderConsole, type RenderedConsole } from '../../test/helpers/console/app/render-console.js';
import { FakeBackend } from '../../test/helpers/console/state/fake-backend.js';
import { makeAgent } from '../../test/helpers/console/state/records.js';

/** A plain-list feed too big for one signed action (so it becomes two), with two lines no module can hunt. */
function bigFeed(): string {
  const hashes = Array.from({ length: 3500 }, (_, i) => createHash('sha256').update(`ioc-${i}`).digest('hex'));
  return ['# vendor feed', 'evil.example.com', 'https://bad.example.org/drop', 'webshell.php', ...hashes].join('\n');
}

async function openLauncher(backend: FakeBackend): Promise<RenderedConsole> {
  const r = await renderConsole({ backend, modules: 'registry', columns: 140, rows: 30 });
  await r.command('launch');
  return r;
}

describe('launcher: import a threat-intel feed (i)', () => {
  it('shows what each action hunts and what was not translated, then signs and launches them one by one', async () => {
    const backend = new FakeBackend();
    backend.agents = Array.from({ length: 3 }, (_, i) => makeAgent(i));
    backend.feeds.set('/feeds/vendor.txt', bigFeed());
    const ui = await openLauncher(backend);
    await ui.press('i');
    expect(ui.frame()).toContain('feed file');
    await ui.type('/feeds/vendor.txt');
    await ui.press('enter');

    expect(backend.callsTo('importIocFeed')[0]?.args).toEqual([
      '/feeds/vendor.txt',
      { target: "status = 'online'", expiry: '5m' },
    ]);
    let frame = ui.frame();
    expect(frame).toContain('Hunt a threat-intel feed (vendor.txt)');
    expect(frame).toMatch(/feed vendor\.txt: action 1 of 2 hunts \d+ indicators \(\d+ sha256/);
    expect(frame).toContain('not hunted (2):');
    expect(frame).toMatch(/line-2 "evil\.example\.com": a host name/);
    expect(frame).toMatch(/line-3 .*a URL: no module sees URLs/);
    expect(frame).toMatch(/Module\s+file \(copied from vendor\.txt/);
    expect(frame).toContain('2 actions to sign and launch, 2 not translated');

    // The console's own flow: sign, 3 s countdown, launch; the next action then takes the draft.
    await ui.press('s');
    await ui.advance(3000);
    expect(backend.callsTo('sign')).toHaveLength(1);
    expect(backend.callsTo('signAndLaunch')).toHaveLength(1);
    frame = ui.frame();
    expect(frame).toMatch(/launched mig ioc hunt vendor\.txt \(1\/2\) \(1 of 2\): the next is loaded/);
    expect(frame).toMatch(/feed vendor\.txt: action 2 of 2 hunts/);

    await ui.press('s');
    await ui.advance(3000);
    const launched = backend.callsTo('signAndLaunch').map((c) => c.args[0] as SignedAction);
    expect(launched).toHaveLength(2);
    expect(launched.map((a) => a.name)).toEqual(['mig ioc hunt vendor.txt (1/2)', 'mig ioc hunt vendor.txt (2/2)']);
    for (const a of launched) {
      expect(a.signatures).toEqual(['signature-by-alice']);
      expect(a.operations[0]?.module).toBe('file');
    }
    // Every hash in exactly one of the two actions.
    const hashesOf = (a: SignedAction): string[] => {
      const searches = (a.operations[0]?.parameters as { searches: Record<string, { sha2?: string[] }> }).searches;
      return Object.values(searches).flatMap((s) => s.sha2 ?? []);
    };
    expect(new Set(launched.flatMap(hashesOf)).size).toBe(3500);
    // After the last one the console shows its action, as after any launch.
    expect(ui.frame()).toMatch(/launched mig ioc hunt vendor\.txt \(2\/2\): 3 agents targeted/);
  });

  it('says why a feed cannot be imported, and the draft stays as it was', async () => {
    const backend = new FakeBackend();
    backend.feeds.set('/feeds/hosts.txt', 'evil.example.com\n');
    const ui = await openLauncher(backend);
    await ui.press('i');
    await ui.type('/feeds/hosts.txt');
    await ui.press('enter');
    expect(ui.frame()).toContain('no indicator could be translated');
    expect(ui.frame()).toContain('Launch a hunt');
    await ui.press('i');
    await ui.type('/feeds/missing.txt');
    await ui.press('enter');
    expect(ui.frame()).toContain('cannot read /feeds/missing.txt');
  });
});
