// Child side of the fan-out benchmark: times each command inside the real agents without
// changing them. The agent exposes no per-command timing, so this watches its edges: the MQTT
// client's 'message' event (command received), the agent's own log line after acceptance
// (verify done), the module run function (wrapped), and the result publish.
import { MqttClient } from 'mqtt';
import { z } from 'zod';
import type { ModuleContext, ModuleRun } from '../protocol/module-spec.js';
import { moduleRunners } from '../modules/runners.js';
import type { RunnerMap } from '../agent/runner.js';

interface CommandTiming {
  receivedMs: number;
  acceptedMs?: number;
  runStartMs?: number;
  runEndMs?: number;
  publishedMs?: number;
  status?: string;
}

/** What one child sends back after a round: raw samples, so the parent can pool both children. */
export interface ProbeReport {
  cpuMs: number;
  handled: number;
  /** Command received → result handed to MQTT. */
  totalMs: number[];
  /** Received → the verify pipeline accepted it (parse, signature, freshness, ACL, params). */
  verifyMs: number[];
  runMs: number[];
  statuses: Record<string, number>;
  rssMB: number;
  /** Epoch ms (performance.timeOrigin based, comparable across processes): first and last command received, last result sent. */
  firstReceivedAt: number;
  lastReceivedAt: number;
  lastPublishedAt: number;
}

export class Probe {
  private timings = new Map<string, CommandTiming>();
  private cpuStart = process.cpuUsage();

  /** Starts a round: forgets the last one and takes the CPU baseline. */
  mark(): void {
    this.timings = new Map();
    this.cpuStart = process.cpuUsage();
  }

  received(agentId: string): void {
    this.timings.set(agentId, { receivedMs: performance.now() });
  }

  accepted(agentId: string): void {
    const t = this.timings.get(agentId);
    if (t !== undefined) t.acceptedMs = performance.now();
  }

  ran(agentId: string, startMs: number, endMs: number): void {
    const t = this.timings.get(agentId);
    if (t === undefined) return;
    t.runStartMs = startMs;
    t.runEndMs = endMs;
  }

  published(agentId: string, payload: string | Buffer): void {
    const t = this.timings.get(agentId);
    if (t === undefined || t.publishedMs !== undefined) return;
    this.answered(agentId, statusOf(payload));
  }

  /** The result was handed to MQTT with this status (callers that know it: no payload to read). */
  answered(agentId: string, status: string): void {
    const t = this.timings.get(agentId);
    if (t === undefined || t.publishedMs !== undefined) return;
    t.publishedMs = performance.now();
    t.status = status;
  }

  report(): ProbeReport {
    const cpu = process.cpuUsage(this.cpuStart);
    const done = [...this.timings.values()].filter((t) => t.publishedMs !== undefined);
    const statuses: Record<string, number> = {};
    for (const t of done) statuses[t.status ?? '?'] = (statuses[t.status ?? '?'] ?? 0) + 1;
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      handled: done.length,
      totalMs: done.map((t) => (t.publishedMs ?? 0) - t.receivedMs),
      verifyMs: done.flatMap((t) => (t.acceptedMs === undefined ? [] : [t.acceptedMs - t.receivedMs])),
      runMs: done.flatMap((t) =>
        t.runStartMs === undefined || t.runEndMs === undefined ? [] : [t.runEndMs - t.runStartMs],
      ),
      statuses,
      rssMB: process.memoryUsage().rss / 1e6,
      firstReceivedAt: epoch(Math.min(...done.map((t) => t.receivedMs))),
      lastReceivedAt: epoch(Math.max(...done.map((t) => t.receivedMs))),
      lastPublishedAt: epoch(Math.max(...done.map((t) => t.publishedMs ?? 0))),
    };
  }

  /**
   * Hooks every MqttClient in this process (the real agents' sessions create theirs privately;
   * simulated agents call received/answered themselves and need no hook).
   * 'message' is emitted synchronously into the agent's handler, so marking before it counts
   * the handler's synchronous work (envelope parse, journal write) as agent time.
   */
  install(): void {
    // The patched prototype methods below run with the client as `this`; the probe is captured.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const probe = this;
    const proto = MqttClient.prototype as unknown as {
      emit(this: MqttClient, event: string | symbol, ...args: unknown[]): boolean;
      publishAsync(this: MqttClient, topic: string, message: string | Buffer, opts?: unknown): Promise<unknown>;
    };
    // Detached on purpose: both originals are called back with `.call(this, ...)`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const emit = proto.emit;
    proto.emit = function (event, ...args) {
      if (event === 'message' && typeof args[0] === 'string' && args[0].endsWith('/commands'))
        probe.received(clientIdOf(this));
      return emit.call(this, event, ...args);
    };
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const publishAsync = proto.publishAsync;
    proto.publishAsync = function (topic, message, opts) {
      if (topic.endsWith('/results')) probe.published(clientIdOf(this), message);
      return publishAsync.call(this, topic, message, opts);
    };
  }

  /** The real module runners, each run timed from its first row request to its end. */
  runnersFor(agentId: () => string): RunnerMap {
    const wrap =
      (run: ModuleRun<never, unknown>): ModuleRun<never, unknown> =>
      (params: never, ctx: ModuleContext) =>
        timed(run(params, ctx), (start, end) => this.ran(agentId(), start, end));
    return new Map([...moduleRunners].map(([name, run]) => [name, wrap(run)]));
  }
}

async function* timed<R>(rows: AsyncIterable<R>, done: (startMs: number, endMs: number) => void): AsyncIterable<R> {
  const start = performance.now();
  try {
    yield* rows;
  } finally {
    done(start, performance.now());
  }
}

function epoch(ms: number): number {
  return Number.isFinite(ms) ? performance.timeOrigin + ms : 0;
}

function clientIdOf(client: MqttClient): string {
  return client.options.clientId ?? '';
}

const ResultStatusSchema = z.object({ status: z.string(), error: z.object({ code: z.string() }).optional() });

const SUCCESS_HEAD = /^\{"v":1,"kind":"result","commandId":"[0-9a-f]+","status":"success",/;

/** Our own agents' result JSON; only the status (and a failure's code) is read, for the round's sanity check. */
function statusOf(payload: string | Buffer): string {
  const text = payload.toString();
  // Most answers are a plain success: read from the head of the JSON (agent/outbox.ts writes
  // status right after commandId) instead of parsing 10,000 answers in the agents' processes.
  if (SUCCESS_HEAD.test(text) && !text.includes('"error":')) return 'success';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const parsed = ResultStatusSchema.safeParse(raw);
  if (!parsed.success) return 'unreadable';
  return parsed.data.error === undefined ? parsed.data.status : `${parsed.data.status} ${parsed.data.error.code}`;
}
