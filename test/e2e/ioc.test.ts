// Threat-intel hunts end to end with real processes: `mig server`, two `mig agent`s with their
// own roots, and `mig ioc hunt|import` run from the repository's demo feeds.
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKDOOR_CONTENT, BACKDOOR_PATH, WEBSHELL_CONTENT, WEBSHELL_PATH, WEBSHELL_SHA256 } from '../../demo/iocs.js';
import { startAgents, startFleetServer, stopFleet, type Fleet, type HostSpec } from '../helpers/fleet.js';
import { runMig, type MigProcess } from '../helpers/mig-process.js';

const FEEDS = new URL('../../demo/feeds/', import.meta.url).pathname;
const WEBSHELL_INDICATOR = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';
const BACKDOOR_INDICATOR = 'indicator--b3f1c7a0-6a57-4f0e-9f59-1c6f3b3f0a11';

interface IocJsonRow {
  agent: string;
  found: boolean;
  indicatorId: string | null;
  indicatorName: string | null;
  kind: string | null;
  where: string | null;
}

describe('mig ioc against two agents', { timeout: 180_000 }, () => {
  let fleet: Fleet;
  let server: MigProcess;
  const agents: MigProcess[] = [];

  beforeAll(async () => {
    ({ fleet, server } = await startFleetServer());
    const hosts: HostSpec[] = [
      {
        name: 'web-1',
        tags: {},
        files: {
          [WEBSHELL_PATH]: WEBSHELL_CONTENT,
          [BACKDOOR_PATH]: BACKDOOR_CONTENT,
          '/var/www/html/index.php': '<?php echo 1;\n',
        },
      },
      {
        name: 'web-2',
        tags: {},
        files: { '/var/www/html/index.php': '<?php echo 2;\n', '/usr/bin/.sshd-helper': 'same name, other bytes\n' },
      },
    ];
    await startAgents(fleet, hosts, agents);
  }, 120_000);

  afterAll(() => stopFleet(agents, server, fleet));

  /** `mig ioc hunt` of a demo feed over both hosts' web and binary folders, confirmed. */
  const huntFeed = (feed: string, target: string, ...extra: string[]) =>
    runMig(
      ['ioc', 'hunt', join(FEEDS, feed), '-t', target, '-path', '/var/www', '-path', '/usr/bin', '-y', ...extra],
      fleet.env,
    );

  it('hunts a STIX bundle: each row names its indicator, what cannot be hunted is listed', async () => {
    const res = await huntFeed('demo-iocs.stix.json', "name LIKE 'web-%'", '-render', 'json');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(
      /not hunted: indicator--0f6c1d8e-2b1e-4d59-a8a5-7d0c51e8c9a2 "Command and control server": part not hunted: domain-name:value/,
    );
    expect(res.stderr).toMatch(/not hunted: indicator--41b7e5a6-3c2f-4f5e-8d1a-0e9b7c6d5f43 .*FOLLOWEDBY/);
    expect(res.stderr).toMatch(/1 action: file\+netstat/);
    const rows = (JSON.parse(res.stdout) as IocJsonRow[]).filter((r) => r.indicatorId !== null);
    expect(rows.map((r) => [r.agent, r.indicatorId, r.where]).sort()).toEqual([
      ['web-1', WEBSHELL_INDICATOR, WEBSHELL_PATH],
      ['web-1', BACKDOOR_INDICATOR, BACKDOOR_PATH],
    ]);
    expect(rows.find((r) => r.indicatorId === WEBSHELL_INDICATOR)?.indicatorName).toBe(
      'PHP web shell dropped by the upload exploit',
    );
  });

  it('hunts a plain list and a YARA file, in CSV and text', async () => {
    const list = await huntFeed('demo-iocs.txt', 'all', '-render', 'csv');
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\r\n');
    expect(lines[0]).toBe(
      'agent,agentId,status,found,indicatorId,indicatorName,kind,value,module,where,error,warnings',
    );
    // The file name alone matches on both hosts; the hash only on web-1.
    expect(
      lines
        .filter((l) => l.includes(',filename,'))
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(['web-1', 'web-2']);
    expect(lines.filter((l) => l.includes(`,sha256,${WEBSHELL_SHA256},`)).map((l) => l.split(',')[0])).toEqual([
      'web-1',
    ]);
    expect(list.stderr).toMatch(/not hunted: line-6 "update.evil.example": a host name/);

    const yara = await huntFeed('demo-iocs.yar', 'all');
    expect(yara.code, yara.stderr).toBe(0);
    expect(yara.stdout.trim().split('\n').sort()).toEqual([
      `web-1 ${BACKDOOR_PATH} yara:demo_sshd_helper demo_sshd_helper`,
      `web-1 ${WEBSHELL_PATH} yara:demo_php_webshell demo_php_webshell`,
    ]);
  });

  it('imports a feed as unsigned action files that sign and launch like any other', async () => {
    const feed = join(fleet.dir, 'feed.txt');
    await copyFile(join(FEEDS, 'demo-iocs.txt'), feed);
    const out = join(fleet.dir, 'ioc-actions');
    const imported = await runMig(
      ['ioc', 'import', feed, '-o', out, '-t', "name = 'web-1'", '-path', '/var/www'],
      fleet.env,
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['indicators.json', 'ioc-1.json']);
    const map = JSON.parse(await readFile(join(out, 'indicators.json'), 'utf8')) as {
      untranslated: { id: string }[];
      actions: { indicators: { id: string }[] }[];
    };
    expect(map.untranslated.map((u) => u.id)).toEqual(['line-6']);
    expect(map.actions[0]?.indicators.map((i) => i.id)).toEqual(['line-3', 'line-4', 'line-5']);
    expect((await runMig(['action', 'sign', join(out, 'ioc-1.json')], fleet.env)).code).toBe(0);
    const launched = await runMig(['action', 'launch', join(out, 'ioc-1.json'), '-y'], fleet.env);
    expect(launched.code, launched.stderr).toBe(0);
    expect(launched.stdout).toContain(WEBSHELL_PATH);
  });

  it('refuses a feed with nothing to hunt, and bad flags, with clear errors', async () => {
    const feed = join(fleet.dir, 'domains.txt');
    await copyFile(join(FEEDS, 'demo-iocs.txt'), feed);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(feed, 'evil.example.com\nhttps://x.example/\n');
    const empty = await runMig(['ioc', 'hunt', feed, '-t', 'all', '-y'], fleet.env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no indicator could be translated into a hunt/);
    const badPath = await runMig(
      ['ioc', 'hunt', join(FEEDS, 'demo-iocs.txt'), '-path', 'relative/dir', '-y'],
      fleet.env,
    );
    expect(badPath.code).toBe(2);
    expect(badPath.stderr).toMatch(/-path/);
  });
});
