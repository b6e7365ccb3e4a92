import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { collectRows, recordingContext, type Recording } from '../../test/helpers/modules/recording.js';
import { pingParams } from './params.js';
import { runPing, type PingRow } from './run.js';
import { pingModule, pingRow } from './spec.js';

/** Real sockets on 127.0.0.1, closed after each test. */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function tcpServer(): Promise<number> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bound once by us, then released. */
async function closedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A UDP socket on 127.0.0.1 that echoes datagrams back, or stays silent. */
async function udpServer(mode: 'echo' | 'silent'): Promise<number> {
  const socket: UdpSocket = createSocket('udp4');
  socket.on('message', (msg, peer) => {
    if (mode === 'echo') socket.send(msg, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => socket.close(() => resolve())));
  return socket.address().port;
}

async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function ping(params: Record<string, unknown>, rec: Recording = recordingContext('/')): Promise<PingRow[]> {
  return collectRows(runPing, pingParams, params, rec);
}

describe('ping over real local sockets', () => {
  it.each([
    {
      name: 'tcp to a listening port: connected, reachable, timed',
      port: tcpServer,
      protocol: 'tcp',
      want: { outcome: 'connected', isReachable: true },
    },
    {
      name: 'tcp to a closed port: refused, not reachable',
      port: closedTcpPort,
      protocol: 'tcp',
      want: { outcome: 'refused', isReachable: false },
    },
    {
      name: 'udp to a closed port: ICMP port unreachable is refused, not reachable',
      port: closedUdpPort,
      protocol: 'udp',
      want: { outcome: 'refused', isReachable: false },
    },
    {
      name: 'udp to an echo service: reply, reachable',
      port: () => udpServer('echo'),
      protocol: 'udp',
      want: { outcome: 'reply', isReachable: true },
    },
  ])('$name', async ({ port, protocol, want }) => {
    const destinationport = await port();
    const rows = await ping({ destination: '127.0.0.1', destinationport, protocol, count: 2 });
    expect(rows).toHaveLength(2);
    rows.forEach((row, i) => {
      expect(row).toMatchObject({
        destination: '127.0.0.1',
        address: '127.0.0.1',
        protocol,
        port: destinationport,
        attempt: i + 1,
        ...want,
      });
      expect(row.latencyMs).toBeGreaterThanOrEqual(0);
      expect(pingRow.safeParse(row).success).toBe(true);
    });
  });

  it('udp with no answer at all: no-reply, counted reachable as MIG did (the port may be open)', async () => {
    const destinationport = await udpServer('silent');
    const rows = await ping({ destination: '127.0.0.1', destinationport, protocol: 'udp', count: 1, timeout: 0.2 });
    expect(rows).toEqual([
      {
        destination: '127.0.0.1',
        address: '127.0.0.1',
        protocol: 'udp',
        port: destinationport,
        attempt: 1,
        isReachable: true,
        outcome: 'no-reply',
      },
    ]);
  });

  it('resolves a host name once and probes its address', async () => {
    const destinationport = await closedUdpPort();
    const rows = await ping({ destination: 'localhost', destinationport, protocol: 'udp', count: 1, timeout: 1 });
    expect(rows[0]).toMatchObject({ destination: 'localhost', attempt: 1 });
    expect(['127.0.0.1', '::1']).toContain(rows[0]?.address);
  });

  it('a name that does not resolve fails the operation with a coded error', async () => {
    await expect(
      ping({ destination: 'no-such-host.invalid', destinationport: 80, protocol: 'tcp', count: 1 }),
    ).rejects.toMatchObject({ code: 'MODULE_FAILED', message: /cannot resolve no-such-host\.invalid/ });
  });

  it('an abort stops a waiting attempt', async () => {
    const destinationport = await udpServer('silent');
    const rec = recordingContext('/');
    const rows = ping({ destination: '127.0.0.1', destinationport, protocol: 'udp', count: 3, timeout: 30 }, rec);
    setTimeout(() => rec.controller.abort(new Error('cancelled')), 50);
    await expect(rows).rejects.toThrow('cancelled');
  });
});

describe('through the agent runner: isFound is "reached at least once"', () => {
  const specs = new Map<string, AnyModuleSpec>([['ping', pingModule]]);
  const runners = new Map([['ping', runPing]]);
  const local = (parameters: Record<string, unknown>) =>
    runOperationsLocally([{ module: 'ping', parameters }], { root: '/', specs, runners, platform: 'linux' });
  let pathDir = '';
  let savedPath: string | undefined;
  afterEach(() => {
    if (pathDir === '') return;
    process.env.PATH = savedPath;
    rmSync(pathDir, { recursive: true, force: true });
    pathDir = '';
  });

  it('found when reachable', async () => {
    const [result] = await local({
      destination: '127.0.0.1',
      destinationport: await tcpServer(),
      protocol: 'tcp',
      count: 1,
    });
    expect(result).toMatchObject({ module: 'ping', isFound: true, errors: [] });
    expect(result?.rows).toHaveLength(1);
  });

  // Alike on purpose (duplicates): one case per expectation, each naming its own target and outcome.
  it('not found when every attempt was refused, though each has its row', async () => {
    const [result] = await local({
      destination: '127.0.0.1',
      destinationport: await closedTcpPort(),
      protocol: 'tcp',
      count: 2,
    });
    expect(result).toMatchObject({ isFound: false });
    expect(result?.rows.map((r) => r.outcome)).toEqual(['refused', 'refused']);
  });

  it('icmp without a system ping fails with the reason', async () => {
    pathDir = mkdtempSync(join(tmpdir(), 'mig-ping-path-'));
    savedPath = process.env.PATH;
    process.env.PATH = pathDir;
    const [result] = await local({ destination: '127.0.0.1', protocol: 'icmp', count: 1 });
    expect(result).toMatchObject({
      isFound: false,
      rows: [],
      error: { code: 'MODULE_FAILED', message: expect.stringMatching(/no raw sockets/) as unknown },
    });
  });

  it.each([
    {
      name: 'tcp without a port',
      input: { destination: '10.0.0.1', protocol: 'tcp' },
      want: /parameters\.destinationport: tcp ping needs a destination port/,
    },
    {
      name: 'icmp with a port',
      input: { destination: '10.0.0.1', protocol: 'icmp', destinationport: 80 },
      want: /parameters\.destinationport: icmp has no ports/,
    },
    {
      name: 'a destination that reads as an option',
      input: { destination: '-f', protocol: 'icmp' },
      want: /parameters\.destination: expected an IPv4 or IPv6 address or a host name/,
    },
    { name: 'shell characters', input: { destination: 'a;reboot', protocol: 'icmp' }, want: /parameters\.destination/ },
    { name: 'count 0', input: { destination: '10.0.0.1', protocol: 'icmp', count: 0 }, want: /parameters\.count/ },
    {
      name: 'count over 100',
      input: { destination: '10.0.0.1', protocol: 'icmp', count: 101 },
      want: /parameters\.count/,
    },
    {
      name: 'timeout 0',
      input: { destination: '10.0.0.1', protocol: 'icmp', timeout: 0 },
      want: /parameters\.timeout/,
    },
    { name: 'unknown protocol', input: { destination: '10.0.0.1', protocol: 'sctp' }, want: /parameters\.protocol/ },
  ])('refuses $name, naming the field', async ({ input, want }) => {
    await expect(local(input)).rejects.toMatchObject({ code: 'INVALID_PARAMETERS', message: want });
  });
});
