import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { EnrollStatusSchema, type EnrollRequest, type EnrollStatus } from '../../../protocol/enrollment.js';
import {
  CancelMessageSchema,
  CommandMessageSchema,
  type CancelMessage,
  type CommandMessage,
  type HeartbeatMessage,
  type OperationResult,
  type ResultMessage,
} from '../../../protocol/messages.js';
import {
  commandsTopic,
  enrollRequestTopic,
  enrollStatusTopic,
  heartbeatTopic,
  resultsTopic,
} from '../../../protocol/topics.js';
import { AGENT_USERNAME, ENROLL_USERNAME, enrollClientId } from '../../../broker/mqtt/credentials.js';
import { fakeEnrollRequest, fakeIdentity, type FakeEnrollOverrides, type FakeIdentity } from './fake-identity.js';

/**
 * Test-only: a real mqtt.js client that speaks the agent's side of the wire without verifying
 * anything, so server tests can script heartbeats and results. It enrolls like a real agent
 * (signed request over a mig-enroll login, then its own password), under a deterministic
 * identity per label: `label` is its name, `id` the id its key derives. The real agent lives in agent/.
 */
export class FakeAgent {
  readonly commands: CommandMessage[] = [];
  readonly cancels: CancelMessage[] = [];

  readonly id: string;

  private constructor(
    readonly identity: FakeIdentity,
    readonly client: MqttClient,
  ) {
    this.id = identity.id;
    client.on('message', (topic, payload) => {
      const raw: unknown = JSON.parse(payload.toString());
      const command = CommandMessageSchema.safeParse(raw);
      if (command.success) this.commands.push(command.data);
      const cancel = CancelMessageSchema.safeParse(raw);
      if (cancel.success) this.cancels.push(cancel.data);
    });
  }

  /**
   * Enrolls `label` (the server must accept it: auto-accept, or accepted before) and connects
   * as that agent. This is the one "enroll and connect" helper server tests use.
   */
  static async connect(
    brokerUrl: string,
    enrollmentSecret: string,
    label: string,
    extra: IClientOptions = {},
  ): Promise<FakeAgent> {
    const identity = fakeIdentity(label);
    const status = await FakeAgent.enroll(brokerUrl, enrollmentSecret, fakeEnrollRequest(identity), undefined, extra);
    if (status.state !== 'accepted')
      throw new Error(
        `enrollment of ${label} (${identity.id}): ${status.state}${status.reason === undefined ? '' : `: ${status.reason}`}`,
      );
    return FakeAgent.login(brokerUrl, identity, extra);
  }

  /** Connects as an accepted agent with its own password (no enrollment). */
  static async login(brokerUrl: string, identity: FakeIdentity, extra: IClientOptions = {}): Promise<FakeAgent> {
    const id = identity.id;
    const client = await connectClient(brokerUrl, {
      clientId: id,
      username: AGENT_USERNAME,
      password: identity.password,
      clean: false,
      will: {
        topic: heartbeatTopic(id),
        payload: Buffer.from(JSON.stringify({ v: 1, kind: 'offline', agentId: id, reason: 'lost' })),
        qos: 1,
        retain: false,
      },
      ...extra,
    });
    const agent = new FakeAgent(identity, client);
    await client.subscribeAsync(commandsTopic(id), { qos: 1 });
    return agent;
  }

  /** One enrollment login: publishes `request` and returns the server's first answer. */
  static async enroll(
    brokerUrl: string,
    enrollmentSecret: string,
    request: EnrollRequest | string,
    agentId?: string,
    extra: IClientOptions = {},
  ): Promise<EnrollStatus> {
    const id = agentId ?? (typeof request === 'string' ? '' : request.agentId);
    const client = await connectClient(brokerUrl, {
      clientId: enrollClientId(id),
      username: ENROLL_USERNAME,
      password: enrollmentSecret,
      clean: true,
      ...extra,
    });
    try {
      const answer = new Promise<EnrollStatus>((resolve) => {
        client.on('message', (topic, payload) => {
          const parsed = EnrollStatusSchema.safeParse(JSON.parse(payload.toString()));
          if (topic === enrollStatusTopic(id) && parsed.success) resolve(parsed.data);
        });
      });
      await client.subscribeAsync(enrollStatusTopic(id), { qos: 1 });
      await client.publishAsync(
        enrollRequestTopic(id),
        typeof request === 'string' ? request : JSON.stringify(request),
        { qos: 1 },
      );
      return await answer;
    } finally {
      await client.endAsync(true);
    }
  }

  /** Enrolls with a request built from `label` plus overrides (signed after the overrides). */
  static enrollAs(
    brokerUrl: string,
    enrollmentSecret: string,
    label: string,
    overrides: FakeEnrollOverrides = {},
  ): Promise<EnrollStatus> {
    return FakeAgent.enroll(brokerUrl, enrollmentSecret, fakeEnrollRequest(fakeIdentity(label), overrides));
  }

  heartbeat(overrides: Partial<HeartbeatMessage> = {}): Promise<unknown> {
    const now = new Date().toISOString();
    const msg: HeartbeatMessage = {
      v: 1,
      kind: 'heartbeat',
      agentId: this.id,
      name: this.identity.label,
      os: 'linux',
      arch: 'x64',
      version: '0.1.0',
      mode: 'daemon',
      queueloc: `linux.${this.identity.label}`,
      environment: { ident: 'Debian 12', init: 'systemd', addresses: ['10.0.0.1'], hostname: this.identity.label },
      tags: {},
      modules: ['file'],
      heartbeatMs: 30_000,
      startedAt: now,
      sentAt: now,
      ...overrides,
    };
    return this.client.publishAsync(heartbeatTopic(this.id), JSON.stringify(msg), { qos: 1 });
  }

  /** Answers a command; `topicOf` lets a test publish on another agent's topic (the ACL should stop it). */
  answer(
    commandId: string,
    opts: {
      status?: ResultMessage['status'];
      isFound?: boolean;
      error?: ResultMessage['error'];
      actionId?: string;
      sign?: (msg: ResultMessage) => ResultMessage;
    } = {},
  ): Promise<unknown> {
    const now = new Date().toISOString();
    const operation: OperationResult = {
      module: 'file',
      isFound: opts.isFound ?? false,
      rows: opts.isFound === true ? [{ path: '/etc/passwd' }] : [],
      stats: { files: 1 },
      errors: [],
    };
    const msg: ResultMessage = {
      v: 1,
      kind: 'result',
      commandId,
      ...(opts.actionId === undefined ? {} : { actionId: opts.actionId }),
      status: opts.status ?? 'success',
      ...(opts.error === undefined ? {} : { error: opts.error }),
      operations: opts.status === 'failed' ? [] : [operation],
      startedAt: now,
      finishedAt: now,
    };
    return this.client.publishAsync(resultsTopic(this.id), JSON.stringify(opts.sign?.(msg) ?? msg), { qos: 1 });
  }

  publishRaw(topic: string, payload: string): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { qos: 1 });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

/** A connected mqtt.js client (MQTT 3.1.1, no reconnects); rejects with the CONNACK error. */
export async function connectClient(brokerUrl: string, opts: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  } catch (err) {
    client.end(true);
    throw err;
  }
  return client;
}
