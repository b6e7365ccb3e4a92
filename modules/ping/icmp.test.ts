import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePingOutput, pingIcmp, pingInvocation, type IcmpRequest } from './icmp.js';

const IPUTILS = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms
64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.061 ms

--- 127.0.0.1 ping statistics ---
3 packets transmitted, 2 received, 33.3333% packet loss, time 2041ms
`;
const MACOS = `PING 127.0.0.1 (127.0.0.1): 56 data bytes
64 bytes from 127.0.0.1: icmp_seq=0 ttl=64 time=0.052 ms
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.110 ms
`;
const BUSYBOX = `PING 10.0.0.1 (10.0.0.1): 56 data bytes
64 bytes from 10.0.0.1: seq=0 ttl=64 time=0.078 ms
64 bytes from 10.0.0.1: seq=2 ttl=64 time=1.5 ms
`;
const DUPLICATE = `64 bytes from 10.0.0.255: icmp_seq=1 ttl=64 time=0.2 ms
64 bytes from 10.0.0.7: icmp_seq=1 ttl=64 time=0.9 ms (DUP!)
`;

describe('parsePingOutput', () => {
  it.each([
    {
      name: 'iputils numbers from 1; a lost echo leaves a gap',
      output: IPUTILS,
      platform: 'linux' as const,
      want: [
        [1, 0.045],
        [3, 0.061],
      ],
    },
    {
      name: 'macOS numbers from 0',
      output: MACOS,
      platform: 'darwin' as const,
      want: [
        [1, 0.052],
        [2, 0.11],
      ],
    },
    {
      name: 'busybox (seq=) numbers from 0',
      output: BUSYBOX,
      platform: 'linux' as const,
      want: [
        [1, 0.078],
        [3, 1.5],
      ],
    },
    { name: 'a duplicate keeps the first time', output: DUPLICATE, platform: 'linux' as const, want: [[1, 0.2]] },
    {
      name: 'no replies',
      output: 'PING 10.0.0.9 (10.0.0.9) 56(84) bytes of data.\n\n--- 10.0.0.9 ping statistics ---\n',
      platform: 'linux' as const,
      want: [],
    },
  ])('$name', ({ output, platform, want }) => {
    expect([...parsePingOutput(output, platform).entries()]).toEqual(want);
  });
});

describe('pingInvocation', () => {
  const req = (over: Partial<IcmpRequest>): IcmpRequest => ({
    address: '10.0.0.1',
    family: 4,
    count: 3,
    timeoutS: 1.5,
    platform: 'linux',
    ...over,
  });
  it.each([
    {
      name: 'linux: -W in whole seconds, rounded up',
      input: req({}),
      want: { command: 'ping', args: ['-n', '-c', '3', '-W', '2', '10.0.0.1'] },
    },
    {
      name: 'linux: -W at least 1',
      input: req({ timeoutS: 0.2 }),
      want: { command: 'ping', args: ['-n', '-c', '3', '-W', '1', '10.0.0.1'] },
    },
    {
      name: 'darwin: -W in milliseconds',
      input: req({ platform: 'darwin' }),
      want: { command: 'ping', args: ['-n', '-c', '3', '-W', '1500', '10.0.0.1'] },
    },
    {
      name: 'darwin IPv6: ping6',
      input: req({ platform: 'darwin', family: 6, address: '::1' }),
      want: { command: 'ping6', args: ['-n', '-c', '3', '::1'] },
    },
  ])('$name', ({ input, want }) => {
    expect(pingInvocation(input)).toEqual(want);
  });
});

describe('pingIcmp runs the system ping', () => {
  let dir = '';
  let savedPath: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mig-ping-'));
    savedPath = process.env.PATH;
    process.env.PATH = dir;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A stand-in `ping` on PATH: records its arguments, prints `stdout`, exits with `code`. */
  function fakePing(stdout: string, code: number, stderr = ''): void {
    // Shell builtins only: PATH holds nothing but this script.
    const script = `#!/bin/sh\nprintf '%s\\n' "$*" > '${join(dir, 'args')}'\nprintf '%s' '${stdout}'\n${stderr === '' ? '' : `echo '${stderr}' >&2\n`}exit ${code}\n`;
    writeFileSync(join(dir, 'ping'), script);
    chmodSync(join(dir, 'ping'), 0o755);
  }
  const request: IcmpRequest = { address: '127.0.0.1', family: 4, count: 3, timeoutS: 1, platform: 'linux' };

  it('a row per attempt: replies with their time, the lost one a timeout', async () => {
    fakePing(IPUTILS, 0);
    const probes = await pingIcmp(request, new AbortController().signal);
    expect(probes).toEqual([
      { outcome: 'reply', isReachable: true, latencyMs: 0.045 },
      { outcome: 'timeout', isReachable: false },
      { outcome: 'reply', isReachable: true, latencyMs: 0.061 },
    ]);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('-n -c 3 -W 1 127.0.0.1');
  });

  it('no reply at all (exit 1): every attempt timed out', async () => {
    fakePing('PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n', 1);
    expect((await pingIcmp(request, new AbortController().signal)).map((p) => p.outcome)).toEqual([
      'timeout',
      'timeout',
      'timeout',
    ]);
  });

  it('ping that cannot run (exit 2): every attempt carries its error', async () => {
    fakePing('', 2, 'ping: socket: Operation not permitted');
    const probes = await pingIcmp(request, new AbortController().signal);
    expect(probes).toHaveLength(3);
    expect(probes[0]).toEqual({ outcome: 'error', isReachable: false, error: 'ping: socket: Operation not permitted' });
  });

  it('no ping on PATH: a coded error that says what to do instead', async () => {
    await expect(pingIcmp(request, new AbortController().signal)).rejects.toMatchObject({
      code: 'MODULE_FAILED',
      message: /icmp needs the system ping command.*-p tcp or -p udp/,
    });
  });
});
