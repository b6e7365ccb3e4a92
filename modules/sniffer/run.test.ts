import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectRows, recordingContext } from '../../test/helpers/modules/recording.js';
import {
  ENDPOINT_IP,
  ENDPOINT_IP6,
  PEER_IP,
  PEER_IP6,
  SniffPair,
  sniffNetnsSkipReason,
  type SniffOutcome,
} from '../../test/helpers/modules/sniffer/netns.js';
import { snifferParams } from './params.js';
import { makeRunSniffer } from './run.js';

/**
 * Real packets between two throwaway namespaces (endpoint 10.202.0.1, peer 10.202.0.2, a veth
 * pair), captured by the real tcpdump inside the endpoint namespace and answered through the
 * agent's runner. Each capture starts its traffic once tcpdump says it listens, and stops at an
 * exact packet count (-count), so no test depends on timing.
 */
const skipReason = sniffNetnsSkipReason();
if (skipReason !== undefined) console.warn(`SKIPPED sniffer capture tests: ${skipReason}`);
const suite = skipReason === undefined ? describe : describe.skip;

const SECRET = 'hunter2-PLANTED-IN-PAYLOAD';
const secretForms = [SECRET, Buffer.from(SECRET).toString('hex'), Buffer.from(SECRET).toString('base64')];

function expectNoSecret(outcome: SniffOutcome): void {
  const text = JSON.stringify(outcome);
  for (const form of secretForms) expect(text).not.toContain(form);
}

suite(`capture in a network namespace${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  let pair: SniffPair;
  beforeAll(async () => {
    pair = await SniffPair.create();
  });
  afterAll(async () => {
    await pair.destroy();
  });

  it('sees UDP from the peer: packets, bytes, ports, first and last seen; never the payload', async () => {
    const before = Date.now();
    const sniff = pair.sniff({ hosts: [PEER_IP], ports: [5353], proto: 'udp', count: 5, duration: '2m' });
    await sniff.listening;
    await pair.send('peer', ['udp', ENDPOINT_IP, '5353', '5', SECRET]);
    const outcome = await sniff.result;
    expect(outcome).toMatchObject({ module: 'sniffer', isFound: true, errors: [] });
    expect(outcome.rows).toHaveLength(1);
    const row = outcome.rows[0] ?? {};
    // 20 (SLL2) + 20 (IPv4) + 8 (UDP) + the payload, per datagram.
    const wire = 20 + 20 + 8 + SECRET.length;
    expect(row).toMatchObject({
      peer: PEER_IP,
      proto: 'udp',
      packets: 5,
      bytes: 5 * wire,
      packetsIn: 5,
      packetsOut: 0,
      localPorts: [5353],
    });
    expect(row.peerPorts).toHaveLength(1);
    const [first, last] = [Date.parse(String(row.firstSeen)), Date.parse(String(row.lastSeen))];
    expect(first).toBeLessThanOrEqual(last);
    expect(first).toBeGreaterThanOrEqual(before - 1000);
    expect(outcome.stats).toMatchObject({ packetsMatched: 5, bytesMatched: 5 * wire });
    expectNoSecret(outcome);
  });

  it('sees IPv6 UDP from the peer', async () => {
    const sniff = pair.sniff({ hosts: [PEER_IP6], proto: 'udp', count: 2, duration: '2m' });
    await sniff.listening;
    await pair.send('peer', ['udp', ENDPOINT_IP6, '5353', '2', SECRET]);
    const outcome = await sniff.result;
    expect(outcome.rows).toEqual([
      expect.objectContaining({ peer: PEER_IP6, proto: 'udp', packets: 2, packetsIn: 2, localPorts: [5353] }),
    ]);
    expectNoSecret(outcome);
  });

  it('sees this host talking out over TCP, and only in the asked direction', async () => {
    await pair.listenTcp(8443);
    const sniff = pair.sniff({
      hosts: [PEER_IP],
      ports: [8443],
      proto: 'tcp',
      direction: 'out',
      count: 3,
      duration: '2m',
    });
    await sniff.listening;
    await pair.send('endpoint', ['tcp', PEER_IP, '8443', SECRET]);
    const outcome = await sniff.result;
    expect(outcome.isFound).toBe(true);
    expect(outcome.rows).toEqual([
      expect.objectContaining({
        peer: PEER_IP,
        proto: 'tcp',
        packets: 3,
        packetsOut: 3,
        packetsIn: 0,
        peerPorts: [8443],
      }),
    ]);
    expectNoSecret(outcome);
  });

  it('counts only what the filter asks: another port is not seen', async () => {
    const sniff = pair.sniff({ ports: [6000], proto: 'udp', count: 2, duration: '2m' });
    await sniff.listening;
    await pair.send('peer', ['udp', ENDPOINT_IP, '5999', '3', SECRET]);
    await pair.send('peer', ['udp', ENDPOINT_IP, '6000', '2', SECRET]);
    const outcome = await sniff.result;
    expect(outcome.rows).toEqual([expect.objectContaining({ peer: PEER_IP, packets: 2, localPorts: [6000] })]);
    expectNoSecret(outcome);
  });

  it('answers "not seen" after the listening time when nothing matched', async () => {
    const sniff = pair.sniff({ hosts: ['192.0.2.99'], duration: '1s' });
    await sniff.listening;
    await pair.send('peer', ['udp', ENDPOINT_IP, '5353', '2', SECRET]);
    const outcome = await sniff.result;
    expect(outcome).toMatchObject({ isFound: false, rows: [], errors: [] });
    expect(outcome.stats).toMatchObject({ packetsMatched: 0 });
    expect(outcome.error).toBeUndefined();
  });

  it('a cancelled capture stops at once and leaves no tcpdump behind', async () => {
    const outcome = await pair.sniff({ duration: '4m' }, { abortOnListening: true }).result;
    expect(outcome).toMatchObject({ isFound: false, error: { code: 'MODULE_CANCELLED' } });
    expect(await pair.endpointPids()).toEqual([]);
  });

  it('says so when the interface does not exist', async () => {
    const outcome = await pair.sniff({ iface: 'nosuch0', duration: '5s' }).result;
    expect(outcome.error).toMatchObject({
      code: 'MODULE_FAILED',
      message: expect.stringMatching(/no interface nosuch0/),
    });
  });

  it('says so when it has no privilege to capture (tcpdump run as nobody)', async () => {
    const outcome = await pair.sniff({ duration: '5s' }, { uid: 65534, gid: 65534 }).result;
    expect(outcome.error).toMatchObject({
      code: 'MODULE_FAILED',
      message: expect.stringMatching(/capture impossible, no privilege to capture on any .*root or with CAP_NET_RAW/),
    });
  });
});

describe('without tcpdump', () => {
  it('says capture is impossible and how to fix it, before anything runs', async () => {
    const run = makeRunSniffer({ tcpdumpPaths: ['/nonexistent/usr/bin/tcpdump'] });
    await expect(collectRows(run, snifferParams, { duration: '1s' }, recordingContext('/'))).rejects.toMatchObject({
      code: 'MODULE_FAILED',
      message: expect.stringMatching(/tcpdump is not installed .*apt-get install tcpdump/),
    });
  });
});
