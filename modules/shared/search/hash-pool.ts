import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { CHUNK_BYTES } from './read.js';
import type { HashAlgorithm } from './param-values.js';

/**
 * Reader threads for whole-tree hashing: a file whose only need is its digests (no content
 * regex, no decompression) and that fits one read is opened, read, hashed and closed on a
 * worker, while the module's thread goes on walking and stat'ing. On 20,000 small files the
 * syscalls were ~60 % of a single-threaded run (doc/performance.md, Whole-tree hashing).
 *
 * The worker's code is a string run with `eval: true`: the same text runs from the TypeScript
 * sources, dist/, the CLI bundle and the single-file agent bundle, none of which would find a
 * worker file by the same path. Each file is still read once for all its digests.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const { createHash, hash } = require('node:crypto');
const CHUNK = ${CHUNK_BYTES};
const buffer = Buffer.allocUnsafe(CHUNK);
/** Appends the file's digests (in job.algorithms order) to out; returns the bytes read. */
function digest(job, out) {
  const fd = openSync(job.path, 'r');
  try {
    let n = readSync(fd, buffer, 0, CHUNK, null);
    // As read.ts: a short first read ending at the stat size is the whole file, hashed one-shot.
    if (n < CHUNK && n === job.size) {
      for (const a of job.algorithms) out.push(hash(a, buffer.subarray(0, n), 'hex'));
      return n;
    }
    const hashes = job.algorithms.map((a) => createHash(a));
    let offset = 0;
    while (n > 0) {
      offset += n;
      for (const h of hashes) h.update(buffer.subarray(0, n));
      if (n < CHUNK && offset === job.size) break;
      n = readSync(fd, buffer, 0, CHUNK, null);
    }
    for (const h of hashes) out.push(h.digest('hex'));
    return offset;
  } finally {
    closeSync(fd);
  }
}
// One flat reply per batch: a list of objects per file cost more to copy and check than the hashing.
parentPort.on('message', ({ id, jobs }) => {
  const digests = [];
  const bytes = [];
  const errors = [];
  jobs.forEach((job, i) => {
    try {
      bytes.push(digest(job, digests));
    } catch (err) {
      bytes.push(-1);
      errors.push({ index: i, message: String(err && err.message), code: String(err && err.code) });
    }
  });
  parentPort.postMessage({ id, digests, bytes, errors });
});
`;

/** Reader threads at most, whatever the core count. */
export const MAX_READERS = 4;

export interface HashJob {
  path: string;
  /** From the file's stat: a short read ending there needs no further read(). */
  size: number;
  algorithms: HashAlgorithm[];
}

const replySchema = z.strictObject({
  id: z.number().int(),
  /** Each file's digests in its job's algorithm order, files in job order; none for a failed file. */
  digests: z.array(z.string()),
  /** Bytes read per file; -1 for a file in `errors`. */
  bytes: z.array(z.number().int().min(-1)),
  errors: z.array(z.strictObject({ index: z.number().int(), message: z.string(), code: z.string() })),
});
type Reply = z.output<typeof replySchema>;

export type HashResult =
  { digests: ReadonlyMap<HashAlgorithm, string>; bytes: number } | { error: Error & { code?: string } };

/** A file larger than one read stays on the module's thread, where a long read can pause and stop. */
export function fitsPool(size: number): boolean {
  return size <= CHUNK_BYTES;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  /**
   * One thread per core, at most MAX_READERS: the walking thread keeps under half the work
   * (walk, stat, judge: 250 of 570 ms of CPU on 20,000 small files), so with one reader thread
   * on two cores the reader was the longest thread. An endpoint hunt must not take a big
   * host's every core nor flood its disks.
   */
  constructor(private readonly size = Math.min(MAX_READERS, availableParallelism())) {}

  /**
   * Digests of `jobs`, in their order. The jobs are spread over the threads by size, so one
   * thread does not get every large file of a directory.
   */
  async hash(jobs: readonly HashJob[]): Promise<HashResult[]> {
    this.start();
    const shares: { jobs: HashJob[]; indexes: number[]; bytes: number }[] = this.workers.map(() => ({
      jobs: [],
      indexes: [],
      bytes: 0,
    }));
    jobs.forEach((job, i) => {
      const share = shares.reduce((least, s) => (s.bytes < least.bytes ? s : least));
      share.jobs.push(job);
      share.indexes.push(i);
      share.bytes += job.size + 4096;
    });
    const out = new Array<HashResult>(jobs.length);
    await Promise.all(
      shares.map(async (share, w) => {
        if (share.jobs.length === 0) return;
        const reply = await this.post(this.workers[w] as Worker, share.jobs);
        const errors = new Map(reply.errors.map((e) => [e.index, e]));
        let next = 0;
        share.jobs.forEach((job, k) => {
          const error = errors.get(k);
          const index = share.indexes[k] as number;
          if (error !== undefined) {
            out[index] = { error: Object.assign(new Error(error.message), { code: error.code }) };
            return;
          }
          const digests = new Map<HashAlgorithm, string>();
          for (const algorithm of job.algorithms) digests.set(algorithm, reply.digests[next++] ?? '');
          out[index] = { digests, bytes: reply.bytes[k] ?? 0 };
        });
      }),
    );
    return out;
  }

  /** Ends the threads; the run that made the pool calls it when it ends (they keep a process alive). */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private start(): void {
    if (this.failure !== undefined) throw this.failure;
    while (this.workers.length < this.size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (message: unknown) => this.settle(message));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (this.workers.includes(worker)) this.fail(new Error(`hash reader thread exited (${code})`));
      });
      this.workers.push(worker);
    }
  }

  private post(worker: Worker, jobs: HashJob[]): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, jobs });
    });
  }

  private settle(message: unknown): void {
    const reply = replySchema.parse(message);
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    pending?.resolve(reply);
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const pending of this.pending.values()) pending.reject(err);
    this.pending.clear();
  }
}
