// Periodic compliance end to end with real processes: `mig server`, two `mig agent`s, a runner
// with its own key (a robot investigator the agents' ACL weighs for scribe only), and its
// outputs: an NDJSON file, a real UDP syslog listener and a real HTTP receiver, all started here.
import { createHmac } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInvestigator, startAgents, startFleetServer, type Fleet, type HostSpec } from '../helpers/fleet.js';
import { runMig, type MigProcess } from '../helpers/mig-process.js';

const SSHD_DOC = JSON.parse(
  await readFile(new URL('../../modules/scribe/examples/sshd-permitrootlogin-disabled.json', import.meta.url), 'utf8'),
) as unknown;
const SECRET = 'runner-webhook-secret-0123456789';

interface Event {
  event: { dataset: string; action: string; outcome?: string };
  host?: { name: string };
  file?: { path: string };
  mig: { compliance?: { target: string; check: { ref: string }; compliance: boolean }; action?: { status?: string } };
}

async function policyVersions(fleet: Fleet): Promise<(number | undefined)[]> {
  const res = await runMig(['agents', '-render', 'json'], fleet.env);
  return (JSON.parse(res.stdout) as { agents: { policyVersion?: number }[] }).agents.map((a) => a.policyVersion);
}

describe('mig runner: a weekly compliance run from schedule to SIEM', { timeout: 240_000 }, () => {
  let fleet: Fleet;
  let runnerEnv: NodeJS.ProcessEnv;
  let configPath: string;
  let syslog: Socket;
  let http: Server;
  const datagrams: string[] = [];
  const posts: { body: string; signature: string; timestamp: string }[] = [];
  const processes: MigProcess[] = [];

  beforeAll(async () => {
    ({ fleet } = await startFleetServer(processes));
    runnerEnv = await addInvestigator(fleet, 'compliance-runner');
    const host = (name: string, line: string): HostSpec => ({
      name,
      tags: {},
      files: { '/etc/ssh/sshd_config': `Port 22\n${line}\n`, '/srv/www/shell.php': '<?php\n' },
    });
    await startAgents(
      fleet,
      [host('host-ok', 'PermitRootLogin no'), host('host-bad', 'PermitRootLogin yes')],
      processes,
    );

    // The ACL: alice for everything, the runner for scribe only.
    const investigators = JSON.parse((await runMig(['investigators', '-render', 'json'], fleet.env)).stdout) as {
      name: string;
      fingerprint: string;
    }[];
    const fp = (name: string): string => investigators.find((i) => i.name === name)?.fingerprint ?? '';
    const acl = {
      default: { minimumWeight: 1, weights: { [fp('alice')]: 1 } },
      scribe: { minimumWeight: 1, weights: { [fp('alice')]: 1, [fp('compliance-runner')]: 1 } },
    };
    await writeFile(join(fleet.dir, 'acl.json'), JSON.stringify(acl));
    const published = await runMig(['policy', 'publish', '--acl', join(fleet.dir, 'acl.json'), '-y'], fleet.env);
    expect(published.code, published.stderr).toBe(0);
    const deadline = Date.now() + 30_000;
    while (!(await policyVersions(fleet)).every((v) => v === 1)) {
      if (Date.now() > deadline) throw new Error('agents never took policy version 1');
      await new Promise((r) => setTimeout(r, 300));
    }

    syslog = createSocket('udp4');
    syslog.on('message', (m) => datagrams.push(m.toString('utf8')));
    await new Promise<void>((r) => syslog.bind(0, '127.0.0.1', r));
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        posts.push({
          body,
          signature: String(req.headers['x-mig-signature']),
          timestamp: String(req.headers['x-mig-timestamp']),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));

    await writeFile(
      join(fleet.dir, 'compliance.json'),
      JSON.stringify({
        name: 'sshd root login',
        operations: [{ module: 'scribe', parameters: { document: SSHD_DOC } }],
      }),
    );
    await writeFile(
      join(fleet.dir, 'webshells.json'),
      JSON.stringify({
        name: 'web shells',
        operations: [{ module: 'file', parameters: { searches: { s: { paths: ['/srv'], names: ['\\.php$'] } } } }],
      }),
    );
    await writeFile(join(fleet.dir, 'hook.secret'), `${SECRET}\n`);
    configPath = join(fleet.dir, 'runner.json');
    await writeFile(
      configPath,
      JSON.stringify({
        stateDir: 'runner-state',
        jobs: [
          { name: 'weekly-compliance', schedule: '0 3 * * 1', action: 'compliance.json', target: 'all', expiry: '5m' },
          { name: 'webshells', schedule: '0 4 * * *', action: 'webshells.json', target: 'all', expiry: '5m' },
        ],
        outputs: [
          { type: 'ndjson', path: 'out/mig.ndjson' },
          { type: 'syslog', url: `udp://127.0.0.1:${syslog.address().port}` },
          {
            type: 'webhook',
            url: `http://127.0.0.1:${(http.address() as { port: number }).port}/mig`,
            secretFile: 'hook.secret',
          },
        ],
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    syslog?.close();
    http?.close();
    await fleet?.cleanup();
  });

  /** Runs one job now, as `mig runner --once` does from cron, and returns every event in its NDJSON output. */
  async function runOnce(job: string): Promise<Event[]> {
    const res = await runMig(['runner', '--config', configPath, '--once', job], runnerEnv);
    expect(res.code, res.stderr).toBe(0);
    return (await readFile(join(fleet.dir, 'out', 'mig.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
  }

  it('--check prints each job and its next run', async () => {
    const res = await runMig(['runner', '--config', configPath, '--check'], runnerEnv);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^weekly-compliance: 0 3 \* \* 1 \(UTC\) next \d{4}-\d\d-\d\dT03:00:00\.000Z, scribe$/m);
  });

  it('a compliance run signed by the runner reaches the NDJSON file, syslog and the webhook', async () => {
    const file = await runOnce('weekly-compliance');
    const items = file
      .filter((e) => e.event.dataset === 'mig.compliance')
      .map((e) => [e.host?.name, e.mig.compliance?.check.ref, e.mig.compliance?.compliance]);
    expect(items.sort()).toEqual([
      ['host-bad', 'permitrootlogin-disabled', false],
      ['host-bad', 'permitrootlogin-no', false],
      ['host-ok', 'permitrootlogin-disabled', true],
      ['host-ok', 'permitrootlogin-no', true],
    ]);
    expect(file.filter((e) => e.event.dataset === 'mig.action').map((e) => e.mig.action?.status)).toEqual([
      'completed',
    ]);
    expect(datagrams).toHaveLength(file.length);
    expect(datagrams.filter((d) => d.includes('"outcome":"failure"')).every((d) => d.startsWith('<132>1 '))).toBe(true);
    expect(posts).toHaveLength(file.length);
    for (const p of posts)
      expect(p.signature).toBe(
        `sha256=${createHmac('sha256', SECRET).update(`${p.timestamp}.${p.body}`).digest('hex')}`,
      );
  });

  it("agents refuse the runner's key for a module its ACL does not weigh: the failure is an event too", async () => {
    const file = await runOnce('webshells');
    expect(file.filter((e) => e.event.dataset === 'mig.result')).toEqual([]);
    const ndjson = await readFile(join(fleet.dir, 'out', 'mig.ndjson'), 'utf8');
    expect(ndjson).toContain('ACL_WEIGHT_TOO_LOW');
  });
});
