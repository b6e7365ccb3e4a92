import { z } from 'zod';

/**
 * What the agent (parent) and a module worker thread say to each other. The worker runs our own
 * code, but the module it runs reads hostile files: its messages are parsed, not cast, so a
 * worker in a bad state fails the operation loudly instead of confusing the parent.
 */

/** Where a worker finds a module's run function: an ES module and the name of its exported RunnerMap. */
export interface RunnerLocation {
  url: string;
  exportName: string;
}

/** What one job asks of a worker: the parent's side of a `run` message. */
export interface JobRequest {
  module: string;
  location: RunnerLocation;
  params: unknown;
  root: string;
  /** The parent's clock at the start (it may be a test's fake clock); the worker runs it on. */
  nowMs: number;
  hasJournal: boolean;
  /** The module's own agent settings (ctx.settings); absent: none. Plain JSON, cloned to the worker. */
  settings?: unknown;
  /** The result schema's keys: only these travel (the parent filters again, fully). */
  keys: string[];
}

/** Parent → worker. */
export type ToWorker =
  | ({ kind: 'run'; job: number } & JobRequest)
  /** Abort the module's signal (cancel, timeout, cap reached); the worker answers `done` when it stopped. */
  | { kind: 'abort'; job: number }
  /** Flow control: the parent has taken this many rows of the job. */
  | { kind: 'ack'; job: number; rows: number };

const Stats = z.record(z.string(), z.number());

/** Worker → parent. */
export const FromWorkerSchema = z.discriminatedUnion('kind', [
  /** Booted, default runners loaded: ready for jobs. */
  z.strictObject({ kind: z.literal('ready') }),
  /** A raw row: the parent filters it (row-filter.ts) exactly as for a module on its own thread. */
  z.strictObject({ kind: z.literal('row'), job: z.number().int(), row: z.unknown() }),
  z.strictObject({ kind: z.literal('warn'), job: z.number().int(), message: z.string() }),
  z.strictObject({ kind: z.literal('log'), job: z.number().int(), message: z.string() }),
  z.strictObject({ kind: z.literal('journal'), job: z.number().int(), entry: z.record(z.string(), z.unknown()) }),
  /** The generator ended (or was stopped); `error`: it threw. Stats are final. */
  z.strictObject({
    kind: z.literal('done'),
    job: z.number().int(),
    stats: Stats,
    error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  }),
]);
export type FromWorker = z.output<typeof FromWorkerSchema>;

/** Rows the worker may send ahead of the parent's acks: bounds what a fast module queues in the parent. */
export const ROW_WINDOW = 512;
/** The parent acks every this many rows. */
export const ACK_EVERY = 128;
/** At most one progress snapshot per this interval (written from ctx.count, so a busy module reports too: progress-board.ts). */
export const PROGRESS_MS = 250;
