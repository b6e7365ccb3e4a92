import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import { makeRoot, removeRoot, runNicOnce } from '../../test/helpers/modules/nic.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { runNic } from './run.js';
import { nicModule, nicRow } from './spec.js';

// Fixture interfaces (modules/nic/fixtures/sys/class/net): lo, eth0 (e1000e, 1 Gb/s), eth1
// (virtio_net, promiscuous: flags 0x1103, MTU 9000), wlan0 (down), docker0 (up, no carrier), tun0.

let root = '';
beforeEach(() => {
  root = makeRoot();
});
afterEach(() => {
  removeRoot(root);
});

const names = (rows: readonly { name: string }[]): string[] => rows.map((r) => r.name);

describe('nic over a fixture /sys/class/net', () => {
  it.each([
    { name: 'no check: every interface, by name', input: {}, want: ['docker0', 'eth0', 'eth1', 'lo', 'tun0', 'wlan0'] },
    { name: 'promisc: the sniffing interface', input: { promisc: true }, want: ['eth1'] },
    { name: 'promisc false: the others', input: { promisc: false }, want: ['docker0', 'eth0', 'lo', 'tun0', 'wlan0'] },
    {
      name: 'state up: link up, loopback and tun by their carrier',
      input: { state: 'up' },
      want: ['eth0', 'eth1', 'lo', 'tun0'],
    },
    { name: 'state down: admin down, or up without a link', input: { state: 'down' }, want: ['docker0', 'wlan0'] },
    { name: 'name regexes, any of them', input: { name: ['^eth', '^wl'] }, want: ['eth0', 'eth1', 'wlan0'] },
    {
      name: 'mac, case-insensitive; no MAC never matches',
      input: { mac: ['^3C:22', '^52:54:00', '^00:00'] },
      want: ['eth1', 'wlan0'],
    },
    { name: 'driver from the device/driver link', input: { driver: ['^virtio'] }, want: ['eth1'] },
    {
      name: 'mtu bounds, all must hold',
      input: { mtu: ['>1400', '<9000'] },
      want: ['docker0', 'eth0', 'tun0', 'wlan0'],
    },
    { name: 'mtu equal, bare number', input: { mtu: ['9000'] }, want: ['eth1'] },
    { name: 'speed: interfaces without one never match', input: { speed: ['>1000', '<100000'] }, want: ['eth1'] },
    { name: 'checks are AND-ed', input: { name: ['^eth'], promisc: false, state: 'up' }, want: ['eth0'] },
    { name: 'nothing matches: no rows', input: { name: ['^bond'] }, want: [] },
  ])('$name', async ({ input, want }) => {
    const rec = recordingContext(root);
    const rows = await runNicOnce(input, rec);
    expect(names(rows)).toEqual(want);
    for (const row of rows) expect(nicRow.safeParse(row).success).toBe(true);
    expect(rec.warnings).toEqual([]);
    expect(rec.stats).toEqual({ interfacesExamined: 6 });
  });

  it('answers the promiscuous interface in full', async () => {
    const [row] = await runNicOnce({ promisc: true }, recordingContext(root));
    expect(row).toEqual({
      name: 'eth1',
      state: 'up',
      promisc: true,
      isAdminUp: true,
      operstate: 'up',
      carrier: true,
      mtu: 9000,
      speed: 10000,
      mac: '52:54:00:12:34:56',
      type: 'ether',
      driver: 'virtio_net',
      flags: '0x1103',
      rxBytes: 5_000_000_000,
      rxPackets: 4_000_000,
      txBytes: 20000,
      txPackets: 200,
    });
  });

  it('leaves out what an interface does not have: loopback MAC and speed, driver of virtual links, counters not in /proc/net/dev', async () => {
    const rows = await runNicOnce({ name: ['^(lo|docker0|wlan0)$'] }, recordingContext(root));
    const [docker0, lo, wlan0] = rows;
    expect(lo).toEqual({
      name: 'lo',
      state: 'up',
      promisc: false,
      isAdminUp: true,
      operstate: 'unknown',
      carrier: true,
      mtu: 65536,
      type: 'loopback',
      flags: '0x9',
      rxBytes: 123456,
      rxPackets: 789,
      txBytes: 123456,
      txPackets: 789,
    });
    expect(docker0).not.toHaveProperty('speed');
    expect(docker0).not.toHaveProperty('driver');
    expect(docker0).not.toHaveProperty('rxBytes');
    expect(wlan0).toMatchObject({ state: 'down', isAdminUp: false, mac: '3c:22:fb:01:02:03', driver: 'iwlwifi' });
    expect(wlan0).not.toHaveProperty('carrier');
  });

  it('works without /proc/net/dev: counters are extra', async () => {
    rmSync(join(root, 'proc/net/dev'));
    const rec = recordingContext(root);
    const rows = await runNicOnce({ promisc: true }, rec);
    expect(rows[0]).not.toHaveProperty('rxBytes');
    expect(rec.warnings).toEqual([]);
  });

  it('skips an interface whose flags it cannot read, and says so', async () => {
    writeFileSync(join(root, 'sys/class/net/eth1/flags'), 'promiscuous\n');
    rmSync(join(root, 'sys/class/net/eth0/flags'));
    const rec = recordingContext(root);
    expect(names(await runNicOnce({ name: ['^eth'] }, rec))).toEqual([]);
    expect(rec.warnings).toEqual([
      '/sys/class/net/eth0/flags: missing; interface skipped',
      '/sys/class/net/eth1/flags: not a hex flag word ("promiscuous"); interface skipped',
    ]);
  });

  it.runIf(process.getuid?.() !== 0)(
    'warns about an attribute it may not read (not run as root, who reads any file)',
    async () => {
      chmodSync(join(root, 'sys/class/net/eth0/mtu'), 0);
      const rec = recordingContext(root);
      const [row] = await runNicOnce({ name: ['^eth0$'] }, rec);
      expect(row).not.toHaveProperty('mtu');
      expect(rec.warnings).toEqual(['cannot read /sys/class/net/eth0/mtu: EACCES']);
    },
  );

  it('reads at most 4 KiB of an attribute, and refuses what is not a kernel value', async () => {
    writeFileSync(join(root, 'sys/class/net/eth0/operstate'), 'x'.repeat(1024 * 1024));
    writeFileSync(join(root, 'sys/class/net/eth0/address'), 'secret-token\n');
    const [row] = await runNicOnce({ name: ['^eth0$'] }, recordingContext(root));
    expect(row).not.toHaveProperty('operstate');
    expect(row).not.toHaveProperty('mac');
    expect(JSON.stringify(row)).not.toContain('secret');
  });

  it('a root without /sys/class/net answers nothing, with a warning', async () => {
    rmSync(join(root, 'sys'), { recursive: true });
    const rec = recordingContext(root);
    expect(await runNicOnce({}, rec)).toEqual([]);
    expect(rec.warnings).toEqual(['cannot read /sys/class/net: ENOENT']);
  });

  it('stops once aborted', async () => {
    const rec = recordingContext(root);
    rec.controller.abort();
    await expect(runNicOnce({}, rec)).rejects.toThrow();
  });
});

describe('through the agent runner', () => {
  const specs = new Map<string, AnyModuleSpec>([['nic', nicModule]]);
  const runners = new Map([['nic', runNic]]);
  const local = (parameters: Record<string, unknown>) =>
    runOperationsLocally([{ module: 'nic', parameters }], { root, specs, runners, platform: 'linux' });

  it('a promiscuous interface is found, its row unchanged by the privacy filter', async () => {
    const [result] = await local({ promisc: true });
    expect(result).toMatchObject({ module: 'nic', isFound: true, errors: [] });
    expect(result?.rows.map((r) => r.name)).toEqual(['eth1']);
    expect(result?.rows[0]).toMatchObject({ flags: '0x1103', driver: 'virtio_net' });
  });

  it('carries no planted secret: unread attributes, junk values and stray files stay on the host', async () => {
    const SECRET = 'hunter2-planted-secret';
    writeFileSync(join(root, 'sys/class/net/eth1/ifalias'), `${SECRET}\n`);
    writeFileSync(join(root, 'sys/class/net/eth1/operstate'), `${SECRET}\n`);
    writeFileSync(join(root, 'sys/class/net/eth1/type'), `${SECRET}\n`);
    writeFileSync(join(root, 'sys/class/net/eth0/address'), `${SECRET}\n`);
    writeFileSync(join(root, 'proc/net/dev'), `header\nheader\n  eth1: ${SECRET} 1 0 0 0 0 0 0 2 3 0 0 0 0 0 0\n`);
    const results = await local({});
    expect(results[0]?.rows.map((r) => r.name)).toEqual(['docker0', 'eth0', 'eth1', 'lo', 'tun0', 'wlan0']);
    expect(JSON.stringify(results)).not.toContain('hunter2');
  });

  it('no match is not found', async () => {
    const [result] = await local({ name: ['^bond'], promisc: true });
    expect(result).toMatchObject({ isFound: false, rows: [] });
  });

  it.each([
    {
      name: 'bad name regex',
      input: { name: ['(eth'] },
      want: /operations\.0\.parameters\.name\.0: not a valid RE2 regular expression/,
    },
    {
      name: 'empty name regex',
      input: { name: [''] },
      want: /operations\.0\.parameters\.name\.0: expected a regular expression, got an empty string/,
    },
    { name: 'unknown state', input: { state: 'sideways' }, want: /operations\.0\.parameters\.state/ },
    { name: 'promisc as a string', input: { promisc: 'yes' }, want: /operations\.0\.parameters\.promisc/ },
    {
      name: 'bad mtu bound',
      input: { mtu: ['>=1500'] },
      want: /operations\.0\.parameters\.mtu\.0: expected a bound like >1500, <1000, =9000 or 9000, got ">=1500"/,
    },
    { name: 'unknown field', input: { namespaces: true }, want: /namespaces/ },
  ])('refuses $name before running, naming the field', async ({ input, want }) => {
    await expect(local(input)).rejects.toMatchObject({ code: 'INVALID_PARAMETERS', message: want });
  });

  it('refuses other platforms', async () => {
    await expect(
      runOperationsLocally([{ module: 'nic', parameters: {} }], { root, specs, runners, platform: 'darwin' }),
    ).rejects.toMatchObject({ code: 'PLATFORM_UNSUPPORTED' });
  });
});
