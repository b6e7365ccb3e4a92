// The CLI talks to the server a local console really started, and when it cannot get in, it
// says why: which server, chosen how, and the cause (not enrolled, clock skew, nothing there).
// A real `mig server` in-process: its token check is what the hints must read correctly.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../broker/server.js';
import { armoredPublicKey } from '../helpers/keys.js';
import { recordServerRun } from '../../console/services/config.js';
import { EXIT } from '../../console/cli/main.js';
import { createHarness, installIdentity, type Harness } from '../helpers/console/cli/harness.js';

function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('which server, and why it refuses', () => {
  let dataDir: string;
  let server: RunningServer;
  let skewMs = 0;
  let url: string;
  let h: Harness;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mig-choice-'));
    server = await startServer({
      dataDir,
      httpPort: 0,
      mqttPort: 0,
      bootstrapAdmin: { name: 'alice', publicKey: armoredPublicKey('alice') },
      now: () => new Date(Date.now() + skewMs),
    });
    url = server.httpUrl.replace(/\/api\/v1\/?$/, '');
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    skewMs = 0;
    h = createHarness();
  });
  afterEach(() => h.cleanup());

  it('uses the URL a running console recorded, not the stale configured one', async () => {
    installIdentity(h.home, 'alice', `http://127.0.0.1:${await deadPort()}`);
    await recordServerRun(h.home, {
      url,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      origin: 'console --embedded',
    });
    expect(await h.run(['agents'])).toBe(EXIT.ok);
    expect(h.stderr.text).toContain('0 of 0 agent(s)');
  });

  it('a key the server does not know: "not enrolled", naming the server and why that one', async () => {
    installIdentity(h.home, 'bob', 'http://127.0.0.1:8765');
    h.env.MIG_SERVER = url;
    expect(await h.run(['agents'])).toBe(EXIT.error);
    expect(h.stderr.text).toContain('(UNAUTHENTICATED)');
    expect(h.stderr.text).toContain(`hint: your key is not enrolled on the server at ${url}`);
    expect(h.stderr.text).toContain(`server: ${url} (from MIG_SERVER)`);
  });

  it('a clock an hour off: "clock skew"', async () => {
    installIdentity(h.home, 'alice', url);
    skewMs = 3_600_000;
    expect(await h.run(['agents'])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(`hint: clock skew: this machine's clock and the server's at ${url} disagree`);
    expect(h.stderr.text).toContain(`server: ${url} (from serverUrl in ${join(h.home, 'config.json')})`);
  });

  it('nothing listening: says no server runs there', async () => {
    const port = await deadPort();
    installIdentity(h.home, 'alice', `http://127.0.0.1:${port}`);
    expect(await h.run(['agents'])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(`hint: nothing listens at http://127.0.0.1:${port}, so no server runs there`);
  });
});
