import type { Aedes, AedesPublishPacket } from 'aedes';
import type { EnrollStatus } from '../../protocol/enrollment.js';
import type { CancelMessage, CommandMessage, PolicyMessage } from '../../protocol/messages.js';
// Alike on purpose (duplicates): the in-process link and the MQTT link (server-link.ts) carry the same messages on the
// same topics, so both import the same builders from protocol/topics.ts.
import {
  ALL_ENROLL_REQUESTS,
  ALL_HEARTBEATS,
  ALL_RESULTS,
  commandsTopic,
  enrollStatusTopic,
} from '../../protocol/topics.js';
import type { ResultArrival } from '../scheduler/answer-signature.js';
import { GATHER_MS, GroupCommit } from './group-commit.js';
import type { LinkMessage, ServerLink } from './server-link.js';

/** What the server reads: every agent's results and heartbeats, and enrollment requests. */
const TOPICS = [ALL_RESULTS, ALL_HEARTBEATS, ALL_ENROLL_REQUESTS];

/** What the local link uses of the embedded broker. */
export type LocalBroker = Pick<Aedes, 'publish' | 'subscribe' | 'unsubscribe'>;

export interface LocalLinkOptions {
  /**
   * The broker startBroker() runs (broker/mqtt/server.ts): its hooks authenticate every client
   * and let only agent X publish on X's results topic, which is what makes `own-broker` true.
   */
  broker: LocalBroker;
  log: (msg: string) => void;
  /**
   * As ServerLinkOptions.onMessages: a group of messages, settled once they are stored;
   * `arrival` is always `own-broker` from this link (scheduler/answer-signature.ts).
   */
  onMessages(messages: LinkMessage[], arrival: ResultArrival): Promise<void>;
}

/**
 * The server's link to the broker it embeds: the same contract as server-link.ts, without the
 * loopback MQTT connection. Over TCP every command and result crossed a socket twice, being
 * encoded, parsed and acknowledged once more on the way to a client in our own process: about
 * half of the server's packet work per agent-command. Here commands go straight into aedes'
 * publish path (authorizeForward and sessions still apply; offline agents' sessions still
 * queue them), and results and heartbeats are delivered to us by aedes' emitter.
 *
 * Durability is the TCP link's: aedes sees a delivery as done only when its group is on disk
 * (group-commit.ts). As there, what the embedded broker holds in memory dies with the process;
 * the scheduler's redelivery makes agents answer again (see scheduler.ts).
 */
export async function connectLocalLink(opts: LocalLinkOptions): Promise<ServerLink> {
  const group = new GroupCommit<LinkMessage>((messages) => opts.onMessages(messages, 'own-broker'), {
    gatherMs: GATHER_MS,
  });
  const deliver = (packet: AedesPublishPacket, done: () => void): void => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    group.add({ topic: packet.topic, payload }).then(done, (err: unknown) => {
      // Nothing to leave unacknowledged in-process: the agent already has aedes' PUBACK, and
      // holding `done` would only stall that agent. Its answer comes back on redelivery.
      opts.log(`link: handling ${packet.topic} failed: ${(err as Error).message}`);
      done();
    });
  };
  for (const topic of TOPICS) await new Promise<void>((resolve) => opts.broker.subscribe(topic, deliver, resolve));
  const publish = (topic: string, msg: unknown): Promise<void> =>
    new Promise((resolve, reject) => {
      opts.broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(msg)), qos: 1, retain: false, dup: false },
        (err) => (err === undefined || err === null ? resolve() : reject(err)),
      );
    });
  const send = (agentId: string, msg: CommandMessage | CancelMessage | PolicyMessage): Promise<void> =>
    publish(commandsTopic(agentId), msg);
  return {
    sendCommand: send,
    sendCancel: send,
    sendPolicy: send,
    sendEnrollStatus: (agentId: string, status: EnrollStatus) => publish(enrollStatusTopic(agentId), status),
    unacknowledged: () => group.pending,
    close: async () => {
      for (const topic of TOPICS)
        await new Promise<void>((resolve) => opts.broker.unsubscribe(topic, deliver, resolve));
      await group.drain();
    },
  };
}
