import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { commandsTopic, heartbeatTopic, resultsTopic } from '../protocol/topics.js';
import type { OfflineMessage, ResultMessage, HeartbeatMessage } from '../protocol/messages.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { LogFn } from './log.js';

/** Username every agent presents; the password is the one it chose and enrolled. */
export const AGENT_USERNAME = 'mig-agent';
/** CONNACK codes that mean "this credential is not (or no longer) accepted": enroll again. */
const CREDENTIAL_REFUSED = new Set([4, 5]);
// Alike on purpose (duplicates): constants then an options interface; agent/enroll.ts and
// modules/shared/search/hash-pool.ts have the same layout with their own constants and fields.
/**
 * MQTT keepalive (seconds): with nothing else received for this long, mqtt.js pings the broker,
 * and the broker drops a session silent for 1.5 times it (its will then says the agent is lost).
 */
export const AGENT_KEEPALIVE_S = 60;
/** How long a clean shutdown waits for the broker to take the last messages. */
const CLOSE_GRACE_MS = 2000;

export interface SessionOptions {
  agentId: string;
  brokerUrl: string;
  /** The agent's own broker password (accepted at enrollment). */
  password: string;
  /** PEM contents (not paths). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Published by the broker if we vanish: OfflineMessage reason 'lost'. */
  will: OfflineMessage;
  /** Each payload received on our commands topic. */
  onCommand(payload: Buffer): void;
  /** Every (re)connection: heartbeat, leftover results. */
  onConnect(): void;
  log: LogFn;
  backoff?: BackoffOptions;
  /** The broker refused our credential: the session stops reconnecting and says why. */
  onCredentialRefused(reason: string): void;
}

/**
 * The agent's MQTT connection: MQTT 3.1.1, client id = agent id, a persistent session
 * (clean: false) so QoS 1 commands queued while we were away arrive at reconnect, and our own
 * reconnect loop with back-off (mqtt.js only knows a fixed period). Nothing here reads payloads.
 */
export class AgentSession {
  private readonly client: MqttClient;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private isClosing = false;

  constructor(private readonly opts: SessionOptions) {
    this.backoff = new Backoff(opts.backoff);
    this.client = connect(opts.brokerUrl, clientOptions(opts));
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.scheduleReconnect());
    this.client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number' && CREDENTIAL_REFUSED.has(code) && !this.isClosing) {
        this.isClosing = true;
        clearTimeout(this.reconnectTimer);
        opts.onCredentialRefused(`${err.message} (CONNACK ${code})`);
        return;
      }
      opts.log('warn', `mqtt: ${err.message}`);
    });
    this.client.on('message', (topic, payload) => {
      if (topic === commandsTopic(opts.agentId)) opts.onCommand(payload);
      else opts.log('warn', `mqtt: ignoring a message on ${topic}, which is not our commands topic`);
    });
  }

  get isConnected(): boolean {
    return this.client.connected;
  }

  async publishResult(message: ResultMessage): Promise<void> {
    await this.client.publishAsync(resultsTopic(this.opts.agentId), JSON.stringify(message), { qos: 1 });
  }

  /**
   * Skipped while offline: a stale heartbeat replayed at reconnect would say nothing new.
   * QoS 1, though a lost heartbeat would cost nothing: mqtt.js moves its keepalive ping only
   * when it *receives* an acknowledgement, so at QoS 0 every agent also sends a PINGREQ each
   * keepalive (60 s) and the server reads it and answers: about the work of the PUBACKs it
   * saves at 30 s, more at longer intervals (and no gain measured with 10,000 agents,
   * doc/performance.md).
   */
  publishHeartbeat(message: HeartbeatMessage | OfflineMessage): Promise<void> {
    if (!this.client.connected) return Promise.resolve();
    return this.client
      .publishAsync(heartbeatTopic(this.opts.agentId), JSON.stringify(message), { qos: heartbeatQos(message) })
      .then(() => undefined);
  }

  /** Publishes `last` (OfflineMessage 'shutdown') if connected, then disconnects; bounded in time. */
  async close(last: OfflineMessage): Promise<void> {
    this.isClosing = true;
    clearTimeout(this.reconnectTimer);
    if (this.client.connected) {
      await withTimeout(this.publishHeartbeat(last), CLOSE_GRACE_MS).catch((err: unknown) => {
        this.opts.log('warn', `mqtt: could not publish the shutdown notice: ${(err as Error).message}`);
      });
    }
    // A clean DISCONNECT tells the broker not to publish our will; force if the broker is gone.
    const ended = await withTimeout(this.client.endAsync(false), CLOSE_GRACE_MS).then(
      () => true,
      () => false,
    );
    if (!ended) await this.client.endAsync(true);
  }

  private onConnect(): void {
    this.backoff.reset();
    const stream = this.client.stream as unknown as { setNoDelay?: (noDelay: boolean) => void };
    stream.setNoDelay?.(true); // Nagle costs ~4x on small QoS 1 round trips (STACK-NOTES)
    this.opts.log('info', `mqtt: connected to ${this.opts.brokerUrl}`);
    // Subscribe on every connection: the broker may have lost our session (restart, memory store).
    this.client.subscribe(commandsTopic(this.opts.agentId), { qos: 1 }, (err, granted) => {
      const refused = granted?.some((g) => g.qos === 128) === true;
      if (err !== null || refused) {
        this.opts.log(
          'error',
          `mqtt: subscription to ${commandsTopic(this.opts.agentId)} refused${err ? `: ${err.message}` : ''}`,
        );
      }
    });
    this.opts.onConnect();
  }

  private scheduleReconnect(): void {
    if (this.isClosing || this.reconnectTimer !== undefined) return;
    const delayMs = this.backoff.next();
    this.opts.log('info', `mqtt: disconnected; reconnecting in ${delayMs} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.isClosing) return;
      // Keep the stores: QoS 1 results published while offline wait there for the broker.
      this.client.reconnect({ incomingStore: this.client.incomingStore, outgoingStore: this.client.outgoingStore });
    }, delayMs);
  }
}

function clientOptions(opts: SessionOptions): IClientOptions {
  return {
    protocolVersion: 4, // aedes speaks MQTT 3.1.1 only
    keepalive: AGENT_KEEPALIVE_S,
    clientId: opts.agentId,
    clean: false,
    // Its own id as login name: an external broker keeps one login per agent (broker/external/
    // dynsec.ts); the embedded broker takes it, or the older `mig-agent`, with the client id.
    username: opts.agentId,
    password: opts.password,
    reconnectPeriod: 0, // our own loop, with back-off (scheduleReconnect)
    resubscribe: false,
    will: {
      topic: heartbeatTopic(opts.agentId),
      payload: Buffer.from(JSON.stringify(opts.will)),
      qos: 1,
      retain: false,
    },
    ...(opts.tls ?? {}),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** QoS 1 for heartbeats and offline notices alike (see publishHeartbeat for why not QoS 0). */
export function heartbeatQos(_message: HeartbeatMessage | OfflineMessage): 0 | 1 {
  return 1;
}
