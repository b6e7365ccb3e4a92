// The embedded server's in-process link: same contract as the MQTT link (results delivered in
// groups, each done only once stored; commands published with QoS 1 into agents' sessions).
// A real aedes broker on port 0 and real mqtt.js clients.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { commandsTopic, heartbeatTopic, resultsTopic } from '../../protocol/topics.js';
import { connectLocalLink } from './local-link.js';
import type { LinkMessage, ServerLink } from './server-link.js';

let broker: Aedes;
let server: Server;
let url: string;
let link: ServerLink | undefined;
const clients: MqttClient[] = [];

beforeEach(async () => {
  broker = await Aedes.createBroker({ concurrency: 0 });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `mqtt://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await link?.close();
  link = undefined;
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function agent(id: string, clean = true): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: id, clean });
  clients.push(client);
  return client;
}

it('delivers results and heartbeats in groups, and a delivery is done only once its group is stored', async () => {
  const groups: Array<{ messages: LinkMessage[]; resolve: () => void }> = [];
  link = await connectLocalLink({
    broker,
    log: () => undefined,
    onMessages: (messages) => new Promise((resolve) => groups.push({ messages, resolve })),
  });
  const a = await agent('agent-aaa');
  await a.publishAsync(heartbeatTopic('agent-aaa'), 'beat', { qos: 1 });
  await waitFor(() => groups.length === 1, 'the heartbeat');
  // aedes' own publish path reports completion after every subscriber is done with it.
  let isPublished = false;
  broker.publish(
    {
      cmd: 'publish',
      topic: resultsTopic('agent-aaa'),
      payload: Buffer.from('result'),
      qos: 1,
      retain: false,
      dup: false,
    },
    () => (isPublished = true),
  );
  await waitFor(() => link?.unacknowledged() === 2, 'the result to be taken');
  expect(isPublished).toBe(false);
  groups[0]?.resolve();
  await waitFor(() => groups.length === 2, 'the second group');
  expect(isPublished).toBe(false);
  expect(groups[1]?.messages.map((m) => [m.topic, m.payload.toString()])).toEqual([
    [resultsTopic('agent-aaa'), 'result'],
  ]);
  groups[1]?.resolve();
  await waitFor(() => isPublished, 'the publish to complete');
  expect(link.unacknowledged()).toBe(0);
});

it("publishes commands with QoS 1 into agents' sessions, online or not", async () => {
  link = await connectLocalLink({ broker, log: () => undefined, onMessages: async () => undefined });
  const online = await agent('agent-on');
  const got: string[] = [];
  online.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
  await online.subscribeAsync(commandsTopic('agent-on'), { qos: 1 });
  const away = await agent('agent-off', false);
  await away.subscribeAsync(commandsTopic('agent-off'), { qos: 1 });
  await away.endAsync();

  await link.sendCommand('agent-on', { v: 1, kind: 'command', commandId: 'c'.repeat(32), action: '{}' });
  await link.sendCommand('agent-off', { v: 1, kind: 'command', commandId: 'd'.repeat(32), action: '{}' });
  await waitFor(() => got.length === 1, 'the online command');
  expect(JSON.parse(got[0]?.slice(got[0].indexOf(' ') + 1) ?? '')).toMatchObject({ commandId: 'c'.repeat(32) });

  const back = mqtt.connect(url, { protocolVersion: 4, clientId: 'agent-off', clean: false });
  clients.push(back);
  const queued: string[] = [];
  back.on('message', (_topic, payload) => queued.push(payload.toString()));
  await waitFor(() => queued.length === 1, 'the queued command');
  expect(JSON.parse(queued[0] ?? '')).toMatchObject({ commandId: 'd'.repeat(32) });
});
