// Parent side of the fan-out benchmark's agent processes: spawns bench/fanout-agents.ts, speaks
// its line protocol (words in on stdin, JSON lines out on stdout) and always takes it down.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { z } from 'zod';

/** Real agents (startAgent) or simulated ones (fanout-sim-agent.ts). */
export type AgentKind = 'real' | 'sim';
const CHILD_SCRIPTS: Record<AgentKind, string> = {
  real: fileURLToPath(new URL('./fanout-agents.ts', import.meta.url)),
  sim: fileURLToPath(new URL('./fanout-sim-agents.ts', import.meta.url)),
};
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A clean stop closes every agent (each waits up to 2 s for the broker); then we kill. */
const STOP_GRACE_MS = 20_000;
const STDERR_TAIL_CHARS = 4000;
const LOAD_TIMEOUT_MS = 60_000;

const Samples = z.array(z.number());
export const ChildReportSchema = z.object({
  type: z.literal('report'),
  cpuMs: z.number(),
  handled: z.number(),
  totalMs: Samples,
  verifyMs: Samples,
  runMs: Samples,
  statuses: z.record(z.string(), z.number()),
  rssMB: z.number(),
  firstReceivedAt: z.number(),
  lastReceivedAt: z.number(),
  lastPublishedAt: z.number(),
});
export type ChildReport = z.infer<typeof ChildReportSchema>;

const ChildMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('loaded'), pid: z.number() }),
  z.object({
    type: z.literal('ready'),
    agents: z.number(),
    connectMs: z.number(),
    /** Simulated fleets: each agent's connect() → subscribed, and how many reconnects the storm caused. */
    connectP50Ms: z.number().optional(),
    connectP99Ms: z.number().optional(),
    connectMaxMs: z.number().optional(),
    reconnects: z.number().optional(),
  }),
  z.object({
    type: z.literal('enrolled'),
    agents: z.number(),
    /** Simulated fleets: making every key (untimed in enrollMs), then every enrollment, a few in flight at once. */
    keysMs: z.number(),
    enrollMs: z.number(),
    enrollP50Ms: z.number(),
    enrollP99Ms: z.number(),
    enrollMaxMs: z.number(),
    /** Enrollment logins open at once in the child, and those tried again after no answer. */
    inFlight: z.number(),
    retries: z.number(),
  }),
  z.object({ type: z.literal('beating') }),
  z.object({ type: z.literal('marked') }),
  ChildReportSchema,
  z.object({ type: z.literal('stopped') }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
type ChildMessage = z.infer<typeof ChildMessageSchema>;
type Waiter = { type: ChildMessage['type']; resolve(m: ChildMessage): void; reject(err: Error): void };

export class AgentChild {
  private readonly waiters: Waiter[] = [];
  private stderr = '';
  private failure: Error | undefined;
  private readonly exited: Promise<void>;
  private loadedAnswer: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL_CHARS)));
    if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => this.fail(new Error(`${name} exited (${signal ?? code})`)));
    child.once('error', (err) => this.fail(err));
  }

  /** Starts the child; `loaded()` says when its code is loaded (tsx compiles it first). */
  static start(name: string, specPath: string, kind: AgentKind = 'real'): AgentChild {
    // 5,000 MQTT sessions in one process outgrow the default heap limit's comfort zone.
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=4096', ...childProfileArgs(), '--import', 'tsx', CHILD_SCRIPTS[kind], specPath],
      { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const agentChild = new AgentChild(name, child);
    agentChild.loadedAnswer = agentChild.next('loaded', LOAD_TIMEOUT_MS);
    // Observed here so a failure before anyone awaits it is not an unhandled rejection.
    agentChild.loadedAnswer.catch(() => undefined);
    return agentChild;
  }

  async loaded(): Promise<void> {
    await this.loadedAnswer;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends `word` and waits for the answer of type `want`. */
  async ask<T extends ChildMessage['type']>(
    word: string,
    want: T,
    timeoutMs: number,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    const answer = this.next(want, timeoutMs);
    this.child.stdin?.write(`${word}\n`);
    return answer;
  }

  stderrTail(): string {
    return this.stderr.trim();
  }

  /** Asks for a clean stop; kills the process if it is not gone within the grace period. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin?.write('stop\n');
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private next<T extends ChildMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms${this.tail()}`)),
        timeoutMs,
      );
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<ChildMessage, { type: T }>);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
  }

  private onLine(line: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return; // not one of ours (a library writing to stdout): ignored
    }
    const parsed = ChildMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'failed') return this.fail(new Error(`${this.name} failed: ${message.message}`));
    const index = this.waiters.findIndex((w) => w.type === message.type);
    if (index !== -1) this.waiters.splice(index, 1)[0]?.resolve(message);
  }

  private fail(err: Error): void {
    this.failure ??= new Error(`${err.message}${this.tail()}`);
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }

  private tail(): string {
    return this.stderr.trim() === '' ? '' : `; its stderr ends with:\n${this.stderr.trim()}`;
  }
}

/**
 * `MIG_BENCH_FANOUT_CHILD_PROFILE=/tmp/dir`: each agent process writes a CPU profile of its
 * whole life there when it exits (summarise with bench/fanout-profile.ts), to see what the
 * simulated agents spend beside the server.
 */
function childProfileArgs(): string[] {
  const dir = process.env.MIG_BENCH_FANOUT_CHILD_PROFILE;
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}
