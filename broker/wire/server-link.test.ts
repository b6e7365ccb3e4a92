// The server's MQTT link acknowledges a result only once the group holding it is stored, and
// keeps reading while a group is being stored. A real aedes broker (plain: no auth hooks, the
// link is what is under test) on port 0 and real mqtt.js clients.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { resultsTopic } from '../../protocol/topics.js';
import { connectServerLink, type LinkMessage, type ServerLink } from './server-link.js';

const SERVER_ID = 'mig-server-link-test';
let broker: Aedes;
let server: Server;
let url: string;
let link: ServerLink | undefined;
let agent: MqttClient | undefined;
/** Message ids the link acknowledged (PUBACK received by the broker), in order. */
let acked: number[];

beforeEach(async () => {
  broker = await Aedes.createBroker();
  acked = [];
  broker.on('ack', (packet, client) => {
    if (client?.id === SERVER_ID && packet.cmd === 'publish') acked.push(Number(String(packet.payload)));
  });
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `mqtt://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterEach(async () => {
  await agent?.endAsync(true);
  await link?.close();
  agent = undefined;
  link = undefined;
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** onMessages whose calls wait until the test settles them. */
function heldGroups() {
  const groups: Array<{ messages: LinkMessage[]; resolve: () => void; reject: (err: Error) => void }> = [];
  const onMessages = (messages: LinkMessage[]): Promise<void> =>
    new Promise((resolve, reject) => groups.push({ messages, resolve, reject }));
  return { groups, onMessages };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startAgent(): Promise<MqttClient> {
  agent = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: 'agent-aaa' });
  return agent;
}

const numbers = (messages: readonly LinkMessage[]): number[] => messages.map((m) => Number(m.payload.toString()));

it('acknowledges each result only once its group is stored, and reads on meanwhile', async () => {
  const { groups, onMessages } = heldGroups();
  link = await connectServerLink({
    url,
    clientId: SERVER_ID,
    serverSecret: 'unused',
    log: () => undefined,
    onMessages,
  });
  const a = await startAgent();
  await a.publishAsync(resultsTopic('agent-aaa'), '1', { qos: 1 });
  await waitFor(() => groups.length === 1, 'the first group');
  for (let n = 2; n <= 20; n++) await a.publishAsync(resultsTopic('agent-aaa'), String(n), { qos: 1 });
  // The link reads on while the first group is being stored (no head-of-line wait)...
  await waitFor(() => link?.unacknowledged() === 20, 'the link to have read all 20');
  // ...and acknowledges none of them yet.
  expect(acked).toEqual([]);

  groups[0]?.resolve();
  await waitFor(() => acked.length === 1, "the first group's PUBACK");
  await waitFor(() => groups.length === 2, 'the second group');
  // What arrived meanwhile is stored as one group.
  expect(numbers(groups[0]?.messages ?? [])).toEqual([1]);
  expect(numbers(groups[1]?.messages ?? [])).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
  expect(acked).toEqual([1]);
  groups[1]?.resolve();
  await waitFor(() => acked.length === 20, 'every PUBACK');
  expect(acked).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(link?.unacknowledged()).toBe(0);
});

it('leaves a group that could not be stored unacknowledged, and acknowledges the next', async () => {
  const { groups, onMessages } = heldGroups();
  const logs: string[] = [];
  link = await connectServerLink({
    url,
    clientId: SERVER_ID,
    serverSecret: 'unused',
    log: (m) => logs.push(m),
    onMessages,
  });
  const a = await startAgent();
  await a.publishAsync(resultsTopic('agent-aaa'), '1', { qos: 1 });
  await waitFor(() => groups.length === 1, 'the first group');
  await a.publishAsync(resultsTopic('agent-aaa'), '2', { qos: 1 });
  groups[0]?.reject(new Error('disk full'));
  await waitFor(() => groups.length === 2, 'the second group');
  groups[1]?.resolve();
  await waitFor(() => acked.length === 1, 'the PUBACK of 2');
  expect(acked).toEqual([2]);
  expect(logs.join('\n')).toMatch(/left unacknowledged: disk full/);
});
