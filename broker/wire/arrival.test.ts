// How a result arrived is the link's to say, and `own-broker` is true only because our broker
// lets nobody but agent X publish on X's results topic (scheduler/answer-signature.ts). A real
// hooked broker (startBroker: hooks.ts, acl.ts) on port 0, real mqtt.js clients, both links.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MESSAGE_VERSION } from '../../protocol/messages.js';
import { resultsTopic } from '../../protocol/topics.js';
import { AGENT_USERNAME, serverClientId } from '../mqtt/credentials.js';
import { waitFor } from '../../test/helpers/broker/harness.js';
import { BrokerHarness, refusalCode } from '../../test/helpers/broker/mqtt-harness.js';
import type { ResultArrival } from '../scheduler/answer-signature.js';
import { connectLocalLink } from './local-link.js';
import { connectServerLink, type LinkMessage, type ServerLink } from './server-link.js';

const ONE = 'agent-one';
const TWO = 'agent-two';

let h: BrokerHarness;
const links: ServerLink[] = [];
beforeEach(async () => {
  h = new BrokerHarness();
  await h.start();
});
afterEach(async () => {
  for (const link of links.splice(0)) await link.close();
  await h.teardown();
});

interface Got {
  topic: string;
  payload: string;
  arrival: ResultArrival;
}

/** Every group a link hands over, with the arrival it names, stored at once. */
function recorder(): { got: Got[]; onMessages: (messages: LinkMessage[], arrival: ResultArrival) => Promise<void> } {
  const got: Got[] = [];
  return {
    got,
    onMessages: async (messages, arrival) => {
      for (const m of messages) got.push({ topic: m.topic, payload: m.payload.toString(), arrival });
    },
  };
}

it('the in-process link says own-broker and the MQTT link external-broker, for the same message', async () => {
  const local = recorder();
  const remote = recorder();
  links.push(
    await connectLocalLink({ broker: h.broker.inProcess, log: () => undefined, onMessages: local.onMessages }),
  );
  links.push(
    await connectServerLink({
      url: h.broker.url,
      clientId: serverClientId(),
      serverSecret: h.serverSecret,
      log: () => undefined,
      onMessages: remote.onMessages,
    }),
  );
  const one = await h.agent(ONE);
  await one.publishAsync(resultsTopic(ONE), 'answer', { qos: 1 });
  await waitFor(() => local.got.length === 1 && remote.got.length === 1, 'the answer on both links');
  expect(local.got).toEqual([{ topic: resultsTopic(ONE), payload: 'answer', arrival: 'own-broker' }]);
  expect(remote.got).toEqual([{ topic: resultsTopic(ONE), payload: 'answer', arrival: 'external-broker' }]);
});

it("nobody but agent one puts anything on agent one's results topic in our broker", async () => {
  const local = recorder();
  links.push(
    await connectLocalLink({ broker: h.broker.inProcess, log: () => undefined, onMessages: local.onMessages }),
  );
  const one = await h.agent(ONE); // online while the others try
  const forged = 'forged';

  // Another agent, a server (it holds the server secret) and an enrollee for agent one: each is
  // cut off at its publish.
  const two = await h.agent(TWO);
  const server = await h.server();
  const enrollee = await h.enrollee(ONE);
  for (const client of [two, server, enrollee]) {
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(resultsTopic(ONE), forged, { qos: 1 });
    await closed;
  }
  // A will on agent one's results topic is refused at CONNECT (wills are checked as publishes).
  const will = { topic: resultsTopic(ONE), payload: Buffer.from(forged), qos: 1 as const, retain: false };
  expect(await refusalCode(h.agent(TWO, { will }))).toBe(5);
  // No credentials, or agent one's id with another agent's password: not even connected.
  expect(await refusalCode(h.connect({ clientId: ONE, username: AGENT_USERNAME, password: 'guess' }))).toBe(5);
  expect(await refusalCode(h.connect({ clientId: ONE, username: AGENT_USERNAME, password: h.passwordOf(TWO) }))).toBe(
    5,
  );

  // A marker from agent one itself, after every attempt: had a forgery passed, it would be here first.
  const marker = JSON.stringify({ v: MESSAGE_VERSION, marker: true });
  await one.publishAsync(resultsTopic(ONE), marker, { qos: 1 });
  await waitFor(() => local.got.length > 0, 'the marker');
  expect(local.got).toEqual([{ topic: resultsTopic(ONE), payload: marker, arrival: 'own-broker' }]);
  expect(h.logs.filter((l) => l.includes('refused publish')).length).toBe(3);
});
