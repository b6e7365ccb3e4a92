import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { runTimedrift } from './run.js';
import { timedriftModule, timedriftRow } from './spec.js';
import {
  runTimedriftOnce,
  startFakeNtp,
  type FakeBehaviour,
  type FakeNtp,
} from '../../test/helpers/modules/timedrift.js';

/** Offsets are measured over a real socket: allow for a loaded machine, not for a wrong sign. */
const SLACK_MS = 1000;

let root = '';
const servers: FakeNtp[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mig-timedrift-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  rmSync(root, { recursive: true, force: true });
});

async function server(behaviour: FakeBehaviour, skewMs = 0): Promise<string> {
  const fake = await startFakeNtp(behaviour, skewMs);
  servers.push(fake);
  return `127.0.0.1:${fake.port}`;
}

describe('timedrift against a fake NTP server on 127.0.0.1', () => {
  it.each([
    {
      name: 'server and local clock agree: within the drift',
      serverSkewMs: 0,
      clockSkewMs: 0,
      drift: '5s',
      wantOffset: 0,
      wantDrifted: false,
    },
    {
      name: 'server 60 s ahead: local clock is behind, drifted',
      serverSkewMs: 60_000,
      clockSkewMs: 0,
      drift: '5s',
      wantOffset: 60_000,
      wantDrifted: true,
    },
    {
      name: 'server 60 s behind: local clock is ahead, drifted',
      serverSkewMs: -60_000,
      clockSkewMs: 0,
      drift: '5s',
      wantOffset: -60_000,
      wantDrifted: true,
    },
    {
      name: 'local clock (ctx.now) 30 s fast, honest server',
      serverSkewMs: 0,
      clockSkewMs: 30_000,
      drift: '1m',
      wantOffset: -30_000,
      wantDrifted: false,
    },
    {
      name: 'the same clock with a tighter drift',
      serverSkewMs: 0,
      clockSkewMs: 30_000,
      drift: '10s',
      wantOffset: -30_000,
      wantDrifted: true,
    },
  ])('$name', async ({ serverSkewMs, clockSkewMs, drift, wantOffset, wantDrifted }) => {
    const name = await server('ok', serverSkewMs);
    const rec = recordingContext(root, { now: () => new Date(Date.now() + clockSkewMs) });
    const rows = await runTimedriftOnce({ drift, servers: [name] }, rec);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      server: name,
      source: 'parameter',
      address: '127.0.0.1',
      isReachable: true,
      stratum: 2,
      hasDrifted: wantDrifted,
    });
    expect(Math.abs((row?.offsetMs ?? Number.NaN) - wantOffset)).toBeLessThan(SLACK_MS);
    expect(row?.delayMs).toBeGreaterThanOrEqual(0);
    expect(timedriftRow.safeParse(row).success).toBe(true);
    expect(rec.stats).toEqual({ serversAnswered: 1 });
  });

  it.each([
    { name: "kiss-o'-death", behaviour: 'kiss-of-death' as const, want: /kiss-o'-death RATE/ },
    {
      name: 'unsynchronized server',
      behaviour: 'unsynchronized' as const,
      want: /not synchronized \(leap indicator 3\)/,
    },
    { name: 'a client-mode packet', behaviour: 'client-mode' as const, want: /not from a server \(mode 3\)/ },
    {
      name: 'a reply that does not echo our nonce (ignored until the timeout)',
      behaviour: 'wrong-origin' as const,
      want: /no answer within 300 ms/,
    },
    {
      name: 'a short packet (ignored until the timeout)',
      behaviour: 'short' as const,
      want: /no answer within 300 ms/,
    },
    { name: 'silence', behaviour: 'silent' as const, want: /no answer within 300 ms/ },
  ])('$name is not an answer; the next server is asked', async ({ behaviour, want }) => {
    const bad = await server(behaviour);
    const good = await server('ok');
    const rows = await runTimedriftOnce({ servers: [bad, good], timeout: 0.3 }, recordingContext(root));
    expect(rows.map((r) => [r.server, r.isReachable])).toEqual([
      [bad, false],
      [good, true],
    ]);
    expect(rows[0]?.error).toMatch(want);
    expect(rows[0]).not.toHaveProperty('offsetMs');
  });

  it('a forged reply before the real one is skipped, the real one used', async () => {
    const name = await server('forged-then-real');
    const [row] = await runTimedriftOnce({ servers: [name] }, recordingContext(root));
    expect(row).toMatchObject({ isReachable: true, hasDrifted: false });
    expect(Math.abs(row?.offsetMs ?? Number.NaN)).toBeLessThan(SLACK_MS);
  });

  it('nothing listening: refused', async () => {
    const fake = await startFakeNtp('silent');
    await fake.close();
    const rows = runTimedriftOnce({ servers: [`127.0.0.1:${fake.port}`] }, recordingContext(root));
    await expect(rows).rejects.toMatchObject({ code: 'MODULE_FAILED', message: /none of 1 NTP server\(s\) answered/ });
  });

  it('stops at the first answer (MIG), or asks every server with all', async () => {
    const names = [await server('ok'), await server('ok', 10_000)];
    expect(await runTimedriftOnce({ servers: names }, recordingContext(root))).toHaveLength(1);
    const all = await runTimedriftOnce({ servers: names, all: true }, recordingContext(root));
    expect(all.map((r) => r.hasDrifted)).toEqual([false, true]);
  });

  it('an abort ends the wait for a silent server', async () => {
    const rec = recordingContext(root);
    const rows = runTimedriftOnce({ servers: [await server('silent')], timeout: 30 }, rec);
    setTimeout(() => rec.controller.abort(new Error('cancelled')), 50);
    await expect(rows).rejects.toThrow('cancelled');
  });

  it('without servers it asks the ones in the host config first', async () => {
    const name = await server('ok');
    const config = join(root, 'etc/chrony/chrony.conf');
    mkdirSync(dirname(config), { recursive: true });
    writeFileSync(config, `# chrony\npool ${name} iburst\n`);
    const [row] = await runTimedriftOnce({}, recordingContext(root));
    expect(row).toMatchObject({ server: name, source: '/etc/chrony/chrony.conf', isReachable: true });
  });
});

describe('through the agent runner: isFound is "some server says we drifted"', () => {
  const specs = new Map<string, AnyModuleSpec>([['timedrift', timedriftModule]]);
  const runners = new Map([['timedrift', runTimedrift]]);
  const local = (parameters: Record<string, unknown>) =>
    runOperationsLocally([{ module: 'timedrift', parameters }], { root, specs, runners, platform: 'linux' });

  it.each([
    { name: 'in sync: rows but not found', skewMs: 0, want: false },
    { name: 'drifted: found', skewMs: 120_000, want: true },
  ])('$name', async ({ skewMs, want }) => {
    const [result] = await local({ drift: '5s', servers: [await server('ok', skewMs)] });
    expect(result).toMatchObject({ module: 'timedrift', isFound: want, errors: [] });
    expect(result?.rows).toHaveLength(1);
  });

  it('no server answered: the rows say why, and the operation failed', async () => {
    const [result] = await local({ servers: [await server('silent')], timeout: 0.2 });
    expect(result).toMatchObject({ isFound: false, error: { code: 'MODULE_FAILED' } });
    expect(result?.rows).toEqual([expect.objectContaining({ isReachable: false, error: 'no answer within 200 ms' })]);
  });

  it.each([
    {
      name: 'a drift that is not a Go duration',
      input: { drift: '5 seconds' },
      want: /parameters\.drift: expected a duration like 5s/,
    },
    { name: 'a negative drift', input: { drift: '-5s' }, want: /parameters\.drift/ },
    {
      name: 'a server with a bad port',
      input: { servers: ['ntp.example:99999'] },
      want: /parameters\.servers\.0: expected an NTP server/,
    },
    { name: 'a server that reads as an option', input: { servers: ['-x'] }, want: /parameters\.servers\.0/ },
    {
      name: 'too many servers',
      input: { servers: new Array<string>(17).fill('ntp.example') },
      want: /parameters\.servers/,
    },
    { name: 'a timeout over 30 s', input: { timeout: 31 }, want: /parameters\.timeout/ },
  ])('refuses $name, naming the field', async ({ input, want }) => {
    await expect(local(input)).rejects.toMatchObject({ code: 'INVALID_PARAMETERS', message: want });
  });
});
