import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGoDuration, parseServer } from './params.js';
import { defaultServers, FALLBACK_SERVERS, serversInConfig } from './servers.js';
import { readTimestamp, writeTimestamp } from './sntp.js';

describe('parseGoDuration (milliseconds)', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { input: '5s', want: 5000 },
    { input: '500ms', want: 500 },
    { input: '1m30s', want: 90_000 },
    { input: '1.5h', want: 5_400_000 },
    { input: '250us', want: 0.25 },
    { input: '250\u00b5s', want: 0.25 }, // micro sign, as Go prints it
    { input: '250\u03bcs', want: 0.25 }, // Greek mu, which Go accepts too
    { input: '250\u00b5', want: undefined },
    { input: '0', want: 0 },
    { input: '.5s', want: 500 },
    { input: '5', want: undefined },
    { input: '-5s', want: undefined },
    { input: '5 s', want: undefined },
    { input: '5d', want: undefined },
    { input: '', want: undefined },
  ])('$input → $want', ({ input, want }) => {
    expect(parseGoDuration(input)).toBe(want);
  });
});

describe('parseServer', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each([
    { input: 'pool.ntp.org', want: { host: 'pool.ntp.org', port: 123 } },
    { input: 'ntp1.corp.example:1123', want: { host: 'ntp1.corp.example', port: 1123 } },
    { input: '192.0.2.1', want: { host: '192.0.2.1', port: 123 } },
    { input: '2001:db8::123', want: { host: '2001:db8::123', port: 123 } },
    { input: '[2001:db8::123]:4123', want: { host: '2001:db8::123', port: 4123 } },
    { input: 'host:0', want: undefined },
    { input: 'host:65536', want: undefined },
    { input: '[pool.ntp.org]:123', want: undefined },
    { input: '-o', want: undefined },
    { input: 'a b', want: undefined },
  ])('$input', ({ input, want }) => {
    expect(parseServer(input)).toEqual(want);
  });
});

describe('NTP timestamps', () => {
  it.each([
    { name: 'now-ish (era 0)', ms: Date.UTC(2026, 0, 2, 3, 4, 5, 678) },
    { name: 'after the 2036 rollover (era 1)', ms: Date.UTC(2040, 5, 1, 0, 0, 0, 250) },
    { name: 'the Unix epoch', ms: 0 },
  ])('round trip: $name', ({ ms }) => {
    const buf = Buffer.alloc(8);
    writeTimestamp(buf, 0, ms);
    expect(Math.abs(readTimestamp(buf, 0) - ms)).toBeLessThan(0.001);
  });
});

describe('servers from the host configuration', () => {
  it.each([
    {
      name: 'ntpd server and pool lines, options and comments',
      input: 'server 0.debian.pool.ntp.org iburst\n# server old.example\npool 2.debian.pool.ntp.org iburst\n',
      want: ['0.debian.pool.ntp.org', '2.debian.pool.ntp.org'],
    },
    {
      name: "ntpd's local clock driver is not a server",
      input: 'server 127.127.1.0\nfudge 127.127.1.0 stratum 10\nserver ntp.example\n',
      want: ['ntp.example'],
    },
    {
      name: 'timesyncd NTP= list',
      input: '[Time]\nNTP=ntp1.example ntp2.example\n#FallbackNTP=x\n',
      want: ['ntp1.example', 'ntp2.example'],
    },
    { name: 'nothing', input: 'driftfile /var/lib/ntp/drift\n', want: [] },
  ])('$name', ({ input, want }) => {
    expect(serversInConfig(input)).toEqual(want);
  });

  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mig-timedrift-conf-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('config servers first, deduplicated, then MIG fallbacks; unreadable configs are reported', async () => {
    write('etc/ntp.conf', 'server ntp.corp.example\nserver 0.pool.ntp.org\n');
    write('etc/systemd/timesyncd.conf', '[Time]\nNTP=ntp.corp.example time.cloudflare.com\n');
    mkdirSync(join(root, 'etc/chrony.conf'));
    const warnings: string[] = [];
    const list = await defaultServers(root, (m) => warnings.push(m));
    expect(list.map((s) => `${s.name}@${s.source}`)).toEqual([
      'ntp.corp.example@/etc/ntp.conf',
      '0.pool.ntp.org@/etc/ntp.conf',
      'time.cloudflare.com@/etc/systemd/timesyncd.conf',
      ...FALLBACK_SERVERS.filter((n) => n !== '0.pool.ntp.org').map((n) => `${n}@fallback`),
    ]);
    expect(warnings).toEqual(['cannot read /etc/chrony.conf: EISDIR']);
  });

  it('no configuration: the fallbacks only, silently', async () => {
    const warnings: string[] = [];
    expect((await defaultServers(root, (m) => warnings.push(m))).map((s) => s.name)).toEqual([...FALLBACK_SERVERS]);
    expect(warnings).toEqual([]);
  });
});
