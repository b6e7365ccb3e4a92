// The core promise, end to end with real processes: `mig server`, three `mig agent`s with their
// own roots and tags, and `mig file` from an investigator's key. Also the broker's ACL with a
// real MQTT client holding the fleet secret, and a server killed and restarted mid-hunt.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsTopic } from '../../protocol/topics.js';
import {
  startAgents,
  startFleetServer,
  stopFleet,
  waitForOnlineAgents,
  type Fleet,
  type HostSpec,
} from '../helpers/fleet.js';
import { runMig, type MigProcess } from '../helpers/mig-process.js';

const WEBSHELL = '<?php eval($_POST["c"]); ?>\n';
const WEBSHELL_SHA256 = createHash('sha256').update(WEBSHELL).digest('hex');

const HOSTS: HostSpec[] = [
  {
    name: 'web-prod-1',
    tags: { env: 'prod' },
    files: { '/srv/www/index.php': '<?php echo 1;\n', '/srv/www/up/shell.php': WEBSHELL },
  },
  { name: 'web-prod-2', tags: { env: 'prod' }, files: { '/srv/www/index.php': '<?php echo 2;\n' } },
  { name: 'web-staging', tags: { env: 'staging' }, files: { '/srv/www/tmp/shell.php': WEBSHELL } },
];

/** Confirmed, every agent's answer (found or not), as JSON. */
const EVERY_ANSWER_AS_JSON = ['-y', '-render', 'json', '-show', 'all'];

interface JsonEntry {
  agent: string;
  found: boolean;
  row?: { path?: string; sha256?: string };
}

// Alike on purpose (duplicates): the describe-level fleet variables and beforeAll opening match
// ioc.test.ts; vitest needs them declared per describe, and the steps are shared helpers.
describe('signed file hunt across three agents', () => {
  let fleet: Fleet;
  let server: MigProcess;
  const agents: MigProcess[] = [];

  beforeAll(async () => {
    ({ fleet, server } = await startFleetServer());
    await startAgents(fleet, HOSTS, agents);
  }, 60_000);

  afterAll(() => stopFleet(agents, server, fleet));

  it('finds the planted web shell only on the targeted agents', async () => {
    const res = await runMig(
      [
        'file',
        '-t',
        "tags->>'env' = 'prod'",
        '-path',
        '/srv',
        '-name',
        '\\.php$',
        '-sha2',
        WEBSHELL_SHA256,
        ...EVERY_ANSWER_AS_JSON,
      ],
      fleet.env,
    );
    expect(res.stderr).toMatch(/2 agents match the target/);
    expect(res.code).toBe(0);
    const entries = JSON.parse(res.stdout) as JsonEntry[];
    const found = entries.filter((e) => e.found);
    expect(found.map((e) => [e.agent, e.row?.path])).toEqual([['web-prod-1', '/srv/www/up/shell.php']]);
    expect(entries.map((e) => e.agent).sort()).toEqual(['web-prod-1', 'web-prod-2']);
  });

  it('exits 1 when nothing is found', async () => {
    const res = await runMig(['file', '-t', "name = 'web-prod-2'", '-path', '/srv', '-name', 'shell', '-y'], fleet.env);
    expect(res.code).toBe(1);
  });

  it('re-targets the agents that found something with -target-found', async () => {
    const first = await runMig(
      ['file', '-t', 'all', '-path', '/srv', '-sha2', WEBSHELL_SHA256, '-y', '-render', 'json'],
      fleet.env,
    );
    expect(first.code).toBe(0);
    const actionId = /launched action ([0-9a-f]{32,64})/.exec(first.stderr)?.[1];
    expect(actionId).toBeDefined();
    const second = await runMig(
      [
        'file',
        '-t',
        'all',
        '-target-found',
        actionId ?? '',
        '-path',
        '/srv',
        '-name',
        'index',
        ...EVERY_ANSWER_AS_JSON,
      ],
      fleet.env,
    );
    expect(second.stderr).toMatch(/2 agents match the target/);
    const names = (JSON.parse(second.stdout) as JsonEntry[]).map((e) => e.agent).sort();
    expect(names).toEqual(['web-prod-1', 'web-staging']);
  });

  it("lets no client holding the fleet secret log in as an agent, read another agent's commands or publish commands", async () => {
    const online = await waitForOnlineAgents(fleet, 3);
    const victim = online[0]?.id ?? '';
    const secret = (
      JSON.parse(await readFile(join(fleet.serverDir, 'agent.json'), 'utf8')) as { enrollmentSecret: string }
    ).enrollmentSecret;
    const url = `mqtt://127.0.0.1:${fleet.mqttPort}`;
    // The secret alone no longer admits an agent session, under the victim's id or any other.
    for (const clientId of [victim, 'a-intruder0000000000']) {
      const refused = await mqtt
        .connectAsync(url, {
          protocolVersion: 4,
          clientId,
          username: 'mig-agent',
          password: secret,
          reconnectPeriod: 0,
        })
        .then(
          async (c) => (await c.endAsync(true), 'connected'),
          (err: { code?: number }) => err.code,
        );
      expect(refused).toBe(5);
    }
    // It admits an enrollee, which may touch nothing but its own enrollment topics.
    const intruder = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `mig-enroll-${victim}-0badcafe`,
      username: 'mig-enroll',
      password: secret,
      reconnectPeriod: 0,
    });
    try {
      // mqtt.js turns a SUBACK return code of 128 (refused) into this error.
      await expect(intruder.subscribeAsync(commandsTopic(victim), { qos: 1 })).rejects.toThrow(/Subscribe error/);
      expect(intruder.connected).toBe(true); // refused, not disconnected
      const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
      intruder.publish(commandsTopic(victim), '{"v":1,"kind":"command"}', { qos: 1 });
      await closed; // the broker disconnects a client that publishes where it may not
    } finally {
      await intruder.endAsync(true);
    }
  });
});
