import mqtt, { type MqttClient } from 'mqtt';
import {
  CancelMessageSchema,
  CommandMessageSchema,
  type CancelMessage,
  type CommandMessage,
  type HeartbeatMessage,
  type OperationResult,
  type ResultMessage,
} from '../../protocol/messages.js';
import { commandsTopic, heartbeatTopic, resultsTopic } from '../../protocol/topics.js';
import { AGENT_USERNAME } from '../mqtt/credentials.js';

/**
 * Test-only: a real mqtt.js client that speaks the agent's side of the wire without verifying
 * anything, so server tests can script heartbeats and results. The real agent lives in agent/.
 */
export class FakeAgent {
  readonly commands: CommandMessage[] = [];
  readonly cancels: CancelMessage[] = [];

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload) => {
      const raw: unknown = JSON.parse(payload.toString());
      const command = CommandMessageSchema.safeParse(raw);
      if (command.success) this.commands.push(command.data);
      const cancel = CancelMessageSchema.safeParse(raw);
      if (cancel.success) this.cancels.push(cancel.data);
    });
  }

  static async connect(brokerUrl: string, enrollmentSecret: string, id: string): Promise<FakeAgent> {
    const client = mqtt.connect(brokerUrl, {
      protocolVersion: 4,
      clientId: id,
      username: AGENT_USERNAME,
      password: enrollmentSecret,
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: { topic: heartbeatTopic(id), payload: Buffer.from(JSON.stringify({ v: 1, kind: 'offline', agentId: id, reason: 'lost' })), qos: 1, retain: false },
    });
    const agent = new FakeAgent(id, client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(commandsTopic(id), { qos: 1 });
    return agent;
  }

  heartbeat(overrides: Partial<HeartbeatMessage> = {}): Promise<unknown> {
    const now = new Date().toISOString();
    const msg: HeartbeatMessage = {
      v: 1,
      kind: 'heartbeat',
      agentId: this.id,
      name: `host-${this.id}`,
      os: 'linux',
      arch: 'x64',
      version: '0.1.0',
      mode: 'daemon',
      queueloc: `linux.host-${this.id}`,
      environment: { ident: 'Debian 12', init: 'systemd', addresses: ['10.0.0.1'], hostname: `host-${this.id}` },
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
    opts: { status?: ResultMessage['status']; isFound?: boolean; error?: ResultMessage['error']; actionId?: string; sign?: (msg: ResultMessage) => ResultMessage } = {},
  ): Promise<unknown> {
    const now = new Date().toISOString();
    const operation: OperationResult = { module: 'file', isFound: opts.isFound ?? false, rows: opts.isFound === true ? [{ path: '/etc/passwd' }] : [], stats: { files: 1 }, errors: [] };
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
