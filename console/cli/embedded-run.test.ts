// Real processes: `mig console --embedded` on a busy port falls back to a free one, records the
// URL it really uses, and the `mig` CLI in another shell finds it there; `mig demo` takes its
// ports from --http-port/--mqtt-port; its flag errors read like every other flag error.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, initInvestigator, makeFleet, type Fleet } from '../../test/helpers/fleet.js';
import { runMig, startMig } from '../../test/helpers/mig-process.js';

describe('the CLI talks to the server the console started', () => {
  let fleet: Fleet;
  let env: NodeJS.ProcessEnv;
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    fleet = await makeFleet();
    await initInvestigator(fleet, 'alice');
    // No MIG_SERVER: the CLI must find the server by itself.
    env = { ...fleet.env, MIG_SERVER: undefined };
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const address = busy.address();
    busyPort = typeof address === 'object' && address !== null ? address.port : 0;
  }, 30_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => busy.close(() => resolve()));
    await fleet.cleanup();
  });

  it('console --embedded on a busy port: falls back, records the URL, the CLI uses it, the record goes at exit', async () => {
    const embedded = startMig(
      ['console', '--embedded', '--no-agent', '--http-port', String(busyPort), '--mqtt-port', String(await freePort())],
      env,
    );
    try {
      const [, url] = await embedded.waitFor(
        /is busy: the embedded server runs at (http:\/\/127\.0\.0\.1:\d+)/,
        90_000,
      );
      expect(url).not.toBe(`http://127.0.0.1:${busyPort}`);
      await embedded.waitFor(/ctrl\+c stops it/, 90_000);
      expect(existsSync(join(fleet.dir, 'home', 'server.run.json'))).toBe(true);
      const res = await runMig(['investigators', '-render', 'json'], env);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect((JSON.parse(res.stdout) as { name: string }[]).map((i) => i.name)).toEqual(['alice']);
    } finally {
      await embedded.stop();
    }
    expect(existsSync(join(fleet.dir, 'home', 'server.run.json'))).toBe(false);
  }, 150_000);

  it('mig demo --http-port/--mqtt-port listens there and the CLI finds its agents', async () => {
    const httpPort = await freePort();
    const demo = startMig(
      ['demo', '--hosts', '3', '--http-port', String(httpPort), '--mqtt-port', String(await freePort())],
      env,
    );
    try {
      await demo.waitFor(new RegExp(`export MIG_SERVER=http://127\\.0\\.0\\.1:${httpPort}`), 150_000);
      const res = await runMig(['agents', '-render', 'json'], env);
      expect(res.code).toBe(0);
      expect((JSON.parse(res.stdout) as { total: number }).total).toBe(3);
    } finally {
      await demo.stop();
    }
  }, 180_000);

  it.each([
    { argv: ['demo', '--http-port', 'abc'], want: '--http-port: expected a number, got "abc"' },
    { argv: ['console', '--mqtt-port', '70000'], want: '--mqtt-port: expected a number <= 65535, got "70000"' },
    { argv: ['demo', '--colour'], want: '--colour: expected a flag of mig demo, got unknown flag --colour' },
  ])('flag error: $want', async ({ argv, want }) => {
    const res = await runMig(argv, env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(want);
  });
});
