import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { CHUNK_BYTES } from './read.js';
import type { HashAlgorithm } from './param-values.js';

/**
 * Reader threads for whole-tree hashing: a file whose only need is its digests (no content
 * regex, no decompression) is opened, stat'ed, read, hashed and closed on a worker, while the
 * module's thread goes on walking. On 20,000 small files the syscalls were ~60 % of a
 * single-threaded run (doc/performance.md, Whole-tree hashing).
 *
 * The stat is the worker's `fstat` of the file it opened (O_NOFOLLOW | O_NONBLOCK: a path
 * replaced by a symlink since its directory was read fails, a FIFO does not block, and neither
 * is read): the walking thread's `lstat` per file cost it more than all its other work
 * (measured: 5-7 µs of CPU per file on the bench VM, against 2.5 µs for an fstat).
 *
 * The worker's code is a string run with `eval: true`: the same text runs from the TypeScript
 * sources, dist/, the CLI bundle and the single-file agent bundle, none of which would find a
 * worker file by the same path. Each file is still read once for all its digests.
 */

/** Per file in a reply's `numbers`: status (bytes read, or one of the codes below), size, mode, mtimeMs. */
const NUMBERS_PER_FILE = 4;
const FAILED = -1;
const NOT_A_FILE = -2;
const LARGER_THAN_ONE_READ = -3;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, constants, fstatSync, openSync, readSync } = require('node:fs');
const { createHash, hash } = require('node:crypto');
const CHUNK = ${CHUNK_BYTES};
const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const buffer = Buffer.allocUnsafe(CHUNK);
/** Appends the file's digests (in algorithms order) to out, its stat to numbers at k; returns its status. */
function digest(path, algorithms, out, numbers, k) {
  const fd = openSync(path, FLAGS);
  try {
    const stat = fstatSync(fd);
    numbers[k + 1] = stat.size;
    numbers[k + 2] = stat.mode;
    numbers[k + 3] = stat.mtimeMs;
    if (!stat.isFile()) return ${NOT_A_FILE};
    // Longer than one read: the module's thread reads it, where a long read can pause and stop.
    if (stat.size > CHUNK) return ${LARGER_THAN_ONE_READ};
    let n = readSync(fd, buffer, 0, CHUNK, null);
    // As read.ts: a short first read ending at the stat size is the whole file, hashed one-shot.
    if (n < CHUNK && n === stat.size) {
      for (const a of algorithms) out.push(hash(a, buffer.subarray(0, n), 'hex'));
      return n;
    }
    // Grown since the fstat: read to its real end.
    const hashes = algorithms.map((a) => createHash(a));
    let offset = 0;
    while (n > 0) {
      offset += n;
      for (const h of hashes) h.update(buffer.subarray(0, n));
      n = readSync(fd, buffer, 0, CHUNK, null);
    }
    for (const h of hashes) out.push(h.digest('hex'));
    return offset;
  } finally {
    closeSync(fd);
  }
}
// One flat message each way per batch: a list of objects per file cost more to copy than the
// hashing (measured: 2 µs of the sender's CPU per file as objects, 0.5 µs as one joined string).
parentPort.on('message', ({ id, paths, algorithms }) => {
  const files = paths.split('\\0');
  const digests = [];
  const numbers = new Float64Array(files.length * ${NUMBERS_PER_FILE});
  const errors = [];
  for (let i = 0; i < files.length; i++) {
    const k = i * ${NUMBERS_PER_FILE};
    try {
      numbers[k] = digest(files[i], algorithms, digests, numbers, k);
    } catch (err) {
      numbers[k] = ${FAILED};
      errors.push({ index: i, message: String(err && err.message), code: String(err && err.code) });
    }
  }
  parentPort.postMessage({ id, digests: digests.join(''), numbers, errors }, [numbers.buffer]);
});
`;

/** Reader threads at most, whatever the core count. */
export const MAX_READERS = 4;

/**
 * Files per message to a reader: a directory of thousands of files is spread over the threads,
 * and a message still carries enough files that its cost per file is small.
 */
const FILES_PER_MESSAGE = 64;

/** What a reply tells of a file: the three fields a row and a metadata check use. */
export interface FileStat {
  size: number;
  mode: number;
  mtimeMs: number;
}

const replySchema = z.strictObject({
  id: z.number().int(),
  /**
   * Each hashed file's hex digests in algorithm order, files in batch order, none for the
   * others: one string (each digest's length is its algorithm's), one copy per message.
   */
  digests: z.string(),
  /** NUMBERS_PER_FILE per file. */
  numbers: z.instanceof(Float64Array),
  errors: z.array(z.strictObject({ index: z.number().int(), message: z.string(), code: z.string() })),
});
type Reply = z.output<typeof replySchema>;

export type HashResult =
  | { kind: 'hashed'; digests: ReadonlyMap<HashAlgorithm, string>; bytes: number; stat: FileStat }
  /** More than one read: the module's thread reads it (it can pause and stop between reads). */
  | { kind: 'large'; stat: FileStat }
  /** No longer a regular file (replaced since its directory was read): not read. */
  | { kind: 'notFile' }
  | { kind: 'failed'; error: Error & { code?: string } };

/** A file larger than one read stays on the module's thread, where a long read can pause and stop. */
export function fitsPool(size: number): boolean {
  return size <= CHUNK_BYTES;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

interface Reader {
  worker: Worker;
  /** Files sent and not yet answered: the next message goes to the least loaded thread. */
  files: number;
}

export class HashPool {
  private readonly readers: Reader[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  /**
   * One thread per core, at most MAX_READERS: the walking thread keeps well under half the
   * work, so with one reader thread on two cores the reader was the longest thread. An
   * endpoint hunt must not take a big host's every core nor flood its disks.
   */
  constructor(private readonly size = Math.min(MAX_READERS, availableParallelism())) {}

  /** Digests and stat of each file at `paths` (real paths), in their order. */
  async hash(paths: readonly string[], algorithms: readonly HashAlgorithm[]): Promise<HashResult[]> {
    this.start();
    const parts: Promise<HashResult[]>[] = [];
    for (let from = 0; from < paths.length; from += FILES_PER_MESSAGE) {
      const slice = paths.slice(from, from + FILES_PER_MESSAGE);
      parts.push(this.post(slice, algorithms).then((reply) => resultsOf(reply, slice.length, algorithms)));
    }
    return (await Promise.all(parts)).flat();
  }

  /** Ends the threads; the run that made the pool calls it when it ends (they keep a process alive). */
  async close(): Promise<void> {
    const readers = this.readers.splice(0);
    await Promise.all(readers.map((r) => r.worker.terminate()));
  }

  private start(): void {
    if (this.failure !== undefined) throw this.failure;
    while (this.readers.length < this.size) {
      // The parent's flags (`--import tsx`, `--cpu-prof`) are not for this thread, whose code is
      // plain CommonJS: a profiled agent would otherwise write a profile per reader per hunt.
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      worker.on('message', (message: unknown) => this.settle(message));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (this.readers.some((r) => r.worker === worker)) this.fail(new Error(`hash reader thread exited (${code})`));
      });
      this.readers.push({ worker, files: 0 });
    }
  }

  private post(paths: readonly string[], algorithms: readonly HashAlgorithm[]): Promise<Reply> {
    const reader = this.readers.reduce((least, r) => (r.files < least.files ? r : least));
    const id = this.nextId++;
    reader.files += paths.length;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) => {
          reader.files -= paths.length;
          resolve(reply);
        },
        reject,
      });
      // Paths cannot hold a NUL: one joined string is one copy instead of one per path.
      reader.worker.postMessage({ id, paths: paths.join('\0'), algorithms });
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

/** Hex digest length of each algorithm: the reply's digests are one string. */
const HEX_LENGTHS: Readonly<Record<HashAlgorithm, number>> = {
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  'sha3-224': 56,
  'sha3-256': 64,
  'sha3-384': 96,
  'sha3-512': 128,
};

/** Each file of the reply: its digests cut from the one string, its stat, or why it was not read. */
function resultsOf(reply: Reply, count: number, algorithms: readonly HashAlgorithm[]): HashResult[] {
  const { numbers, digests: hex } = reply;
  if (numbers.length !== count * NUMBERS_PER_FILE)
    throw new Error(`hash reader answered for ${numbers.length / NUMBERS_PER_FILE} files of ${count}`);
  const errors = new Map(reply.errors.map((e) => [e.index, e]));
  const lengths = algorithms.map((a) => HEX_LENGTHS[a]);
  const out: HashResult[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const k = i * NUMBERS_PER_FILE;
    const status = numbers[k] as number;
    const stat = { size: numbers[k + 1] as number, mode: numbers[k + 2] as number, mtimeMs: numbers[k + 3] as number };
    if (status >= 0) {
      const digests = new Map<HashAlgorithm, string>();
      algorithms.forEach((algorithm, a) => digests.set(algorithm, hex.slice(at, (at += lengths[a] as number))));
      out.push({ kind: 'hashed', digests, bytes: status, stat });
    } else if (status === LARGER_THAN_ONE_READ) out.push({ kind: 'large', stat });
    else if (status === NOT_A_FILE) out.push({ kind: 'notFile' });
    else {
      const error = errors.get(i);
      out.push({
        kind: 'failed',
        error: Object.assign(new Error(error?.message ?? 'hash reader gave no reason'), { code: error?.code }),
      });
    }
  }
  if (at !== hex.length) throw new Error(`hash reader sent ${hex.length} digest characters, ${at} expected`);
  return out;
}
