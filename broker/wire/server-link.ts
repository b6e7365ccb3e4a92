import type { Socket } from 'node:net';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { EnrollStatus } from '../../protocol/enrollment.js';
import type { CancelMessage, CommandMessage, PolicyMessage } from '../../protocol/messages.js';
import { ALL_ENROLL_REQUESTS, ALL_HEARTBEATS, ALL_RESULTS, commandsTopic, enrollStatusTopic } from '../../protocol/topics.js';
import { SERVER_USERNAME } from '../mqtt/credentials.js';
import type { AgentPublisher } from '../scheduler/context.js';

export interface ServerLinkOptions {
  url: string;
  /** Stable across restarts (persisted in the data dir) so a broker that outlives us keeps our session. */
  clientId: string;
  serverSecret: string;
  /** For mqtts: the broker's certificate (or its CA), pinned; the host name is not checked. */
  pinnedCa?: string;
  log: (msg: string) => void;
  /**
   * Every message on a subscribed topic. The PUBACK is sent only when the promise settles, so
   * a result is on disk before the broker may forget it.
   */
  onMessage(topic: string, payload: Buffer): Promise<void>;
}

export interface ServerLink extends AgentPublisher {
  /** A policy bundle on the agent's commands topic (broker/policy/policy-pusher.ts). */
  sendPolicy(agentId: string, msg: PolicyMessage): Promise<void>;
  /** The answer to an enrollment request, on that agent's enrollment status topic. */
  sendEnrollStatus(agentId: string, status: EnrollStatus): Promise<void>;
  close(): Promise<void>;
}

/**
 * The server's own MQTT client: MQTT 3.1.1, clean: false, QoS 1, subscribed to every agent's
 * results and heartbeats. mqtt.js sends a QoS 1 PUBACK only after `handleMessage` calls back,
 * and it handles incoming packets one at a time: overriding it makes persistence part of the
 * acknowledgement. (With the embedded broker the broker restarts with us and keeps sessions in
 * memory, so what agents publish while the server is down is lost anyway: agents keep no
 * outbox. The stable client id pays off with an external broker.)
 */
export async function connectServerLink(opts: ServerLinkOptions): Promise<ServerLink> {
  const options: IClientOptions = {
    protocolVersion: 4,
    clean: false,
    clientId: opts.clientId,
    username: SERVER_USERNAME,
    password: opts.serverSecret,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(opts.pinnedCa === undefined ? {} : { ca: opts.pinnedCa, checkServerIdentity: () => undefined }),
  };
  const client = mqtt.connect(opts.url, options);
  client.handleMessage = (packet: IPublishPacket, callback: (err?: Error) => void): void => {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    opts.onMessage(packet.topic, payload).then(
      () => callback(),
      (err: unknown) => {
        // Acknowledge anyway: withholding the PUBACK would stall every later message on this connection.
        opts.log(`link: handling ${packet.topic} failed: ${(err as Error).message}`);
        callback();
      },
    );
  };
  client.on('connect', (connack) => {
    (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    if (!connack.sessionPresent) {
      client.subscribe([ALL_RESULTS, ALL_HEARTBEATS, ALL_ENROLL_REQUESTS], { qos: 1 }, (err, granted) => {
        if (err !== null && err !== undefined) opts.log(`link: subscribe failed: ${err.message}`);
        else if (granted?.some((g) => g.qos === 128)) opts.log('link: the broker refused a subscription (check the server secret and ACL)');
      });
    }
  });
  client.on('offline', () => opts.log('link: disconnected from the broker, reconnecting'));
  await firstConnect(client, opts.log);
  return linkOver(client);
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

function linkOver(client: MqttClient): ServerLink {
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
    // Not forced: mqtt.js first waits for in-flight publishes to be acknowledged.
    close: () => client.endAsync(false),
  };
}
