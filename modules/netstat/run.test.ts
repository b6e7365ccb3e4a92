import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { findOwners } from './owners.js';
import { runNetstat } from './run.js';
import { netstatModule, netstatRow } from './spec.js';
import { makeRoot, removeRoot, runNetstatOnce, type Holder } from '../../test/helpers/modules/netstat.js';

/** Processes holding fixture sockets (inodes from fixtures/proc/net/*). */
const HOLDERS: Holder[] = [
  { pid: 812, comm: 'sshd', inodes: [20001, 20101] },
  { pid: 6666, comm: 'implant', inodes: [20011, 20203] },
  { pid: 1201, comm: 'nginx', inodes: [20102, 20103] },
];

let root = '';
beforeEach(() => {
  root = makeRoot(HOLDERS);
});
afterEach(() => {
  removeRoot(root);
});

describe('netstat over a fixture /proc', () => {
  it.each([
    {
      name: 'localmac, case-insensitive, loopback has no MAC',
      input: { localmac: ['^8C:70', '^00:00'] },
      want: [{ check: 'localmac:^8C:70', mac: '8c:70:5a:aa:bb:cc', interface: 'eth0' }],
    },
    {
      name: 'neighbormac',
      input: { neighbormac: ['^8c:70:5a'] },
      want: [
        { check: 'neighbormac:^8c:70:5a', remoteAddress: '192.0.2.77', mac: '8c:70:5a:12:34:56', interface: 'eth0' },
      ],
    },
    {
      name: 'neighborip CIDR',
      input: { neighborip: ['10.20.0.0/16'] },
      want: [
        { check: 'neighborip:10.20.0.0/16', remoteAddress: '10.20.3.4', mac: '52:54:00:ab:cd:ef', interface: 'wlan0' },
      ],
    },
    {
      name: 'localip from fib_trie (IPv4) and if_inet6 (IPv6)',
      input: { localip: ['192.0.2.0/24', '::1', '2001:db8::/32', '8.8.8.8'] },
      want: [
        { check: 'localip:192.0.2.0/24', localAddress: '192.0.2.10' },
        { check: 'localip:::1', localAddress: '::1', interface: 'lo' },
        { check: 'localip:2001:db8::/32', localAddress: '2001:db8:1::10', interface: 'eth0' },
      ],
    },
    {
      name: 'connectedip IPv4 CIDR: tcp, tcp6 mapped and udp, with owners where a process holds the socket',
      input: { connectedip: ['203.0.113.0/24'] },
      want: [
        {
          proto: 'tcp',
          localAddress: '192.0.2.10',
          localPort: 44321,
          remoteAddress: '203.0.113.50',
          remotePort: 443,
          state: 'ESTABLISHED',
          uid: 1000,
          pid: 6666,
          process: 'implant',
        },
        { proto: 'tcp', localPort: 44322, remoteAddress: '203.0.113.50', state: 'TIME_WAIT' },
        { proto: 'tcp', localPort: 80, remoteAddress: '203.0.113.77', state: 'SYN_RECV' },
        {
          proto: 'tcp6',
          localAddress: '::ffff:192.0.2.10',
          remoteAddress: '::ffff:203.0.113.50',
          remotePort: 55000,
          pid: 1201,
          process: 'nginx',
        },
        {
          proto: 'udp',
          localPort: 41000,
          remoteAddress: '203.0.113.53',
          remotePort: 53,
          state: 'ESTABLISHED',
          pid: 6666,
        },
      ].map((w) => ({ check: 'connectedip:203.0.113.0/24', ...w })),
    },
    {
      name: 'connectedip IPv6 CIDR: tcp6 and udp6',
      input: { connectedip: ['2001:db8:bad::/48'] },
      want: [
        {
          check: 'connectedip:2001:db8:bad::/48',
          proto: 'tcp6',
          remoteAddress: '2001:db8:bad::5',
          remotePort: 40000,
          pid: 1201,
        },
        { check: 'connectedip:2001:db8:bad::/48', proto: 'udp6', remoteAddress: '2001:db8:bad::5', remotePort: 123 },
      ],
    },
    {
      name: 'listeningport: LISTEN in tcp and tcp6, MIG string ports accepted',
      input: { listeningport: ['22'] },
      want: [
        {
          check: 'listeningport:22',
          proto: 'tcp',
          localAddress: '0.0.0.0',
          localPort: 22,
          state: 'LISTEN',
          pid: 812,
          process: 'sshd',
        },
        { check: 'listeningport:22', proto: 'tcp6', localAddress: '::', localPort: 22, state: 'LISTEN', pid: 812 },
      ],
    },
    {
      name: 'listeningport: TCP LISTEN and unconnected UDP; established peers of the port are not listeners',
      input: { listeningport: [4444, 5432] },
      want: [
        { check: 'listeningport:5432', proto: 'tcp', localAddress: '127.0.0.1', state: 'LISTEN' },
        { check: 'listeningport:4444', proto: 'tcp', state: 'LISTEN' },
        { check: 'listeningport:4444', proto: 'udp', state: 'UNCONN' },
      ],
    },
    { name: 'nothing matches: no rows', input: { connectedip: ['192.0.2.200'], listeningport: [1] }, want: [] },
  ])('$name', async ({ input, want }) => {
    const rec = recordingContext(root);
    const rows = await runNetstatOnce(input, rec);
    expect(rows).toHaveLength(want.length);
    want.forEach((w, i) => expect(rows[i]).toMatchObject(w));
    for (const row of rows) expect(netstatRow.safeParse(row).success).toBe(true);
  });

  it('keeps no pid on sockets no process holds, and counts what it examined', async () => {
    const rec = recordingContext(root);
    const rows = await runNetstatOnce({ connectedip: ['203.0.113.50'] }, rec);
    expect(rows.find((r) => r.state === 'TIME_WAIT')).not.toHaveProperty('pid');
    expect(rec.stats).toMatchObject({ socketsExamined: 20, processesScanned: 3 });
  });

  it('warns about an IPv6 neighborip, which /proc cannot answer', async () => {
    const rec = recordingContext(root);
    expect(await runNetstatOnce({ neighborip: ['fe80::/10'] }, rec)).toEqual([]);
    expect(rec.warnings.join('\n')).toMatch(/neighborip:fe80::\/10: IPv6 neighbours are not in \/proc\/net\/arp/);
  });

  it('skips missing IPv6 tables silently, warns about other unreadable ones', async () => {
    rmSync(join(root, 'proc/net/tcp6'));
    rmSync(join(root, 'proc/net/udp'));
    const rec = recordingContext(root);
    const rows = await runNetstatOnce({ listeningport: [22] }, rec);
    expect(rows.map((r) => r.proto)).toEqual(['tcp']);
    expect(rec.warnings).toEqual(['cannot read /proc/net/udp: ENOENT']);
  });

  it('fails with a coded error when no connection table can be read', async () => {
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) rmSync(join(root, 'proc/net', table));
    await expect(runNetstatOnce({ listeningport: [22] }, recordingContext(root))).rejects.toMatchObject({
      code: 'MODULE_FAILED',
      message: /no connection table/,
    });
  });

  it('reports malformed table lines as a warning', async () => {
    writeFileSync(join(root, 'proc/net/udp6'), 'header\n   0: not a socket line\n');
    const rec = recordingContext(root);
    await runNetstatOnce({ listeningport: [22] }, rec);
    expect(rec.warnings).toEqual(["/proc/net/udp6: skipped 1 line(s) not in the kernel's format"]);
  });

  it('stops at the next section once aborted', async () => {
    const rec = recordingContext(root);
    const iterator = runNetstat({ localmac: ['^8c'], listeningport: [22] }, rec.ctx)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ check: 'localmac:^8c' });
    rec.controller.abort(new Error('cancelled'));
    await expect(iterator.next()).rejects.toThrow('cancelled');
  });
});

describe('findOwners', () => {
  it('skips processes whose fd directory cannot be read, and counts them', async () => {
    writeFileSync(join(root, 'proc/77'), '');
    rmSync(join(root, 'proc/1201/fd'), { recursive: true });
    writeFileSync(join(root, 'proc/1201/fd'), 'not a directory');
    chmodSync(join(root, 'proc/1201/fd'), 0o000);
    const scan = await findOwners(root, new Set([20102, 20001]), new AbortController().signal);
    expect([...scan.owners.entries()]).toEqual([[20001, { pid: 812, process: 'sshd' }]]);
    expect(scan.unreadable).toBe(2);
  });

  it('stops early once every wanted socket has an owner', async () => {
    const scan = await findOwners(root, new Set([20001]), new AbortController().signal);
    expect(scan.processes).toBe(1);
  });

  it('stops at its process bound and says so', async () => {
    const scan = await findOwners(root, new Set([20011]), new AbortController().signal, {
      maxProcesses: 2,
      maxFds: 1000,
    });
    expect(scan.owners.size).toBe(0);
    expect(scan.truncated).toMatch(/stopped after 2 processes/);
  });
});

// Alike on purpose (duplicates): each module's run test goes through the agent runner with its own spec and runner maps; the running is the shared runOperationsLocally.
describe('through the agent runner', () => {
  const specs = new Map<string, AnyModuleSpec>([['netstat', netstatModule]]);
  const runners = new Map([['netstat', runNetstat]]);
  const local = (parameters: Record<string, unknown>) =>
    runOperationsLocally([{ module: 'netstat', parameters }], { root, specs, runners, platform: 'linux' });

  it('rows pass the privacy filter unchanged and the operation is found', async () => {
    const [result] = await local({ listeningport: [22] });
    expect(result).toMatchObject({ module: 'netstat', isFound: true, errors: [] });
    expect(result?.rows[0]).toEqual({
      check: 'listeningport:22',
      proto: 'tcp',
      localAddress: '0.0.0.0',
      localPort: 22,
      remoteAddress: '0.0.0.0',
      remotePort: 0,
      state: 'LISTEN',
      uid: 0,
      pid: 812,
      process: 'sshd',
    });
  });

  it('no match is not found', async () => {
    const [result] = await local({ connectedip: ['198.18.0.0/15'] });
    expect(result).toMatchObject({ isFound: false, rows: [] });
  });

  it.each([
    {
      name: 'bad CIDR',
      input: { connectedip: ['10.0.0.0/33'] },
      want: /operations\.0\.parameters\.connectedip\.0: expected an IPv4 or IPv6 address or CIDR/,
    },
    {
      name: 'bad MAC regex',
      input: { localmac: ['(8c'] },
      want: /operations\.0\.parameters\.localmac\.0: not a valid RE2 regular expression/,
    },
    {
      name: 'port out of range',
      input: { listeningport: [70000] },
      want: /operations\.0\.parameters\.listeningport\.0: .*65535/,
    },
    { name: 'no check at all', input: {}, want: /expected at least one check/ },
    { name: 'unknown field', input: { namespaces: true }, want: /namespaces/ },
  ])('refuses $name before running, naming the field', async ({ input, want }) => {
    await expect(local(input)).rejects.toMatchObject({ code: 'INVALID_PARAMETERS', message: want });
  });

  it('refuses other platforms', async () => {
    await expect(
      runOperationsLocally([{ module: 'netstat', parameters: { listeningport: [22] } }], {
        root,
        specs,
        runners,
        platform: 'darwin',
      }),
    ).rejects.toMatchObject({ code: 'PLATFORM_UNSUPPORTED' });
  });
});
