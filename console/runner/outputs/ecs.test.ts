import { describe, expect, it } from 'vitest';
import { makeActionRecord, makeAgent, makeCommand } from '../../../test/helpers/console/state/records.js';
import { resultEvents } from './ecs.js';

const AT = '2026-12-07T03:00:00.000Z';

function eventsFor(module: string, rows: Record<string, unknown>[]) {
  const record = makeActionRecord(1, { operations: [{ module, parameters: {} }] });
  return resultEvents(record, makeCommand(record, makeAgent(2), { rows }), 'weekly', AT);
}

describe('ECS fields of result rows', () => {
  it('file: host.name/id, file.path, file.hash.sha256, the row under mig.row', () => {
    const row = { path: '/var/www/x.php', size: 10, mtime: AT, sha256: 'ab'.repeat(32) };
    const [event] = eventsFor('file', [row]);
    expect(event).toMatchObject({
      host: { name: expect.any(String), id: expect.any(String) },
      file: { path: '/var/www/x.php', size: 10, hash: { sha256: 'ab'.repeat(32) } },
      mig: { module: 'file', row },
    });
  });

  it('sniffer: the peer under related.ip, network.transport (IANA name), packets and bytes; the rest in mig.row', () => {
    const row = {
      peer: '203.0.113.7',
      proto: 'icmp6',
      packets: 12,
      bytes: 1400,
      packetsIn: 5,
      packetsOut: 7,
      firstSeen: AT,
      lastSeen: AT,
      localPorts: [],
      peerPorts: [],
    };
    const [event] = eventsFor('sniffer', [row]);
    expect(event?.related).toEqual({ ip: ['203.0.113.7'] });
    expect(event?.network).toEqual({ transport: 'ipv6-icmp', packets: 12, bytes: 1400 });
    expect(event?.message).toContain('sniffer found 203.0.113.7');
    expect(event?.mig).toMatchObject({ module: 'sniffer', row });
    expect(event).not.toHaveProperty('source');
  });

  it('nic: observer.ingress.interface.name and host.mac (ECS form) beside host.name/id; the rest in mig.row', () => {
    const row = {
      name: 'eth0',
      state: 'up',
      promisc: true,
      isAdminUp: true,
      mtu: 1500,
      speed: 1000,
      mac: '52:54:00:ab:cd:ef',
      type: 'ether',
      driver: 'virtio_net',
      flags: '0x1103',
    };
    const agent = makeAgent(2);
    const [event] = eventsFor('nic', [row]);
    expect(event?.host).toEqual({ name: agent.name, id: agent.id, mac: ['52-54-00-AB-CD-EF'] });
    expect(event?.observer).toEqual({ ingress: { interface: { name: 'eth0' } } });
    expect(event).not.toHaveProperty('interface');
    expect(event?.mig).toMatchObject({ module: 'nic', row });
    expect(event?.message).toContain('nic found eth0');
  });

  it('nic without an Ethernet MAC (loopback, a tunnel) carries no host.mac', () => {
    const [lo, tun] = eventsFor('nic', [
      { name: 'lo', state: 'up', promisc: false, isAdminUp: true, flags: '0x9' },
      { name: 'tun0', state: 'up', promisc: false, isAdminUp: true, mac: '', flags: '0x1091' },
    ]);
    expect(lo?.host).not.toHaveProperty('mac');
    expect(tun?.host).not.toHaveProperty('mac');
    expect(tun?.observer).toEqual({ ingress: { interface: { name: 'tun0' } } });
  });
});
