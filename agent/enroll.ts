import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { signWithAgentKey } from '../protocol/agent-key.js';
import {
  EnrollStatusSchema,
  enrollSigningBytes,
  type EnrollRequest,
  type EnrollState,
  type UnsignedEnrollRequest,
} from '../protocol/enrollment.js';
import { MESSAGE_VERSION } from '../protocol/messages.js';
import { enrollRequestTopic, enrollStatusTopic } from '../protocol/topics.js';
import type { AgentKey } from './agent-key.js';
import { platformFacts, type HostFacts } from './facts.js';

/** Username and client id of an enrollment login (see broker/mqtt/credentials.ts). */
export const ENROLL_USERNAME = 'mig-enroll';
// Alike on purpose (duplicates): constants then an options interface; agent/session.ts has the same layout with other
// constants and fields.
/** How long one enrollment login waits for a decision once the server said `pending`. */
export const DEFAULT_PENDING_WAIT_MS = 30_000;
/** How long it waits for the server's first answer. */
const ANSWER_TIMEOUT_MS = 10_000;

export interface EnrollInput {
  agentId: string;
  key: AgentKey;
  password: string;
  host: HostFacts;
  modules: string[];
  heartbeatMs: number;
  now: () => Date;
}

/** A fresh, signed enrollment request (sentAt is checked for freshness by the server). */
export function enrollRequest(input: EnrollInput): EnrollRequest {
  const { host } = input;
  const unsigned: UnsignedEnrollRequest = {
    v: MESSAGE_VERSION,
    kind: 'enroll',
    agentId: input.agentId,
    publicKey: input.key.publicKey,
    password: input.password,
    name: host.name,
    tags: host.tags,
    facts: {
      ...platformFacts(host),
      modules: input.modules,
      heartbeatMs: input.heartbeatMs,
    },
    sentAt: input.now().toISOString(),
  };
  return { ...unsigned, signature: signWithAgentKey(input.key.privateKey, enrollSigningBytes(unsigned)) };
}

export interface EnrollAttemptOptions {
  brokerUrl: string;
  enrollmentSecret: string;
  /** PEM contents (a client certificate is presented but not needed to enroll). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  request: EnrollRequest;
  /** While pending, how long to stay connected for the admin's decision. */
  pendingWaitMs?: number;
  signal?: AbortSignal;
}

export type EnrollOutcome = { state: EnrollState; reason?: string } | { state: 'unreachable'; reason: string };

/**
 * One enrollment login: connect as `mig-enroll` with a client id that is never the agent id (an
 * enrollment cannot kick a live session), listen on our status topic, publish the request, and
 * return the server's answer. While pending, the login stays open for `pendingWaitMs` so an
 * admin's accept arrives at once.
 */
export async function enrollOnce(opts: EnrollAttemptOptions): Promise<EnrollOutcome> {
  const agentId = opts.request.agentId;
  let client: MqttClient;
  try {
    client = await connectAsync(opts.brokerUrl, enrollClientOptions(opts));
  } catch (err) {
    return { state: 'unreachable', reason: (err as Error).message };
  }
  try {
    const answers = statusStream(client, agentId);
    await client.subscribeAsync(enrollStatusTopic(agentId), { qos: 1 });
    await client.publishAsync(enrollRequestTopic(agentId), JSON.stringify(opts.request), { qos: 1 });
    const first = await answers.next(ANSWER_TIMEOUT_MS, opts.signal);
    if (first === undefined)
      return { state: 'unreachable', reason: `no answer from the server within ${ANSWER_TIMEOUT_MS} ms` };
    if (first.state !== 'pending') return first;
    return (await answers.next(opts.pendingWaitMs ?? DEFAULT_PENDING_WAIT_MS, opts.signal)) ?? first;
  } catch (err) {
    return { state: 'unreachable', reason: (err as Error).message };
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

function enrollClientOptions(opts: EnrollAttemptOptions): IClientOptions {
  return {
    protocolVersion: 4,
    clientId: `${ENROLL_USERNAME}-${opts.request.agentId}-${randomBytes(4).toString('hex')}`,
    username: ENROLL_USERNAME,
    password: opts.enrollmentSecret,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: ANSWER_TIMEOUT_MS,
    ...(opts.tls ?? {}),
  };
}

/** Status messages for one agent, in order; `next` resolves undefined on timeout or abort. */
function statusStream(client: MqttClient, agentId: string) {
  const queue: { state: EnrollState; reason?: string }[] = [];
  let wake: (() => void) | undefined;
  client.on('message', (topic, payload) => {
    if (topic !== enrollStatusTopic(agentId)) return;
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString());
    } catch {
      return;
    }
    const parsed = EnrollStatusSchema.safeParse(raw);
    if (!parsed.success || parsed.data.agentId !== agentId) return;
    queue.push({
      state: parsed.data.state,
      ...(parsed.data.reason === undefined ? {} : { reason: parsed.data.reason }),
    });
    wake?.();
  });
  return {
    async next(timeoutMs: number, signal?: AbortSignal): Promise<{ state: EnrollState; reason?: string } | undefined> {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          const done = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
          };
          wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
        wake = undefined;
      }
      return queue.shift();
    },
  };
}
