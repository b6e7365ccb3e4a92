// Which server the CLI talks to: MIG_SERVER, else the server a local console really started
// (while it runs), else the configured one. A configured remote server is never replaced.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chooseServer,
  clearServerRun,
  readServerRun,
  recordServerRun,
  serverRunPath,
  type ServerRun,
} from './config.js';

describe('the server run file', () => {
  let home: string;
  const run: ServerRun = {
    url: 'http://127.0.0.1:40123',
    pid: 4242,
    startedAt: '2026-01-01T00:00:00.000Z',
    origin: 'console --embedded',
  };
  const alive = (pid: number) => pid === 4242;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'mig-run-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it.each([
    {
      name: 'MIG_SERVER wins over everything',
      env: { MIG_SERVER: 'http://10.0.0.1:1' },
      config: 'http://127.0.0.1:8765',
      hasRun: true,
      want: 'http://10.0.0.1:1',
      source: 'MIG_SERVER',
    },
    {
      name: 'a running console replaces the local default',
      env: {},
      config: 'http://127.0.0.1:8765',
      hasRun: true,
      want: run.url,
      source: 'pid 4242',
    },
    {
      name: 'localhost counts as local',
      env: {},
      config: 'http://localhost:8765',
      hasRun: true,
      want: run.url,
      source: 'console --embedded',
    },
    {
      name: 'a configured remote server is never replaced',
      env: {},
      config: 'https://mig.example.org',
      hasRun: true,
      want: 'https://mig.example.org',
      source: 'serverUrl in',
    },
    {
      name: 'no run file: the configured URL',
      env: {},
      config: 'http://127.0.0.1:8765',
      hasRun: false,
      want: 'http://127.0.0.1:8765',
      source: 'serverUrl in',
    },
  ])('$name', async ({ env, config, hasRun, want, source }) => {
    if (hasRun) await recordServerRun(home, run);
    const choice = await chooseServer(home, env, { serverUrl: config }, alive);
    expect(choice.url).toBe(want);
    expect(choice.source).toContain(source);
  });

  it('ignores a run file whose process is gone, and a malformed one', async () => {
    await recordServerRun(home, { ...run, pid: 1 << 22 });
    expect(await readServerRun(home, alive)).toBeUndefined();
    writeFileSync(serverRunPath(home), '{"url":"javascript:alert(1)","pid":4242}');
    expect(await readServerRun(home, alive)).toBeUndefined();
  });

  it('clear removes only its own record', async () => {
    await recordServerRun(home, run);
    await clearServerRun(home, 999);
    expect(await readServerRun(home, alive)).toEqual(run);
    await clearServerRun(home, 4242);
    expect(await readServerRun(home, alive)).toBeUndefined();
  });
});
