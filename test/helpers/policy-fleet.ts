import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { parseAgentConfig } from '../../agent/config.js';
import { startAgent, type RunningAgent } from '../../agent/start.js';
import { SERVER_USERNAME } from '../../broker/mqtt/credentials.js';
import { ServerHarness, waitFor } from './broker/harness.js';
import type { SignedAction } from '../../protocol/action.js';
import {
  ActionRecordSchema,
  AgentRecordSchema,
  CommandListSchema,
  type ActionRecord,
  type CommandRecord,
} from '../../protocol/api.js';
import { ResultMessageSchema, type ResultMessage } from '../../protocol/messages.js';
import { commandsTopic, resultsTopic } from '../../protocol/topics.js';

/**
 * Test-only: a real server (ServerHarness), a real agent process-in-process configured from the
 * server's own agent.json, and an attacker holding the server's MQTT credentials (a stolen
 * server or broker): it can publish anything on the agent's commands topic, which is exactly
 * what policy bundles and agent-side checks must withstand.
 */
export class PolicyWorld {
  readonly h = new ServerHarness();
  readonly agentLogs: string[] = [];
  agent: RunningAgent | undefined;
  private attacker: MqttClient | undefined;
  private readonly results: ResultMessage[] = [];

  get agentId(): string {
    if (this.agent === undefined) throw new Error('startAgent() first');
    return this.agent.agentId;
  }

  /** A real agent from agent.json, with its own root holding /etc/passwd; `now` follows the server's clock. */
  async startAgent(): Promise<RunningAgent> {
    const dir = join(this.h.dataDir, 'host');
    mkdirSync(join(dir, 'root', 'etc'), { recursive: true });
    mkdirSync(join(dir, 'root', 'proc'), { recursive: true });
    writeFileSync(join(dir, 'root', 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const base = JSON.parse(readFileSync(join(this.h.dataDir, 'agent.json'), 'utf8')) as Record<string, unknown>;
    const config = parseAgentConfig({
      ...base,
      dataDir: join(dir, 'data'),
      root: join(dir, 'root'),
      heartbeatMs: 500,
      environment: { os: 'linux' },
    });
    this.agent = await startAgent(config, {
      now: () => this.h.clock.now(),
      platform: 'linux',
      backoff: { initialMs: 20, maxMs: 100 },
      log: (level, message) => this.agentLogs.push(`${level} ${message}`),
    });
    await this.waitForPolicyVersion(0);
    return this.agent;
  }

  /** The agent as the server lists it. */
  async agentRecord() {
    return AgentRecordSchema.parse((await this.h.api('GET', `/agents/${this.agentId}`)).body);
  }

  async waitForPolicyVersion(version: number): Promise<void> {
    await waitFor(
      async () => {
        const res = await this.h.api('GET', `/agents/${this.agentId}`);
        return res.status === 200 && AgentRecordSchema.parse(res.body).policyVersion === version;
      },
      `the agent to report policy version ${version}`,
      10_000,
    );
  }

  async waitForAgentLog(pattern: RegExp): Promise<void> {
    await waitFor(() => this.agentLogs.some((l) => pattern.test(l)), `agent log ${pattern}`, 10_000);
  }

  /** Connects as a second server client with the server's secret (what stealing secrets.json gives). */
  async connectAttacker(): Promise<MqttClient> {
    const secrets = JSON.parse(readFileSync(join(this.h.dataDir, 'secrets.json'), 'utf8')) as { serverSecret: string };
    const client = await mqtt.connectAsync(this.h.server.mqttUrl, {
      protocolVersion: 4,
      clientId: `mig-server-${randomBytes(8).toString('hex')}`,
      username: SERVER_USERNAME,
      password: secrets.serverSecret,
      reconnectPeriod: 0,
    });
    client.on('message', (_topic, payload) => {
      const parsed = ResultMessageSchema.safeParse(JSON.parse(payload.toString()));
      if (parsed.success) this.results.push(parsed.data);
    });
    await client.subscribeAsync(resultsTopic(this.agentId), { qos: 1 });
    this.attacker = client;
    return client;
  }

  /** Publishes a policy bundle's text straight onto the agent's commands topic. */
  async pushBundle(text: string): Promise<void> {
    await this.requireAttacker().publishAsync(
      commandsTopic(this.agentId),
      JSON.stringify({ v: 1, kind: 'policy', bundle: text }),
      { qos: 1 },
    );
  }

  /** Sends a signed action straight to the agent, bypassing the server's checks; resolves with the agent's answer. */
  async sendDirect(action: SignedAction): Promise<ResultMessage> {
    const commandId = randomBytes(16).toString('hex');
    await this.requireAttacker().publishAsync(
      commandsTopic(this.agentId),
      JSON.stringify({ v: 1, kind: 'command', commandId, action: JSON.stringify(action) }),
      { qos: 1 },
    );
    await waitFor(
      () => this.results.some((r) => r.commandId === commandId),
      `the agent's answer to ${commandId}`,
      10_000,
    );
    const result = this.results.find((r) => r.commandId === commandId);
    if (result === undefined) throw new Error('unreachable');
    return result;
  }

  async action(id: string): Promise<ActionRecord> {
    return ActionRecordSchema.parse((await this.h.api('GET', `/actions/${id}`)).body);
  }

  async commands(id: string): Promise<CommandRecord[]> {
    return CommandListSchema.parse((await this.h.api('GET', `/actions/${id}/commands`)).body).commands;
  }

  /** Waits for an action to complete and returns its one command. */
  async completed(id: string): Promise<CommandRecord[]> {
    await waitFor(async () => (await this.action(id)).status === 'completed', `action ${id} to complete`, 15_000);
    return this.commands(id);
  }

  async teardown(): Promise<void> {
    await this.attacker?.endAsync(true);
    await this.agent?.close();
    await this.h.teardown();
  }

  private requireAttacker(): MqttClient {
    if (this.attacker === undefined) throw new Error('connectAttacker() first');
    return this.attacker;
  }
}
