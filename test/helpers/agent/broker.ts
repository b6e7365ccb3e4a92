import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import {
  EnrollRequestSchema,
  enrollSignatureValid,
  type EnrollRequest,
  type EnrollState,
} from '../../../protocol/enrollment.js';
import { AgentToServerSchema, type AgentToServer } from '../../../protocol/messages.js';
import {
  ALL_ENROLL_REQUESTS,
  ALL_HEARTBEATS,
  ALL_RESULTS,
  commandsTopic,
  enrollStatusTopic,
  parseAgentTopic,
  parseEnrollTopic,
} from '../../../protocol/topics.js';

/**
 * Test-only: a real aedes broker on port 0 whose authenticate hook checks the enrollment,
 * agent and server passwords (the real broker with its ACL lives in broker/), plus a real mqtt
 * client acting as the server: it answers enrollment requests (accepting by default, keeping
 * each agent's password), collects every agent message and publishes commands.
 */
export const ENROLLMENT_SECRET = 'enroll-me';
const SERVER_SECRET = 'server-secret';

export type ResultMsg = Extract<AgentToServer, { kind: 'result' }>;

/** Every message the fake server receives, and a way to wait for the one a test expects. */
export class Inbox {
  readonly messages: { agentId: string; message: AgentToServer }[] = [];
  private waiters: (() => void)[] = [];

  push(agentId: string, message: AgentToServer): void {
    this.messages.push({ agentId, message });
    for (const wake of this.waiters.splice(0)) wake();
  }

  async waitFor<T extends AgentToServer>(pred: (m: AgentToServer) => m is T, from?: number): Promise<T>;
  async waitFor(pred: (m: AgentToServer) => boolean, from?: number): Promise<AgentToServer>;
  async waitFor(pred: (m: AgentToServer) => boolean, from = 0): Promise<AgentToServer> {
    for (;;) {
      const hit = this.messages.slice(from).find((m) => pred(m.message));
      if (hit !== undefined) return hit.message;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  resultFor(commandId: string): Promise<ResultMsg> {
    return this.waitFor((m): m is ResultMsg => m.kind === 'result' && m.commandId === commandId);
  }
}

export interface TestBroker {
  url: string;
  server: MqttClient;
  inbox: Inbox;
  /** Cuts a client's TCP connection from the broker side, as a network failure would. */
  dropConnection(clientId: string): void;
  /** Publishes a command envelope carrying `action` (JSON-encoded) and returns its command id. */
  sendCommand(agentId: string, action: unknown, commandId?: string): Promise<string>;
  /** What the fake server answers to the next enrollment requests (default 'accepted'). */
  enrollAnswer: { state: EnrollState; reason?: string };
  /** Every enrollment request received, verified or not. */
  enrollments: EnrollRequest[];
  /** Broker passwords of accepted agents, by id: delete one to make the broker refuse it. */
  passwords: Map<string, string>;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const broker = await Aedes.createBroker();
  const passwords = new Map<string, string>();
  broker.authenticate = (client, username, password, done) => {
    const secret =
      username === 'mig-enroll'
        ? ENROLLMENT_SECRET
        : username === 'mig-agent' || username === client.id
          ? passwords.get(client.id)
          : username === 'mig-server'
            ? SERVER_SECRET
            : undefined;
    if (secret !== undefined && password?.toString() === secret) return done(null, true);
    done(Object.assign(new Error('not authorized'), { returnCode: 5 as const }), false);
  };
  const clients = new Map<string, Client>();
  broker.on('client', (client) => clients.set(client.id, client));
  const tcp = createServer({ noDelay: true }, broker.handle);
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
  const clientId = `mig-server-${randomBytes(4).toString('hex')}`;
  const server = await connectAsync(url, {
    protocolVersion: 4,
    clientId,
    username: 'mig-server',
    password: SERVER_SECRET,
    reconnectPeriod: 0,
  });
  const inbox = new Inbox();
  const enrollments: EnrollRequest[] = [];
  const state: Pick<TestBroker, 'enrollAnswer'> = { enrollAnswer: { state: 'accepted' } };
  server.on('message', (topic, payload) => {
    const enroll = parseEnrollTopic(topic);
    if (enroll?.kind === 'request') {
      const request = EnrollRequestSchema.safeParse(JSON.parse(payload.toString()));
      if (!request.success) return;
      enrollments.push(request.data);
      const answer = enrollSignatureValid(request.data)
        ? state.enrollAnswer
        : { state: 'rejected', reason: 'bad signature' };
      if (answer.state === 'accepted') passwords.set(request.data.agentId, request.data.password);
      // A reply still in flight when the test closes the fake server fails with "Connection closed": nobody waits for it.
      server
        .publishAsync(
          enrollStatusTopic(enroll.agentId),
          JSON.stringify({ v: 1, kind: 'enroll-status', agentId: enroll.agentId, ...answer }),
          { qos: 1 },
        )
        .catch(() => undefined);
      return;
    }
    const parsed = AgentToServerSchema.safeParse(JSON.parse(payload.toString()));
    const where = parseAgentTopic(topic);
    if (parsed.success && where !== undefined) inbox.push(where.agentId, parsed.data);
  });
  await server.subscribeAsync([ALL_RESULTS, ALL_HEARTBEATS, ALL_ENROLL_REQUESTS], { qos: 1 });
  return {
    get enrollAnswer() {
      return state.enrollAnswer;
    },
    set enrollAnswer(answer) {
      state.enrollAnswer = answer;
    },
    enrollments,
    passwords,
    url,
    server,
    inbox,
    dropConnection: (clientId) => clients.get(clientId)?.conn.destroy(),
    sendCommand: async (agentId, action, commandId = randomBytes(16).toString('hex')) => {
      const payload = { v: 1, kind: 'command', commandId, action: JSON.stringify(action) };
      await server.publishAsync(commandsTopic(agentId), JSON.stringify(payload), { qos: 1 });
      return commandId;
    },
    close: async () => {
      await server.endAsync(true);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
