import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  AGENT_USERNAME,
  ENROLL_USERNAME,
  SERVER_USERNAME,
  enrollClientId,
  newSecret,
  passwordHash,
  serverClientId,
} from '../../../broker/mqtt/credentials.js';
import { startBroker, type BrokerOptions, type RunningBroker } from '../../../broker/mqtt/server.js';

/**
 * Test-only: real brokers on port 0 and real mqtt.js clients (MQTT 3.1.1), all torn down by
 * `teardown()` in afterEach.
 */
export interface Received {
  topic: string;
  payload: string;
}

export class BrokerHarness {
  readonly enrollmentSecret = newSecret();
  readonly serverSecret = newSecret();
  readonly logs: string[] = [];
  /** Accepted agents' broker passwords, by agent id: what the server's registry would hold. */
  readonly passwords = new Map<string, string>();
  private readonly brokers: RunningBroker[] = [];
  private readonly clients: MqttClient[] = [];
  private current: RunningBroker | undefined;

  async start(extra: Partial<BrokerOptions> = {}): Promise<RunningBroker> {
    const broker = await startBroker({
      port: 0,
      enrollmentSecret: this.enrollmentSecret,
      serverSecret: this.serverSecret,
      agentPasswordHash: (id) => {
        const password = this.passwords.get(id);
        return password === undefined ? undefined : passwordHash(password);
      },
      log: (m) => this.logs.push(m),
      ...extra,
    });
    this.brokers.push(broker);
    this.current = broker;
    return broker;
  }

  get broker(): RunningBroker {
    if (!this.current) throw new Error('harness: start() first');
    return this.current;
  }

  /**
   * Connects with test defaults; rejects with mqtt.js's error (its `code` is the CONNACK code).
   * `onCreated` runs before CONNECT is sent: attach listeners there for messages that arrive
   * right after the CONNACK (a restored session's queue).
   */
  async connect(opts: IClientOptions, onCreated?: (client: MqttClient) => void): Promise<MqttClient> {
    const client = mqtt.connect(this.broker.url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...opts,
    });
    this.clients.push(client);
    onCreated?.(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return client;
  }

  /** The broker password of an accepted agent, made (and accepted) on first use. */
  passwordOf(agentId: string): string {
    let password = this.passwords.get(agentId);
    if (password === undefined) {
      password = newSecret();
      this.passwords.set(agentId, password);
    }
    return password;
  }

  /** An accepted agent with its own credential. */
  agent(agentId: string, extra: IClientOptions = {}, onCreated?: (client: MqttClient) => void): Promise<MqttClient> {
    return this.connect(
      { clientId: agentId, username: AGENT_USERNAME, password: this.passwordOf(agentId), ...extra },
      onCreated,
    );
  }

  /** An enrollee for `agentId`, holding the enrollment secret only. */
  enrollee(agentId: string, extra: IClientOptions = {}): Promise<MqttClient> {
    return this.connect({
      clientId: enrollClientId(agentId),
      username: ENROLL_USERNAME,
      password: this.enrollmentSecret,
      clean: true,
      ...extra,
    });
  }

  server(extra: IClientOptions = {}): Promise<MqttClient> {
    return this.connect({
      clientId: serverClientId(),
      username: SERVER_USERNAME,
      password: this.serverSecret,
      ...extra,
    });
  }

  async teardown(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.endAsync(true)));
    await Promise.all(this.brokers.splice(0).map((b) => b.close()));
    this.current = undefined;
  }
}

/** Every message the client receives from now on, in order. */
export function collect(client: MqttClient): Received[] {
  const got: Received[] = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  return got;
}

/** The next message on `topic`. */
export function nextMessage(client: MqttClient, topic: string): Promise<Received> {
  return new Promise((resolve) => {
    const onMessage = (t: string, payload: Buffer): void => {
      if (t !== topic) return;
      client.off('message', onMessage);
      resolve({ topic: t, payload: payload.toString() });
    };
    client.on('message', onMessage);
  });
}

/** The CONNACK return code a refused connection got. */
export async function refusalCode(connecting: Promise<MqttClient>): Promise<number | string> {
  try {
    await connecting;
  } catch (err) {
    return (err as { code?: number | string }).code ?? 'no code';
  }
  return 'connected';
}

/** The QoS the broker granted per filter (128 = refused); mqtt.js rejects on 128, so unwrap it. */
export async function grantedQos(client: MqttClient, filters: string | string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: unknown } }).packet?.granted;
    if (Array.isArray(granted)) return granted.map(Number);
    throw err;
  }
}
