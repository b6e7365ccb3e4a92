// One simulated agent of the fan-out benchmark: a real MQTT session (its own client id, will,
// clean: false, QoS 1; heartbeats at the agent's QoS), real heartbeats, and the real agent's
// acceptance pipeline on every command (agent/verify/pipeline.ts, called as agent/commands.ts
// calls it: envelope, action shape, signatures, validity window, replay, ACL, target,
// parameters), then an answer, signed with the agent's key when the bench asks for it. What it
// leaves out, to fit thousands in one process: the module run (it answers "found" with no rows),
// the journals on disk, and the worker/limits machinery.
// Like a real agent it has its own Ed25519 key (its id derives from it), enrolls once with the
// real agent's request builder and enrollment login (agent/enroll.ts), then logs in with the
// broker password it enrolled.
import mqtt, { type MqttClient } from 'mqtt';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { AgentKey } from '../agent/agent-key.js';
import { enrollOnce, enrollRequest } from '../agent/enroll.js';
import { DEFAULT_HEARTBEAT_MS } from '../agent/config.js';
import { AGENT_KEEPALIVE_S, AGENT_USERNAME, heartbeatQos } from '../agent/session.js';
import { agentIdFromPublicKey, publicKeyBase64 } from '../protocol/agent-key.js';
import { targetFacts, type HostFacts } from '../agent/facts.js';
import { heartbeatMessage, offlineMessage, resultMessage, type AnswerSigner } from '../agent/outbox.js';
import { checkValidityWindow } from '../agent/verify/check-freshness.js';
import { checkReplay, type ReplayStore } from '../agent/verify/check-replay.js';
import { parseAction, readEnvelope } from '../agent/verify/parse-envelope.js';
import {
  acceptVerified,
  verifyCommandAction,
  type AcceptDeps,
  type AcceptTrace,
  type VerifiedAction,
} from '../agent/verify/pipeline.js';
import { verifySignatures } from '../agent/verify/verify-signatures.js';
import type { Acl } from '../protocol/acl.js';
import { toWireError } from '../protocol/errors.js';
import type { CommandMessage, HeartbeatMessage } from '../protocol/messages.js';
import type { Keyring } from '../protocol/signature.js';
import { commandsTopic, heartbeatTopic, resultsTopic } from '../protocol/topics.js';

/** What every simulated agent of one process shares: the baked keys and how to check them. */
export interface SimShared {
  brokerUrl: string;
  enrollmentSecret: string;
  keyring: Keyring;
  acl: Acl;
  maxClockSkewMs: number;
  modules: string[];
  /** Facts of this host; each agent puts its own id and name in. */
  host: HostFacts;
  /**
   * 'full': every agent verifies every signature itself. 'shared': one verification per
   * process for identical action bytes (the 10,000-agent row: two cores then measure the
   * server, not 10,000 signature checks); every other step still runs per agent.
   */
  verify: 'full' | 'shared';
  /** Verdicts by exact action text, for 'shared'. */
  verdicts: Map<string, Promise<string[]>>;
  /**
   * Sign every answer with the agent's own key, as real agents do (agent/command/answer.ts):
   * the server then checks one Ed25519 signature per result (scheduler/answer-signature.ts).
   * Off by default so the rows stay comparable with earlier runs; MIG_BENCH_FANOUT_SIGN_ANSWERS=1.
   */
  signAnswers?: boolean;
}

/**
 * The MQTT keepalive the simulated agents ask for: the real agent's, unless
 * `MIG_BENCH_FANOUT_KEEPALIVE_S` says otherwise (0: no pings at all, to measure what connected
 * sessions cost the server when nothing is on the wire).
 */
export const SIM_KEEPALIVE_S = Number(process.env.MIG_BENCH_FANOUT_KEEPALIVE_S ?? AGENT_KEEPALIVE_S);

export interface SimAgentEvents {
  onConnected(agentId: string, connectMs: number): void;
  onReconnect(agentId: string): void;
  /** A message arrived on the agent's commands topic (before any parsing). Optional, like onAnswered. */
  onReceived?(agentId: string): void;
  onAccepted(agentId: string): void;
  /** The answer was handed to MQTT: `success`, or `failed <code>`. */
  onAnswered?(agentId: string, status: string): void;
  onProblem(agentId: string, message: string): void;
}

/** A simulated agent's identity, made in memory like agent/agent-key.ts and agent/credential.ts do on disk. */
export interface SimIdentity {
  key: AgentKey;
  /** Derived from the key (protocol/agent-key.ts): the agent's id. */
  id: string;
  /** 32 random bytes, base64url: the broker password it enrolls and logs in with. */
  password: string;
}

export function newSimIdentity(): SimIdentity {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = publicKeyBase64(privateKey);
  const id = agentIdFromPublicKey(publicKey);
  return { key: { privateKey, publicKey, derivedId: id }, id, password: randomBytes(32).toString('base64url') };
}

/**
 * How a simulated agent logs in to the broker: the ONE place that knows the session
 * credentials. Its own id and the password it enrolled (SimAgent.enroll first).
 */
export function connectSimAgent(shared: SimShared, identity: SimIdentity): MqttClient {
  const agentId = identity.id;
  return mqtt.connect(shared.brokerUrl, {
    protocolVersion: 4,
    keepalive: SIM_KEEPALIVE_S,
    clientId: agentId,
    clean: false,
    username: AGENT_USERNAME,
    password: identity.password,
    reconnectPeriod: 2_000,
    connectTimeout: 60_000,
    resubscribe: false,
    will: {
      topic: heartbeatTopic(agentId),
      payload: Buffer.from(JSON.stringify(offlineMessage(agentId, 'lost'))),
      qos: 1,
      retain: false,
    },
  });
}

export class SimAgent {
  readonly agentId: string;
  private client: MqttClient | undefined;
  private readonly host: HostFacts;
  /** What the agent's acceptance pipeline (agent/verify/pipeline.ts) checks against. */
  private readonly deps: AcceptDeps;
  private readonly signer: AnswerSigner | undefined;
  private readonly startedAt = new Date();
  private beatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly identity: SimIdentity,
    name: string,
    private readonly shared: SimShared,
    private readonly events: SimAgentEvents,
  ) {
    const agentId = identity.id;
    this.agentId = agentId;
    this.host = { ...shared.host, agentId, name, queueloc: `${shared.host.os}.${agentId}` };
    this.deps = {
      keyring: shared.keyring,
      acl: shared.acl,
      replay: new MemoryReplay(),
      facts: targetFacts(this.host),
      now: () => new Date(),
      maxClockSkewMs: shared.maxClockSkewMs,
    };
    this.signer =
      shared.signAnswers === true
        ? { agentId, privateKey: identity.key.privateKey, publicKey: identity.key.publicKey }
        : undefined;
  }

  /**
   * One enrollment, as the real agent does it: a signed request over a `mig-enroll` login. The
   * bench server auto-accepts, so anything but 'accepted' is a failure of the run.
   */
  async enroll(): Promise<void> {
    const request = enrollRequest({
      agentId: this.agentId,
      key: this.identity.key,
      password: this.identity.password,
      host: this.host,
      modules: this.shared.modules,
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
      now: () => new Date(),
    });
    const outcome = await enrollOnce({
      brokerUrl: this.shared.brokerUrl,
      enrollmentSecret: this.shared.enrollmentSecret,
      request,
      pendingWaitMs: 0,
    });
    if (outcome.state !== 'accepted')
      throw new Error(
        `enrollment of ${this.agentId}: ${outcome.state}${outcome.reason === undefined ? '' : `: ${outcome.reason}`}`,
      );
  }

  /** Opens the session; on CONNACK subscribes to its commands and says its first heartbeat. */
  connect(): void {
    const start = performance.now();
    let isFirst = true;
    const client = connectSimAgent(this.shared, this.identity);
    this.client = client;
    client.on('connect', () => {
      (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
      client.subscribe(commandsTopic(this.agentId), { qos: 1 }, (err) => {
        if (err) return this.events.onProblem(this.agentId, `subscribe: ${err.message}`);
        this.beat();
        if (isFirst) this.events.onConnected(this.agentId, performance.now() - start);
        isFirst = false;
      });
    });
    client.on('reconnect', () => this.events.onReconnect(this.agentId));
    client.on('error', (err) => this.events.onProblem(this.agentId, err.message));
    client.on('message', (_topic, payload) => {
      this.events.onReceived?.(this.agentId);
      void this.handle(payload);
    });
  }

  /** Heartbeats every `everyMs`, the first after `firstInMs` (spread the fleet's beats out); 0: no more beats. */
  beatEvery(everyMs: number, firstInMs: number): void {
    clearInterval(this.beatTimer);
    if (everyMs <= 0) return;
    this.beatTimer = setTimeout(() => {
      this.beat();
      this.beatTimer = setInterval(() => this.beat(), everyMs);
    }, firstInMs);
  }

  async close(): Promise<void> {
    clearInterval(this.beatTimer);
    clearTimeout(this.beatTimer);
    const client = this.client;
    if (client === undefined) return;
    if (client.connected)
      await client
        .publishAsync(heartbeatTopic(this.agentId), JSON.stringify(offlineMessage(this.agentId, 'shutdown')), {
          qos: 1,
        })
        .catch(() => undefined);
    await client.endAsync(true);
  }

  private beat(): void {
    const message: HeartbeatMessage = heartbeatMessage({
      host: this.host,
      modules: this.shared.modules,
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
      startedAt: this.startedAt,
      sentAt: new Date(),
    });
    this.client?.publish(heartbeatTopic(this.agentId), JSON.stringify(message), { qos: heartbeatQos(message) });
  }

  /**
   * The real agent's acceptance path (agent/commands.ts): readEnvelope, verifyCommandAction,
   * acceptVerified, so whatever makes those cheaper makes this row cheaper too. Then an
   * answer instead of a module run.
   */
  private async handle(payload: Buffer): Promise<void> {
    const startedAt = new Date();
    const envelope = readEnvelope(payload);
    if ('error' in envelope) {
      if (envelope.commandId === undefined)
        return this.events.onProblem(this.agentId, `malformed command: ${envelope.error.message}`);
      return this.answerFailure(envelope.commandId, undefined, envelope.error, startedAt);
    }
    const { message } = envelope;
    if (message.kind !== 'command') return;
    const trace: AcceptTrace = {};
    try {
      const accepted = await acceptVerified(message, await this.verified(message, trace), this.deps);
      this.events.onAccepted(this.agentId);
      const operations = accepted.operations.map((op) => ({
        module: op.module,
        isFound: true,
        rows: [],
        stats: {},
        errors: [],
      }));
      const input = { commandId: message.commandId, actionId: accepted.action.id, status: 'success' as const };
      await this.publish(resultMessage({ ...input, operations, startedAt, finishedAt: new Date() }, this.signer));
      this.events.onAnswered?.(this.agentId, 'success');
    } catch (err) {
      await this.answerFailure(message.commandId, trace.actionId, err, startedAt);
    }
  }

  private async answerFailure(
    commandId: string,
    actionId: string | undefined,
    err: unknown,
    startedAt: Date,
  ): Promise<void> {
    const error = toWireError(err);
    const input = { commandId, actionId, status: 'failed' as const, error, operations: [] };
    await this.publish(resultMessage({ ...input, startedAt, finishedAt: new Date() }, this.signer));
    this.events.onAnswered?.(this.agentId, `failed ${error.code}`);
  }

  /**
   * 'full': the agent's own verifyCommandAction. 'shared': the same steps, but the signature
   * verdict is computed once per process for identical action bytes (the 10,000-agent row);
   * the action is still parsed and its validity window checked per agent.
   */
  private verified(message: CommandMessage, trace: AcceptTrace): Promise<VerifiedAction> {
    if (this.shared.verify === 'full') return verifyCommandAction(message, this.deps, trace);
    return this.verifiedShared(message, trace);
  }

  private async verifiedShared(message: CommandMessage, trace: AcceptTrace): Promise<VerifiedAction> {
    trace.commandId = message.commandId;
    const parsed = parseAction(message.action);
    const { action } = parsed;
    trace.actionId = action.id;
    let verdict = this.shared.verdicts.get(message.action);
    if (verdict === undefined) {
      verdict = verifySignatures(parsed, this.shared.keyring);
      this.shared.verdicts.set(message.action, verdict);
    }
    const signers = await verdict;
    checkValidityWindow(action, this.deps.now(), this.deps.maxClockSkewMs);
    return { action, signers };
  }

  private async publish(message: ReturnType<typeof resultMessage>): Promise<void> {
    await this.client?.publishAsync(resultsTopic(this.agentId), JSON.stringify(message), { qos: 1 });
  }
}

/** The replay journal's contract, in memory (the real one is a file per agent). */
class MemoryReplay implements ReplayStore {
  private readonly until = new Map<string, Date>();
  has(actionId: string): boolean {
    return this.until.has(actionId);
  }
  async record(actionId: string, until: Date): Promise<void> {
    checkReplay(actionId, this);
    this.until.set(actionId, until);
  }
}
