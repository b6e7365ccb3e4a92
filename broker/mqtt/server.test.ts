import net from 'node:net';
import type { IClientOptions } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, MESSAGE_VERSION, OfflineMessageSchema } from '../../protocol/messages.js';
import { ALL_HEARTBEATS, ALL_RESULTS, commandsTopic, heartbeatTopic, resultsTopic } from '../../protocol/topics.js';
import { AGENT_USERNAME, SERVER_USERNAME, newSecret, serverClientId } from './credentials.js';
import { startBroker } from './server.js';
import {
  BrokerHarness,
  collect,
  grantedQos,
  nextMessage,
  refusalCode,
  type Received,
} from '../../test/helpers/broker/mqtt-harness.js';

const ONE = 'agent-one';
const TWO = 'agent-two';
const offline = (agentId: string): string =>
  JSON.stringify({ v: MESSAGE_VERSION, kind: 'offline', agentId, reason: 'lost' });

let h: BrokerHarness;
beforeEach(async () => {
  h = new BrokerHarness();
  await h.start();
});
afterEach(async () => {
  await h.teardown();
});

describe('startBroker', () => {
  it('listens on a free port and counts authenticated clients', async () => {
    expect(h.broker.port).toBeGreaterThan(0);
    expect(h.broker.url).toBe(`mqtt://127.0.0.1:${h.broker.port}`);
    await h.agent(ONE);
    await h.server();
    expect(h.broker.clientCount()).toBe(2);
  });

  it('closes with clients connected and frees the port', async () => {
    const agent = await h.agent(ONE);
    const closed = new Promise<void>((resolve) => agent.once('close', () => resolve()));
    await h.broker.close();
    await closed;
    const refused = await new Promise<string>((resolve) => {
      net
        .connect(h.broker.port, '127.0.0.1')
        .once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? ''))
        .once('connect', () => resolve('connected'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it.each([
    { name: 'empty enrollment secret', input: { enrollmentSecret: '', serverSecret: 'x' }, wantCode: 'CONFIG_INVALID' },
    { name: 'empty server secret', input: { enrollmentSecret: 'x', serverSecret: '' }, wantCode: 'CONFIG_INVALID' },
    {
      name: 'same secret for agents and server',
      input: { enrollmentSecret: 'same', serverSecret: 'same' },
      wantCode: 'CONFIG_INVALID',
    },
  ])('refuses to start: $name', async ({ input, wantCode }) => {
    await expect(startBroker({ port: 0, agentPasswordHash: () => undefined, ...input })).rejects.toMatchObject({
      code: wantCode,
    });
  });
});

describe('CONNECT', () => {
  const cases: { name: string; input: (h: BrokerHarness) => IClientOptions; wantCode: number }[] = [
    {
      name: 'agent with a wrong secret',
      input: () => ({ clientId: ONE, username: AGENT_USERNAME, password: newSecret() }),
      wantCode: 5,
    },
    {
      name: 'agent with the enrollment secret',
      input: (h) => ({ clientId: ONE, username: AGENT_USERNAME, password: h.enrollmentSecret }),
      wantCode: 5,
    },
    { name: 'agent without a password', input: () => ({ clientId: ONE, username: AGENT_USERNAME }), wantCode: 5 },
    { name: 'no credentials at all', input: () => ({ clientId: ONE }), wantCode: 4 },
    {
      name: 'unknown username',
      input: (h) => ({ clientId: ONE, username: 'root', password: h.enrollmentSecret }),
      wantCode: 4,
    },
    {
      name: 'server username with the enrollment secret',
      input: (h) => ({ clientId: serverClientId(), username: SERVER_USERNAME, password: h.enrollmentSecret }),
      wantCode: 4,
    },
    {
      name: 'agent id that is not an agent id',
      input: (h) => ({ clientId: 'Not_An_Id', username: AGENT_USERNAME, password: h.passwordOf(ONE) }),
      wantCode: 2,
    },
    {
      name: 'agent posing as a server client id',
      input: (h) => ({ clientId: serverClientId(), username: AGENT_USERNAME, password: h.passwordOf(ONE) }),
      wantCode: 2,
    },
    {
      name: 'server with a bad client id',
      input: (h) => ({ clientId: 'server-1', username: SERVER_USERNAME, password: h.serverSecret }),
      wantCode: 2,
    },
    {
      name: "agent whose will targets another agent's heartbeat",
      input: (h) => ({
        clientId: ONE,
        username: AGENT_USERNAME,
        password: h.passwordOf(ONE),
        will: { topic: heartbeatTopic(TWO), payload: Buffer.from(offline(TWO)), qos: 1, retain: false },
      }),
      wantCode: 5,
    },
    {
      name: 'agent whose will is a command',
      input: (h) => ({
        clientId: ONE,
        username: AGENT_USERNAME,
        password: h.passwordOf(ONE),
        will: { topic: commandsTopic(TWO), payload: Buffer.from('{}'), qos: 1, retain: false },
      }),
      wantCode: 5,
    },
  ];

  it.each(cases)('refuses $name', async ({ input, wantCode }) => {
    expect(await refusalCode(h.connect(input(h)))).toBe(wantCode);
    expect(h.logs.join('\n')).toContain('refused connection');
    expect(h.broker.clientCount()).toBe(0);
  });

  it("refuses a connection claiming a live agent's id with other credentials, and the live session stays", async () => {
    const live = await h.agent(ONE);
    let isKicked = false;
    live.on('close', () => (isKicked = true));
    expect(
      await refusalCode(h.connect({ clientId: ONE, username: AGENT_USERNAME, password: h.enrollmentSecret })),
    ).toBe(5);
    expect(await refusalCode(h.connect({ clientId: ONE, username: AGENT_USERNAME, password: newSecret() }))).toBe(5);
    expect(await refusalCode(h.enrollee(ONE))).toBe('connected');
    const server = await h.server();
    const got = nextMessage(live, commandsTopic(ONE));
    await live.subscribeAsync(commandsTopic(ONE), { qos: 1 });
    await server.publishAsync(commandsTopic(ONE), 'still mine', { qos: 1 });
    expect((await got).payload).toBe('still mine');
    expect(isKicked).toBe(false);
    expect(h.logs.filter((l) => l.includes(`refused connection of "${ONE}" (code 5)`))).toHaveLength(2);
  });

  it('rate-limits enrollment logins per address (CONNACK 3) but never an accepted agent', async () => {
    await h.start({ enrollRate: { burst: 2, perSecond: 0.001 } });
    expect(await refusalCode(h.enrollee('a-0123456789abcdef0123'))).toBe('connected');
    expect(await refusalCode(h.enrollee('a-0123456789abcdef0124', { password: 'wrong' }))).toBe(4);
    expect(await refusalCode(h.enrollee('a-0123456789abcdef0125'))).toBe(3);
    expect(await refusalCode(h.agent(ONE))).toBe('connected');
    expect(h.logs.join('\n')).toMatch(/refused enrollment connection from .*rate limit, 1 refused so far/);
  });

  it('accepts an agent with its will on its own heartbeat topic, and a server', async () => {
    await h.agent(ONE, {
      will: { topic: heartbeatTopic(ONE), payload: Buffer.from(offline(ONE)), qos: 1, retain: false },
    });
    await h.server();
    expect(h.broker.clientCount()).toBe(2);
  });
});

describe('SUBSCRIBE', () => {
  it.each([
    { name: 'agent: own commands', input: { as: 'agent', filter: commandsTopic(ONE) }, want: 1 },
    { name: "agent: another agent's commands", input: { as: 'agent', filter: commandsTopic(TWO) }, want: 128 },
    { name: 'agent: every commands topic', input: { as: 'agent', filter: 'mig/agents/+/commands' }, want: 128 },
    { name: 'agent: all results', input: { as: 'agent', filter: ALL_RESULTS }, want: 128 },
    { name: 'agent: everything', input: { as: 'agent', filter: '#' }, want: 128 },
    { name: 'agent: $SYS', input: { as: 'agent', filter: '$SYS/#' }, want: 128 },
    { name: 'server: all results', input: { as: 'server', filter: ALL_RESULTS }, want: 1 },
    { name: 'server: every commands topic', input: { as: 'server', filter: 'mig/agents/+/commands' }, want: 128 },
    { name: "server: an agent's commands", input: { as: 'server', filter: commandsTopic(ONE) }, want: 128 },
    { name: 'server: everything', input: { as: 'server', filter: '#' }, want: 128 },
  ] as const)('$name is granted $want', async ({ input, want }) => {
    const client = input.as === 'agent' ? await h.agent(ONE) : await h.server();
    expect(await grantedQos(client, input.filter)).toEqual([want]);
    // A refused subscription leaves the client connected and able to go on.
    const next = input.as === 'agent' ? commandsTopic(ONE) : ALL_HEARTBEATS;
    expect(await grantedQos(client, next)).toEqual([1]);
    expect(client.connected).toBe(true);
  });

  it('refuses part of a SUBSCRIBE and never delivers the refused part, even from the offline queue', async () => {
    const first = await h.agent(ONE, { clean: false });
    expect(await grantedQos(first, [commandsTopic(ONE), commandsTopic(TWO)])).toEqual([1, 128]);
    await first.endAsync();
    // aedes would persist the refused filter along with the granted one and queue this for
    // agent-one; the store guard keeps it out (authorizeForward would only drop it later).
    const server = await h.server();
    await server.publishAsync(commandsTopic(TWO), 'not-yours', { qos: 1 });
    await server.publishAsync(commandsTopic(ONE), 'yours', { qos: 1 });

    let got: Received[] = [];
    let own: Promise<Received> | undefined;
    await h.agent(ONE, { clean: false }, (client) => {
      got = collect(client);
      own = nextMessage(client, commandsTopic(ONE));
    });
    await own;
    expect(got.map((m) => m.payload)).toEqual(['yours']);
    expect(h.logs.join('\n')).not.toContain('dropped delivery');
  });
});

describe('PUBLISH refusals', () => {
  it.each([
    { name: "another agent's results", input: resultsTopic(TWO) },
    { name: "another agent's heartbeat", input: heartbeatTopic(TWO) },
    { name: 'a command to another agent', input: commandsTopic(TWO) },
    { name: 'a command to itself', input: commandsTopic(ONE) },
    { name: 'a $SYS topic', input: '$SYS/broker/fake' },
  ])('agent publishing $name is disconnected and nobody gets it', async ({ input }) => {
    const server = await h.server();
    await server.subscribeAsync([ALL_RESULTS, ALL_HEARTBEATS], { qos: 1 });
    const two = await h.agent(TWO);
    await two.subscribeAsync(commandsTopic(TWO), { qos: 1 });
    const toServer = collect(server);
    const toTwo = collect(two);

    const one = await h.agent(ONE);
    const closed = new Promise<void>((resolve) => one.once('close', () => resolve()));
    one.publish(input, 'forged', { qos: 1 });
    await closed;

    // Markers sent after the refusal: when they arrive, the forged message would have too.
    const markerToServer = nextMessage(server, resultsTopic(TWO));
    const markerToTwo = nextMessage(two, commandsTopic(TWO));
    await two.publishAsync(resultsTopic(TWO), 'marker', { qos: 1 });
    await server.publishAsync(commandsTopic(TWO), 'marker', { qos: 1 });
    await Promise.all([markerToServer, markerToTwo]);
    expect(toServer).toEqual([{ topic: resultsTopic(TWO), payload: 'marker' }]);
    expect(toTwo).toEqual([{ topic: commandsTopic(TWO), payload: 'marker' }]);
    expect(h.logs.join('\n')).toContain('refused publish by "agent-one"');
  });

  it('disconnects a QoS 2 publish even on an allowed topic', async () => {
    const one = await h.agent(ONE);
    const closed = new Promise<void>((resolve) => one.once('close', () => resolve()));
    one.publish(resultsTopic(ONE), 'x', { qos: 2 });
    await closed;
    expect(h.logs.join('\n')).toContain('QoS 2 is not used');
  });
});

describe('delivery', () => {
  it('carries a command from the server to the right agent only', async () => {
    const one = await h.agent(ONE);
    const two = await h.agent(TWO);
    await one.subscribeAsync(commandsTopic(ONE), { qos: 1 });
    await two.subscribeAsync(commandsTopic(TWO), { qos: 1 });
    const toOne = collect(one);
    const server = await h.server();
    const atTwo = nextMessage(two, commandsTopic(TWO));
    await server.publishAsync(commandsTopic(TWO), '{"kind":"command"}', { qos: 1 });
    expect(await atTwo).toEqual({ topic: commandsTopic(TWO), payload: '{"kind":"command"}' });
    // Then one for agent-one, so its list is complete when checked.
    const atOne = nextMessage(one, commandsTopic(ONE));
    await server.publishAsync(commandsTopic(ONE), 'for-one', { qos: 1 });
    await atOne;
    expect(toOne.map((m) => m.payload)).toEqual(['for-one']);
  });

  it.each([
    { name: 'results', input: resultsTopic(ONE), filter: ALL_RESULTS },
    { name: 'heartbeat', input: heartbeatTopic(ONE), filter: ALL_HEARTBEATS },
    { name: 'results via a shared subscription', input: resultsTopic(ONE), filter: `$share/servers/${ALL_RESULTS}` },
    {
      name: 'heartbeat via a shared subscription',
      input: heartbeatTopic(ONE),
      filter: `$share/servers/${ALL_HEARTBEATS}`,
    },
  ])('carries an agent’s $name to the server', async ({ input, filter }) => {
    const server = await h.server();
    expect(await grantedQos(server, filter)).toEqual([1]);
    const agent = await h.agent(ONE);
    const got = nextMessage(server, input);
    await agent.publishAsync(input, 'payload', { qos: 1 });
    expect(await got).toEqual({ topic: input, payload: 'payload' });
  });

  it('does not keep retained messages', async () => {
    const agent = await h.agent(ONE);
    await agent.publishAsync(heartbeatTopic(ONE), 'old', { qos: 1, retain: true });
    const server = await h.server();
    const got = collect(server);
    await server.subscribeAsync(ALL_HEARTBEATS, { qos: 1 });
    const fresh = nextMessage(server, heartbeatTopic(ONE));
    await agent.publishAsync(heartbeatTopic(ONE), 'new', { qos: 1 });
    await fresh;
    expect(got.map((m) => m.payload)).toEqual(['new']);
  });

  it("publishes an agent's last will when its socket dies", async () => {
    const server = await h.server();
    await server.subscribeAsync(ALL_HEARTBEATS, { qos: 1 });
    const agent = await h.agent(ONE, {
      will: { topic: heartbeatTopic(ONE), payload: Buffer.from(offline(ONE)), qos: 1, retain: false },
    });
    const got = nextMessage(server, heartbeatTopic(ONE));
    agent.stream.destroy();
    const will = await got;
    expect(OfflineMessageSchema.parse(JSON.parse(will.payload))).toEqual({
      v: 1,
      kind: 'offline',
      agentId: ONE,
      reason: 'lost',
    });
  });

  it("publishes an agent's last will when it goes silent with its connection open", async () => {
    // What a hung agent or a vanished host looks like: no FIN, just no packets. The broker's
    // keepalive (1.5 times the client's) is what marks it lost, whatever the heartbeat interval.
    const server = await h.server();
    await server.subscribeAsync(ALL_HEARTBEATS, { qos: 1 });
    const agent = await h.agent(ONE, {
      keepalive: 1,
      will: { topic: heartbeatTopic(ONE), payload: Buffer.from(offline(ONE)), qos: 1, retain: false },
    });
    const got = nextMessage(server, heartbeatTopic(ONE));
    agent.keepaliveManager.destroy(); // no more PINGREQs; the socket stays open
    const will = await got;
    expect(OfflineMessageSchema.parse(JSON.parse(will.payload))).toMatchObject({ agentId: ONE, reason: 'lost' });
  });

  it('queues a QoS 1 command for an offline agent with a persistent session', async () => {
    const first = await h.agent(ONE, { clean: false });
    await first.subscribeAsync(commandsTopic(ONE), { qos: 1 });
    await first.endAsync();
    const server = await h.server();
    await server.publishAsync(commandsTopic(ONE), 'while-offline', { qos: 1 });

    // No new SUBSCRIBE: the broker restores the session and delivers what it queued.
    let got: Promise<Received> | undefined;
    await h.agent(ONE, { clean: false }, (client) => {
      got = nextMessage(client, commandsTopic(ONE));
    });
    expect((await got)?.payload).toBe('while-offline');
  });
});

describe('connection limits', () => {
  it.each([
    {
      name: 'a payload one byte over the cap',
      input: MAX_MESSAGE_BYTES + 1,
      want: `payload of ${MAX_MESSAGE_BYTES + 1} bytes`,
    },
    { name: 'a packet far over the cap', input: MAX_MESSAGE_BYTES + 128 * 1024, want: 'connection cut: packet of' },
  ])('disconnects an agent publishing $name', async ({ input, want }) => {
    const server = await h.server();
    await server.subscribeAsync(ALL_RESULTS, { qos: 1 });
    const got = collect(server);
    const agent = await h.agent(ONE);
    const closed = new Promise<void>((resolve) => agent.once('close', () => resolve()));
    agent.publish(resultsTopic(ONE), Buffer.alloc(input, 0x61), { qos: 1 });
    await closed;
    expect(h.logs.join('\n')).toContain(want);
    const marker = nextMessage(server, resultsTopic(TWO));
    await (await h.agent(TWO)).publishAsync(resultsTopic(TWO), 'marker', { qos: 1 });
    await marker;
    expect(got.map((m) => m.payload)).toEqual(['marker']);
  });

  it('cuts a client that announces an oversized packet before CONNECT', async () => {
    const socket = net.connect(h.broker.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    // CONNECT announcing 256 MiB (remaining length 0xffffff7f), then a first slice of it.
    socket.write(Buffer.concat([Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(1024)]));
    await closed;
    expect(h.logs.join('\n')).toContain('connection cut: packet of 268435455 bytes');
  });
});
