import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Netns, netnsSkipReason } from '../../test/helpers/modules/firewall/netns.js';

/**
 * Real packets: an "endpoint" namespace wired to a "broker" namespace by a veth pair. What the
 * rows claim is checked against TCP connections: open, or blocked (dropped).
 */
const skipReason = netnsSkipReason();
// Each case starts namespaces and agent children; at load 15+ on two cores one case took 31-36 s.
// A ceiling for slow machines, not a timing assertion.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });
const suite = skipReason === undefined ? describe : describe.skip;

suite.each(['nft', 'iptables'] as const)(
  `traffic through the real %s${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  (backend) => {
    let endpoint: Netns;
    let broker: Netns;
    let addr: { here: string; there: string };

    beforeEach(async () => {
      endpoint = await Netns.create();
      broker = await Netns.create();
      addr = await endpoint.link(broker);
      await broker.listen(addr.there, [4222, 8080]);
      await endpoint.listen('127.0.0.1', [9000]);
      await endpoint.listen(addr.here, [7000]);
    });
    afterEach(async () => {
      await endpoint.destroy();
      await broker.destroy();
    });

    /** Outbound to the broker's two ports, loopback, and inbound from the broker. */
    const reach = async (): Promise<Record<string, string>> => ({
      broker4222: await endpoint.probe(addr.there, 4222),
      other8080: await endpoint.probe(addr.there, 8080),
      loopback: await endpoint.probe('127.0.0.1', 9000),
      inbound: await broker.probe(addr.here, 7000),
    });
    const ALL_OPEN = { broker4222: 'open', other8080: 'open', loopback: 'open', inbound: 'open' };

    it('a port block stops exactly that traffic, and its removal restores it', async () => {
      expect(await reach()).toEqual(ALL_OPEN);
      const added = await endpoint.firewall({
        op: 'add',
        ips: [addr.there],
        port: 8080,
        proto: 'tcp',
        direction: 'out',
        rule: 'no-8080',
        backend,
      });
      expect(added.rows).toEqual([expect.objectContaining({ isApplied: true })]);
      expect(await reach()).toEqual({ ...ALL_OPEN, other8080: 'blocked' });
      await endpoint.firewall({ op: 'remove', rule: 'no-8080', backend });
      expect(await reach()).toEqual(ALL_OPEN);
    });

    it('quarantine keeps loopback and the broker connection, nothing else, until removed', async () => {
      const dry = await endpoint.firewall({
        op: 'add',
        preset: 'quarantine',
        keep: [`${addr.there}:4222`],
        backend,
        dryrun: true,
      });
      expect(dry.rows.every((r) => r.isDryRun === true && r.isApplied === false)).toBe(true);
      expect(await reach()).toEqual(ALL_OPEN);
      await endpoint.firewall({ op: 'add', preset: 'quarantine', keep: [`${addr.there}:4222`], backend });
      expect(await reach()).toEqual({ broker4222: 'open', other8080: 'blocked', loopback: 'open', inbound: 'blocked' });
      await endpoint.firewall({ op: 'remove', preset: 'quarantine', backend });
      expect(await reach()).toEqual(ALL_OPEN);
    });
  },
);
