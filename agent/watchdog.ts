import { z } from 'zod';
import type { ModuleCode } from '../protocol/errors.js';
import type { AgentResources } from '../protocol/messages.js';
import { silentLog, type LogFn } from './log.js';

/**
 * The agent's watchdog, after osquery's: the agent bounds its own footprint. Every `intervalMs`
 * it samples the process's resident memory and CPU; over `maxRssMb` at one check, or over
 * `maxCpuPercent` (of one core) for `cpuStrikes` checks in a row while a module runs, it
 * restarts its module worker threads (the running module fails with a coded error, a fresh
 * worker takes the next job), logs why and says so in the next heartbeat. Modules are where
 * the agent's work and its unbounded inputs are: restarting them is the remedy that keeps the
 * agent itself reachable. (osquery restarts a worker process; ours are threads of one process.)
 */
export const WatchdogConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('false: measure and report, never restart'),
  maxRssMb: z
    .number()
    .int()
    .min(64)
    .max(1_048_576)
    .default(1536)
    .describe('resident memory of the whole agent process, in MB, above which the module workers are restarted'),
  maxCpuPercent: z
    .number()
    .min(1)
    .max(6400)
    .default(90)
    .describe(
      'CPU of the whole agent process in percent of one core; sustained for cpuStrikes checks while a module runs, the module workers are restarted',
    ),
  cpuStrikes: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(12)
    .describe('checks in a row over maxCpuPercent before a restart (12 × 5 s: one minute)'),
  intervalMs: z
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(5000)
    .describe('how often the watchdog samples RSS and CPU'),
});
export type WatchdogConfig = z.output<typeof WatchdogConfigSchema>;
export type WatchdogConfigInput = z.input<typeof WatchdogConfigSchema>;

/** The defaults, for agents whose config has no `watchdog` block. */
export const DEFAULT_WATCHDOG: WatchdogConfig = WatchdogConfigSchema.parse({});

/** Checks after a restart during which no other restart happens: memory freed by dead threads takes a moment to leave RSS. */
const SETTLE_CHECKS = 2;

/** What the watchdog restarts: the module worker pool (agent/worker/pool.ts). */
export interface RestartableWorkers {
  /** Worker threads alive (idle or busy). */
  liveWorkers(): number;
  /** Worker threads running a module now. */
  busyWorkers(): number;
  /** Terminates every worker; their running jobs end with `code` and `why`; fresh ones start. */
  restart(why: string, code: ModuleCode): void;
}

export interface ResourceSample {
  rssBytes: number;
  /** User + system CPU of the process since it started, in µs. */
  cpuMicros: number;
  /** A monotonic time in ms. */
  atMs: number;
}

export function sampleProcess(): ResourceSample {
  const cpu = process.cpuUsage();
  return { rssBytes: process.memoryUsage.rss(), cpuMicros: cpu.user + cpu.system, atMs: performance.now() };
}

export interface WatchdogOptions {
  limits: WatchdogConfig;
  workers: RestartableWorkers;
  log?: LogFn;
  /** Wall clock for the restart's `at` (tests may fake it). */
  now?: () => Date;
}

export class Watchdog {
  private last: ResourceSample = sampleProcess();
  private rssMb = Math.round(this.last.rssBytes / 2 ** 20);
  private cpuPercent = 0;
  private strikes = 0;
  private restarts = 0;
  private lastRestart: { at: string; reason: string } | undefined;
  private checksSinceRestart = Number.POSITIVE_INFINITY;
  /** A limit passed with no worker to restart: said once, until the figures are back under it. */
  private isOverSaid = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly log: LogFn;
  private readonly now: () => Date;

  constructor(private readonly opts: WatchdogOptions) {
    this.log = opts.log ?? silentLog;
    this.now = opts.now ?? (() => new Date());
  }

  get limits(): WatchdogConfig {
    return this.opts.limits;
  }

  /** Samples every intervalMs from now on (the timer never keeps the process alive). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.check(), this.opts.limits.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Called after each restart (agents send a heartbeat at once). Returns the unsubscribe. */
  onRestart(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** One sample and decision; the timer calls it, tests may call it directly. */
  check(sample: ResourceSample = sampleProcess()): void {
    const wallMs = sample.atMs - this.last.atMs;
    if (wallMs > 0) this.cpuPercent = Math.max(0, (sample.cpuMicros - this.last.cpuMicros) / 10 / wallMs);
    this.last = sample;
    this.rssMb = Math.round(sample.rssBytes / 2 ** 20);
    this.checksSinceRestart++;
    const { limits, workers } = this.opts;
    // Only module work counts against the CPU limit: restarting idle workers would not lower it.
    this.strikes = this.cpuPercent > limits.maxCpuPercent && workers.busyWorkers() > 0 ? this.strikes + 1 : 0;
    let over: { reason: string; code: ModuleCode } | undefined;
    if (this.rssMb > limits.maxRssMb) {
      over = {
        reason: `agent RSS ${this.rssMb} MB is over the limit of ${limits.maxRssMb} MB (agent config watchdog.maxRssMb)`,
        code: 'MODULE_MEMORY_LIMIT',
      };
    } else if (this.strikes >= limits.cpuStrikes) {
      over = {
        reason: `agent CPU ${Math.round(this.cpuPercent)} % of a core for ${this.strikes} checks is over the limit of ${limits.maxCpuPercent} % (agent config watchdog.maxCpuPercent)`,
        code: 'MODULE_FAILED',
      };
    }
    if (over === undefined) {
      this.isOverSaid = false;
      return;
    }
    if (!limits.enabled || workers.liveWorkers() === 0 || this.checksSinceRestart <= SETTLE_CHECKS) {
      if (!this.isOverSaid)
        this.log(
          'warn',
          `watchdog: ${over.reason}; ${limits.enabled ? 'no module worker to restart' : 'restarts are disabled'}`,
        );
      this.isOverSaid = true;
      return;
    }
    this.restart(over.reason, over.code);
  }

  /** The figures heartbeats carry. */
  resources(): AgentResources {
    return {
      rssMb: this.rssMb,
      cpuPercent: Math.round(this.cpuPercent * 10) / 10,
      watchdogRestarts: this.restarts,
      ...(this.lastRestart === undefined ? {} : { lastRestart: this.lastRestart }),
    };
  }

  private restart(reason: string, code: ModuleCode): void {
    this.restarts++;
    this.strikes = 0;
    this.checksSinceRestart = 0;
    this.isOverSaid = false;
    this.lastRestart = { at: this.now().toISOString(), reason: reason.slice(0, 256) };
    this.log('warn', `watchdog: ${reason}; restarting the module workers (restart ${this.restarts})`);
    this.opts.workers.restart(`the agent watchdog restarted the module workers: ${reason}`, code);
    for (const listener of this.listeners) listener();
  }
}
