import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActionRecordSchema, AgentListSchema, CommandListSchema, type ActionRecord } from '../protocol/api.js';
import { encodeToken, newTokenPayload } from '../protocol/auth-token.js';
import { newActionId } from '../protocol/canonical.js';
import { signDetached } from '../protocol/signature.js';
import { signAs } from '../test/helpers/actions.js';
import { armoredPublicKey, fingerprint, privateKey } from '../test/helpers/keys.js';
import { cardHunts, cardTargets, huntArgv, renderCard } from './card.js';
import { buildScenario } from './scenario.js';
import { startDemo, type RunningDemo } from './start.js';
import { huntFromArgv } from '../test/helpers/demo.js';

const ALICE = { name: 'alice', publicKey: armoredPublicKey('alice') };

async function aliceToken(): Promise<string> {
  const { bytes } = newTokenPayload(await fingerprint('alice'), new Date());
  return encodeToken(bytes, await signDetached(bytes, await privateKey('alice')));
}

async function api(
  demo: RunningDemo,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { authorization: await aliceToken() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${demo.httpUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

async function waitDone(demo: RunningDemo, actionId: string): Promise<ActionRecord> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const record = ActionRecordSchema.parse((await api(demo, 'GET', `/actions/${actionId}`)).body);
    if (record.status !== 'pending' && record.status !== 'inflight') return record;
    if (Date.now() > deadline) throw new Error(`action ${actionId} still ${record.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startDemo, end to end over the real server and agents', () => {
  const scenario = buildScenario(6);
  const hunts = cardHunts(scenario);
  const actionIds: Record<string, string> = {};
  let base = '';
  let demo: RunningDemo;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'mig-demo-start-'));
    demo = await startDemo({ dir: join(base, 'demo'), hosts: 6, investigator: ALICE, authorize: aliceToken });
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('registers one agent per host with the scenario facts and returns its card', async () => {
    expect(demo.hosts).toEqual(scenario.hosts.map((h) => h.name));
    expect(demo.card).toBe(renderCard(scenario));
    const { agents } = AgentListSchema.parse((await api(demo, 'GET', '/agents?target=all&limit=100')).body);
    expect(agents.map((a) => a.name).sort()).toEqual([...demo.hosts].sort());
    for (const host of scenario.hosts) {
      const agent = agents.find((a) => a.name === host.name);
      expect(agent?.status).toBe('online');
      expect(agent?.tags).toEqual(host.tags);
      expect(agent?.environment).toMatchObject({
        ident: host.os.pretty,
        hostname: host.name,
        addresses: host.addresses,
      });
    }
  });

  // In card order: the -target-found hunt needs the action id of the one before.
  it.each(hunts.map((hunt) => ({ name: hunt.id, hunt })))(
    'launches hunt $name and finds exactly the card answer',
    async ({ hunt }) => {
      const { target, operations } = huntFromArgv(huntArgv(hunt, hunts, actionIds));
      const now = Date.now();
      const action = await signAs(
        {
          v: 1,
          id: newActionId(),
          name: `demo ${hunt.id}`,
          target,
          validFrom: new Date(now - 1000).toISOString(),
          expireAfter: new Date(now + 120_000).toISOString(),
          operations,
        },
        ['alice'],
      );
      const created = await api(demo, 'POST', '/actions', action);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      actionIds[hunt.id] = action.id;
      const record = await waitDone(demo, action.id);
      expect(record.status).toBe('completed');
      expect(record.counters.failed).toBe(0);
      const { commands } = CommandListSchema.parse(
        (await api(demo, 'GET', `/actions/${action.id}/commands?found=true&limit=200`)).body,
      );
      expect(commands.map((c) => c.agentName).sort()).toEqual(hunt.expected);
    },
  );

  it.each(cardTargets(scenario).map((t) => ({ name: t.target, t })))(
    'selects the card agents for $name',
    async ({ t }) => {
      const { agents } = AgentListSchema.parse(
        (await api(demo, 'GET', `/agents?target=${encodeURIComponent(t.target)}&limit=200`)).body,
      );
      expect(agents.map((a) => a.name).sort()).toEqual(t.expected);
    },
  );
});

describe('startDemo, its directory and inputs', () => {
  let base = '';
  const running: RunningDemo[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.close()));
    rmSync(base, { recursive: true, force: true });
  });

  it.each([
    { name: 'too few hosts', input: 2, wantCode: 'BAD_REQUEST' },
    { name: 'too many hosts', input: 201, wantCode: 'BAD_REQUEST' },
  ])('refuses $name', async ({ input, wantCode }) => {
    base = mkdtempSync(join(tmpdir(), 'mig-demo-start-'));
    await expect(startDemo({ dir: join(base, 'demo'), hosts: input, investigator: ALICE })).rejects.toMatchObject({
      code: wantCode,
    });
  });

  it('refuses to wipe a directory it did not make, and leaves it alone', async () => {
    base = mkdtempSync(join(tmpdir(), 'mig-demo-start-'));
    mkdirSync(join(base, 'precious'));
    writeFileSync(join(base, 'precious', 'thesis.tex'), 'years of work\n');
    await expect(startDemo({ dir: join(base, 'precious'), hosts: 3, investigator: ALICE })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(readdirSync(join(base, 'precious'))).toEqual(['thesis.tex']);
    expect(readFileSync(join(base, 'precious', 'thesis.tex'), 'utf8')).toBe('years of work\n');
  });

  it('starts again over its own earlier directory, and close() is idempotent', async () => {
    base = mkdtempSync(join(tmpdir(), 'mig-demo-start-'));
    const dir = join(base, 'demo');
    const first = await startDemo({ dir, hosts: 3, investigator: ALICE });
    await first.close();
    await first.close();
    const second = await startDemo({ dir, hosts: 4, investigator: ALICE, authorize: aliceToken });
    running.push(second);
    const { agents } = AgentListSchema.parse((await api(second, 'GET', '/agents?target=all')).body);
    // Wiped: the three agents of the first run are not in the registry any more.
    expect(agents.map((a) => a.name).sort()).toEqual([...second.hosts].sort());
  });
});
