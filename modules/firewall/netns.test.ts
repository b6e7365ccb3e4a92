import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Netns, netnsSkipReason } from '../../test/helpers/modules/firewall/netns.js';

/**
 * The real nft and iptables, each test in a network namespace of its own (the host's firewall is
 * never touched). The module runs in a child process started under `ip netns exec`.
 */
const skipReason = netnsSkipReason();
// Each case starts namespaces and agent children; at load 15+ on two cores one case took 31-36 s.
// A ceiling for slow machines, not a timing assertion.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });
const suite = skipReason === undefined ? describe : describe.skip;
const title = (what: string): string => (skipReason === undefined ? what : `${what} (skipped: ${skipReason})`);
const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

suite.each(['nft', 'iptables'] as const)(
  title('firewall on the real %s, in a private network namespace'),
  (backend) => {
    let ns: Netns;
    beforeEach(async () => {
      ns = await Netns.create();
    });
    afterEach(async () => {
      await ns.destroy();
    });

    const fw = (params: Record<string, unknown>, now = T0) => ns.firewall({ ...params, backend }, now);
    const ruleset = async (): Promise<string> =>
      backend === 'nft'
        ? ns.exec('nft', ['list', 'ruleset'])
        : `${await ns.exec('iptables', ['-S'])}${await ns.exec('ip6tables', ['-S'])}`;
    const summary = (rows: Record<string, unknown>[]) =>
      rows.map(
        (r) =>
          `${String(r.op)} ${String(r.rule)} ${String(r.direction)} ${String(r.match)}${r.isApplied === true ? '' : ' (not applied)'}`,
      );

    it('add, list, remove by rule: the kernel holds what the rows say, and only that', async () => {
      const added = await fw({
        op: 'add',
        ips: ['203.0.113.0/24'],
        port: 22,
        proto: 'tcp',
        direction: 'in',
        rule: 'ssh',
      });
      expect(added.error).toBeUndefined();
      expect(summary(added.rows)).toEqual(['add ssh in from 203.0.113.0/24 to port tcp/22']);
      expect(added.journal).toEqual(added.rows);
      expect(await ruleset()).toMatch(
        backend === 'nft'
          ? /203\.0\.113\.0\/24 \. tcp \. 22 comment "mig:ssh"/
          : /-A MIG-IN -s 203\.0\.113\.0\/24 -p tcp -m tcp --dport 22 -m comment --comment "?mig:ssh"? -j DROP/,
      );
      await fw({ op: 'add', ips: ['198.51.100.7'], direction: 'out', rule: 'c2' });
      expect(summary((await fw({ op: 'list' })).rows).sort()).toEqual([
        'list c2 out to 198.51.100.7',
        'list ssh in from 203.0.113.0/24 to port tcp/22',
      ]);
      expect(summary((await fw({ op: 'list', rule: 'c2' })).rows)).toEqual(['list c2 out to 198.51.100.7']);
      expect(summary((await fw({ op: 'remove', rule: 'ssh' })).rows)).toEqual([
        'remove ssh in from 203.0.113.0/24 to port tcp/22',
      ]);
      expect(await ruleset()).not.toMatch(/mig:ssh/);
      expect(await ruleset()).toMatch(/mig:c2/);
    });

    it('a dry run reports exactly what would change and changes nothing', async () => {
      const before = await ruleset();
      const dry = await fw({ op: 'add', ips: ['203.0.113.0/24'], direction: 'out', forSeconds: 3600, dryrun: true });
      expect(dry.rows).toEqual([
        expect.objectContaining({
          op: 'add',
          direction: 'out',
          match: 'to 203.0.113.0/24',
          isApplied: false,
          isDryRun: true,
          expiresAt: at(3600).toISOString(),
          backend,
        }),
      ]);
      expect(dry.journal).toEqual(dry.rows);
      expect(await ruleset()).toBe(before);
      await fw({ op: 'add', ips: ['203.0.113.0/24'], direction: 'out', rule: 'c2' });
      const afterAdd = await ruleset();
      expect(summary((await fw({ op: 'remove', rule: 'c2', dryrun: true })).rows)).toEqual([
        'remove c2 out to 203.0.113.0/24 (not applied)',
      ]);
      expect(await ruleset()).toBe(afterAdd);
    });

    it('what is already blocked is not added twice, and says by which rule', async () => {
      await fw({ op: 'add', port: 5432, proto: 'tcp', direction: 'in', rule: 'no-pg' });
      const again = await fw({ op: 'add', port: 5432, proto: 'tcp', direction: 'in', rule: 'other' });
      expect(again.rows.every((r) => r.isApplied === false && r.rule === 'other')).toBe(true);
      expect(again.warnings.join('\n')).toMatch(
        /from any to port tcp\/5432 is already in force as rule no-pg; not added again/,
      );
      expect(summary((await fw({ op: 'list' })).rows).every((r) => r.includes('no-pg'))).toBe(true);
    });

    it('remove by the same match an add took; removing nothing warns', async () => {
      await fw({ op: 'add', ips: ['2001:db8:bad::/48', '198.51.100.7'], direction: 'both' });
      const removed = await fw({ op: 'remove', ips: ['198.51.100.7/32'], direction: 'out' });
      expect(summary(removed.rows)).toEqual([expect.stringMatching(/^remove r-[0-9a-f]{10} out to 198\.51\.100\.7$/)]);
      expect(summary((await fw({ op: 'list' })).rows).sort()).toEqual([
        expect.stringMatching(/ in from 198\.51\.100\.7$/),
        expect.stringMatching(/ in from 2001:db8:bad::\/48$/),
        expect.stringMatching(/ out to 2001:db8:bad::\/48$/),
      ]);
      const nothing = await fw({ op: 'remove', rule: 'never-added' });
      expect(nothing.rows).toEqual([]);
      expect(nothing.warnings).toEqual(['nothing to remove: no MIG block matches']);
    });

    it("leaves everyone else's rules alone", async () => {
      if (backend === 'nft') await ns.exec('nft', ['add', 'table', 'inet', 'theirs']);
      else await ns.exec('iptables', ['-A', 'INPUT', '-s', '192.0.2.99', '-j', 'DROP']);
      await fw({ op: 'add', preset: 'quarantine', keep: ['192.0.2.10:4222'] });
      await fw({ op: 'remove', preset: 'quarantine' });
      expect(await ruleset()).toMatch(
        backend === 'nft' ? /table inet theirs/ : /-A INPUT -s 192\.0\.2\.99\/32 -j DROP/,
      );
      expect(summary((await fw({ op: 'list' })).rows)).toEqual([]);
    });

    it('a second quarantine is refused until the first is removed', async () => {
      await fw({ op: 'add', preset: 'quarantine', keep: ['192.0.2.10:4222'] });
      const second = await fw({ op: 'add', preset: 'quarantine', keep: ['192.0.2.11:4222'], rule: 'q2' });
      expect(second.rows.every((r) => r.isApplied === false)).toBe(true);
      expect(second.warnings[0]).toMatch(
        /a quarantine \(everything except loopback and tcp 192\.0\.2\.10:4222\) is already in force as rule quarantine; not added again: remove it first/,
      );
    });
  },
);

// Alike on purpose (duplicates): a suite that owns one throwaway network namespace per test; the namespace itself is the shared Netns.
suite(title('timed blocks remove themselves'), () => {
  let ns: Netns;
  beforeEach(async () => {
    ns = await Netns.create();
  });
  afterEach(async () => {
    await ns.destroy();
  });

  it('nft: the kernel drops the element when its timeout runs out', async () => {
    const added = await ns.firewall(
      { op: 'add', ips: ['203.0.113.9'], direction: 'in', forSeconds: 1, backend: 'nft', rule: 'brief' },
      new Date(),
    );
    expect(added.rows).toEqual([expect.objectContaining({ isApplied: true, expiresAt: expect.any(String) })]);
    expect(await ns.exec('nft', ['list', 'set', 'inet', 'mig', 'addr4_in'])).toMatch(/203\.0\.113\.9 timeout 1s/);
    while ((await ns.exec('nft', ['list', 'set', 'inet', 'mig', 'addr4_in'])).includes('203.0.113.9'))
      await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('iptables: the deadline rides in the comment, and the next firewall operation after it removes the rule', async () => {
    const fw = (params: Record<string, unknown>, now: Date) => ns.firewall({ ...params, backend: 'iptables' }, now);
    await fw({ op: 'add', ips: ['203.0.113.9'], direction: 'in', forSeconds: 60, rule: 'brief' }, T0);
    await fw({ op: 'add', ips: ['203.0.113.10'], direction: 'in', rule: 'lasting' }, T0);
    expect((await fw({ op: 'list' }, at(59))).rows.map((r) => [r.op, r.rule])).toEqual([
      ['list', 'lasting'],
      ['list', 'brief'],
    ]);
    const later = await fw({ op: 'list' }, at(61));
    expect(later.rows.map((r) => [r.op, r.rule, r.isApplied])).toEqual([
      ['expire', 'brief', true],
      ['list', 'lasting', true],
    ]);
    expect(later.journal).toEqual(later.rows);
    expect(await ns.exec('iptables', ['-S', 'MIG-IN'])).not.toMatch(/mig:brief/);
  });
});
