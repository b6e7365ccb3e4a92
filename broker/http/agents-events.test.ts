import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AgentCountSchema,
  AgentListSchema,
  AgentRecordSchema,
  LiveEventSchema,
  type LiveEvent,
} from '../../protocol/api.js';
import { heartbeatTopic } from '../../protocol/topics.js';
import { signedAction } from '../../test/helpers/actions.js';
import { readEventBlocks } from '../../test/helpers/broker/event-stream.js';
import { errorCode, ServerHarness, waitFor } from '../../test/helpers/broker/harness.js';

// Alike on purpose (duplicates): a fresh ServerHarness per test through vitest hooks, as in ioc.test.ts and
// (BrokerHarness) broker/mqtt/server.test.ts; a helper would trade these hooks for a getter at every use of the
// harness.
let h: ServerHarness;
beforeEach(async () => {
  h = new ServerHarness();
  await h.start();
});
afterEach(async () => {
  await h.teardown();
});

/** Agent names (fake agents are named by their label; their ids derive from their keys). */
const ids = (body: unknown): string[] => AgentListSchema.parse(body).agents.map((a) => a.name);

describe('GET /agents', () => {
  beforeEach(async () => {
    await h.agent('web-1', { tags: { role: 'web' }, os: 'linux' });
    await h.agent('web-2', { tags: { role: 'web' }, os: 'darwin' });
    await h.agent('db-1', { tags: { role: 'db' }, os: 'linux' });
  });

  it.each([
    { name: 'everything', query: '', want: ['db-1', 'web-1', 'web-2'] },
    { name: 'a tag', query: `?target=${encodeURIComponent("tags->>'role' = 'web'")}`, want: ['web-1', 'web-2'] },
    {
      name: 'os and tag',
      query: `?target=${encodeURIComponent("os = 'linux' and tags->>'role' = 'web'")}`,
      want: ['web-1'],
    },
    {
      name: 'status',
      query: `?target=${encodeURIComponent("status = 'online'")}&status=online`,
      want: ['db-1', 'web-1', 'web-2'],
    },
    { name: 'a page', query: '?limit=1&offset=1', want: ['web-1'] },
  ])('filters by $name', async ({ query, want }) => {
    const res = await h.api('GET', `/agents${query}`);
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(want);
  });

  it('counts by status as heartbeats age (manual clock) and on an offline notice', async () => {
    const count = async () => AgentCountSchema.parse((await h.api('GET', '/agents/count')).body);
    expect(await count()).toEqual({ total: 3, online: 3, idle: 0, offline: 0 });
    h.clock.advance(61_000);
    const web1 = await h.agent('web-1', false);
    await web1.heartbeat({ tags: { role: 'web' } });
    await waitFor(async () => (await count()).online === 1, 'web-1 online again');
    expect(await count()).toEqual({ total: 3, online: 1, idle: 2, offline: 0 });
    await web1.publishRaw(
      heartbeatTopic(web1.id),
      JSON.stringify({ v: 1, kind: 'offline', agentId: web1.id, reason: 'shutdown' }),
    );
    await waitFor(async () => (await count()).offline === 1, 'web-1 offline');
    h.clock.advance(300_000);
    expect(await count()).toEqual({ total: 3, online: 0, idle: 0, offline: 3 });
  });

  it('targets found() of an earlier action', async () => {
    const agents = await Promise.all(['web-1', 'web-2', 'db-1'].map((id) => h.agent(id, false)));
    const signed = await signedAction(['alice']);
    await h.submit(signed);
    await waitFor(() => agents.every((a) => a.commands.length > 0), 'commands');
    await Promise.all(
      agents.map((a) => a.answer(a.commands[0]?.commandId ?? '', { isFound: a.identity.label !== 'db-1' })),
    );
    await waitFor(
      async () => ((await h.api('GET', `/actions/${signed.id}`)).body as { status: string }).status === 'completed',
      'completion',
    );
    expect(ids((await h.api('GET', `/agents?target=${encodeURIComponent(`found('${signed.id}')`)}`)).body)).toEqual([
      'web-1',
      'web-2',
    ]);
    expect(ids((await h.api('GET', `/agents?target=${encodeURIComponent(`notfound('${signed.id}')`)}`)).body)).toEqual([
      'db-1',
    ]);
  });

  it('refuses a target that does not parse', async () => {
    const res = await h.api('GET', `/agents?target=${encodeURIComponent('os ==')}`);
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 400, code: 'TARGET_PARSE' });
  });

  it("drops a heartbeat naming another agent (forged) on an agent's own topic", async () => {
    const web1 = await h.agent('web-1', false);
    await web1.heartbeat({ agentId: 'evil-1' });
    await waitFor(() => h.logs.some((l) => l.includes('naming evil-1')), 'drop log');
    expect((await h.api('GET', '/agents/evil-1')).status).toBe(404);
    expect(AgentRecordSchema.parse((await h.api('GET', `/agents/${web1.id}`)).body).tags).toEqual({ role: 'web' });
  });
});

describe('GET /events', () => {
  it('streams action and command events, with pings, for one action', async () => {
    const agent = await h.agent('agent-a');
    const signed = await signedAction(['alice'], { expireAfter: new Date(h.clock.now().getTime() + 600_000) });
    const other = await signedAction(['alice']);
    const controller = new AbortController();
    const res = await fetch(`${h.server.httpUrl}/events?actionId=${signed.id}`, {
      headers: { authorization: await h.token('alice') },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const got: LiveEvent[] = [];
    let pings = 0;
    const reading = readEventBlocks(res, (block) => {
      if (block.startsWith('data: ')) got.push(LiveEventSchema.parse(JSON.parse(block.slice(6))));
      if (block === ': ping') pings += 1;
    });

    await h.submit(other);
    await h.submit(signed);
    await waitFor(() => agent.commands.length === 2, 'commands');
    const cmd = agent.commands.find((c) => (JSON.parse(c.action) as { id?: unknown }).id === signed.id);
    await agent.answer(cmd?.commandId ?? '', { isFound: true });
    await waitFor(() => got.some((e) => e.type === 'action' && e.action.status === 'completed'), 'completed event');
    await waitFor(() => pings > 0, 'a ping comment');
    controller.abort();
    await reading;

    expect(got.some((e) => e.type === 'command' && e.command.status === 'success' && e.command.isFound === true)).toBe(
      true,
    );
    expect(
      got.every(
        (e) => e.type !== 'agent' && (e.type === 'action' ? e.action.action.id : e.command.actionId) === signed.id,
      ),
    ).toBe(true);
  });

  it('refuses a stream without a token', async () => {
    const res = await h.api('GET', '/events', { authorization: null });
    expect({ status: res.status, code: errorCode(res) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
