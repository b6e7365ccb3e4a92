import type { Socket } from 'node:net';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { EnrollStatus } from '../../protocol/enrollment.js';
import { BugError } from '../../protocol/errors.js';
import type { CancelMessage, CommandMessage, PolicyMessage } from '../../protocol/messages.js';
import {
  ALL_ENROLL_REQUESTS,
  ALL_HEARTBEATS,
  ALL_RESULTS,
  commandsTopic,
  enrollStatusTopic,
} from '../../protocol/topics.js';
import { SERVER_USERNAME } from '../mqtt/credentials.js';
import type { ResultArrival } from '../scheduler/answer-signature.js';
import type { AgentPublisher } from '../scheduler/context.js';
import { GATHER_MS, GroupCommit } from './group-commit.js';

/** One message from a subscribed topic. */
export interface LinkMessage {
  topic: string;
  payload: Buffer;
}

export interface ServerLinkOptions {
  url: string;
  /** Stable across restarts (persisted in the data dir) so a broker that outlives us keeps our session. */
  clientId: string;
  serverSecret: string;
  /** Login name (default `mig-server`, the embedded broker's); an external broker's admin login otherwise. */
  username?: string;
  /**
   * Subscribe to results and enrollment requests as `$share/<group>/...` so several server
   * processes split them (each result handled once); heartbeats stay unshared, so every server
   * sees every agent's presence.
   */
  shareGroup?: string;
  /** For mqtts: the broker's certificate (or its CA), pinned; the host name is not checked. */
  pinnedCa?: string;
  log: (msg: string) => void;
  /**
   * A group of messages from the subscribed topics, in arrival order. Each one's PUBACK is sent
   * only once the promise resolves, so a result is on disk before the broker may forget it; a
   * rejection leaves the group unacknowledged (the broker sends it again after a reconnect).
   * `arrival` is always `external-broker` from this link: whoever runs that broker could forge
   * or move messages, so agents' signatures are verified (scheduler/answer-signature.ts).
   */
  onMessages(messages: LinkMessage[], arrival: ResultArrival): Promise<void>;
}

/**
 * Messages received and not yet acknowledged before the link stops reading more: bounds the
 * memory a flood can take while the disk is slow.
 */
const MAX_UNACKNOWLEDGED = 10_000;

/**
 * Given to mqtt.js's handleMessage callback: it then sends no PUBACK of its own (handlers/publish.js
 * passes an error straight to its "next packet" continuation, which ignores it) and reads on.
 */
const ACK_DEFERRED = new Error('PUBACK deferred until the group is on disk');

/** The one mqtt.js internal we use: sending a packet of our choosing (the deferred PUBACK). */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }): void;
}

export interface ServerLink extends AgentPublisher {
  /** A policy bundle on the agent's commands topic (broker/policy/policy-pusher.ts). */
  sendPolicy(agentId: string, msg: PolicyMessage): Promise<void>;
  /** The answer to an enrollment request, on that agent's enrollment status topic. */
  sendEnrollStatus(agentId: string, status: EnrollStatus): Promise<void>;
  /** Messages received and not yet stored (so not yet acknowledged). */
  unacknowledged(): number;
  close(): Promise<void>;
}

/**
 * The server's own MQTT client: MQTT 3.1.1, clean: false, QoS 1, subscribed to every agent's
 * results and heartbeats.
 *
 * Acknowledgement is part of persistence, in groups: mqtt.js hands us incoming packets one at a
 * time and would send each PUBACK as soon as its handler returns. We take each packet into a
 * group commit (group-commit.ts) and let mqtt.js read on at once; when the group is stored,
 * every PUBACK in it goes out together. A thousand results arriving at once thus cost a few
 * store writes, not a thousand, and none is acknowledged before it is on disk. (With the
 * embedded broker the broker restarts with us and keeps sessions in memory, so what agents
 * publish while the server is down is lost anyway; agents answer again on redelivery. The
 * stable client id pays off with an external broker.)
 */
export async function connectServerLink(opts: ServerLinkOptions): Promise<ServerLink> {
  const options: IClientOptions = {
    protocolVersion: 4,
    clean: false,
    clientId: opts.clientId,
    username: opts.username ?? SERVER_USERNAME,
    password: opts.serverSecret,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(opts.pinnedCa === undefined ? {} : { ca: opts.pinnedCa, checkServerIdentity: () => undefined }),
  };
  if (typeof (mqtt.MqttClient.prototype as unknown as Partial<PacketSender>)._sendPacket !== 'function') {
    throw new BugError('mqtt.js has no _sendPacket: the deferred PUBACK needs updating for this mqtt.js version');
  }
  const client = mqtt.connect(opts.url, options);
  const group = new GroupCommit<LinkMessage>((messages) => opts.onMessages(messages, 'external-broker'), {
    gatherMs: GATHER_MS,
  });
  client.handleMessage = groupAcknowledged(client, group, opts.log);
  client.on('connect', () => {
    (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    // On every connect, not only without a session: subscribing again to the same filter keeps
    // what the session queued, and Mosquitto before 2.0.12 loses a durable client's $share
    // subscriptions across its own restart ("Fix $share subscriptions not being recovered").
    {
      const share = (filter: string): string =>
        opts.shareGroup === undefined ? filter : `$share/${opts.shareGroup}/${filter}`;
      client.subscribe([share(ALL_RESULTS), ALL_HEARTBEATS, share(ALL_ENROLL_REQUESTS)], { qos: 1 }, (err, granted) => {
        if (err !== null && err !== undefined) opts.log(`link: subscribe failed: ${err.message}`);
        else if (granted?.some((g) => g.qos === 128))
          opts.log('link: the broker refused a subscription (check the server secret and ACL)');
      });
    }
  });
  client.on('offline', () => opts.log('link: disconnected from the broker, reconnecting'));
  await firstConnect(client, opts.log);
  return linkOver(client, group);
}

function groupAcknowledged(
  client: MqttClient,
  group: GroupCommit<LinkMessage>,
  log: (msg: string) => void,
): MqttClient['handleMessage'] {
  const sender = client as unknown as PacketSender;
  return (packet: IPublishPacket, callback: (err?: Error) => void): void => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const stored = group.add({ topic: packet.topic, payload });
    const { messageId } = packet;
    if (packet.qos !== 1 || messageId === undefined) {
      stored.catch((err: unknown) => log(`link: handling ${packet.topic} failed: ${(err as Error).message}`));
      return callback();
    }
    const stream = client.stream;
    const acknowledged = stored.then(
      () => {
        // Only on the connection the packet came in on: after a reconnect the broker sends it
        // again (a duplicate result is ignored), and this message id may mean another packet.
        if (client.stream === stream && client.connected) sender._sendPacket({ cmd: 'puback', messageId });
      },
      (err: unknown) => log(`link: handling ${packet.topic} failed, left unacknowledged: ${(err as Error).message}`),
    );
    if (group.backlog < MAX_UNACKNOWLEDGED) callback(ACK_DEFERRED);
    else void acknowledged.then(() => callback(ACK_DEFERRED));
  };
}

function firstConnect(client: MqttClient, log: (msg: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      client.off('connect', onConnect);
      client.end(true);
      reject(err);
    };
    const onConnect = (): void => {
      client.off('error', onError);
      client.on('error', (err) => log(`link: ${err.message}`));
      resolve();
    };
    client.once('error', onError);
    client.once('connect', onConnect);
  });
}

function linkOver(client: MqttClient, group: GroupCommit<LinkMessage>): ServerLink {
  const send = async (agentId: string, msg: CommandMessage | CancelMessage | PolicyMessage): Promise<void> => {
    await client.publishAsync(commandsTopic(agentId), JSON.stringify(msg), { qos: 1 });
  };
  return {
    sendCommand: send,
    sendCancel: send,
    sendPolicy: send,
    sendEnrollStatus: async (agentId, status) => {
      await client.publishAsync(enrollStatusTopic(agentId), JSON.stringify(status), { qos: 1 });
    },
    unacknowledged: () => group.pending,
    close: async () => {
      // What was received is stored and acknowledged first; then, not forced, mqtt.js waits
      // for our in-flight publishes to be acknowledged.
      await group.drain();
      await client.endAsync(false);
    },
  };
}
