import { availableParallelism } from 'node:os';
import { resourceLimits, Worker } from 'node:worker_threads';
import { z } from 'zod';
import { scanFile, type ScanJob, type ScanOutcome, type ScanSpec } from './content-scan.js';
import type { Pacer } from './pacer.js';

/**
 * Content threads: one search's content-only files spread over worker threads, each reading and
 * matching whole files (content-worker.ts) while the module's thread walks, judges metadata and
 * yields rows in walk order. A regex over hundreds of MB is CPU-bound (re2js's DFA runs at
 * ~170 MB/s), so one thread per core is what is left to gain once the engine is tuned
 * (doc/performance.md, issue 13).
 *
 * Files are queued in groups; an idle thread takes the next group. The module's thread reads a
 * file itself when it reaches one whose group no thread has taken yet (claim), and, rather than
 * wait for a thread's answer, reads the next queued group meanwhile (outcomeOf): it is one of the
 * pool's readers, so a pool has one thread fewer than the cores. Threads start only once the
 * module's thread has been reading content for START_AFTER_CPU_MS of CPU: a hunt whose files settle at their
 * first read (a frequent pattern, a header) never pays a thread's start (~30-60 ms of CPU each).
 *
 * Limits: at most MAX_CONTENT_THREADS threads per run, each with a heap ceiling carved out of the
 * module thread's own (an agent's moduleMemoryMb), and files over MAX_POOLED_FILE_BYTES stay on
 * the module's thread, where a long read pauses and stops. An abort (the command's timeout or
 * cancel) ends the threads at once; a failed thread (out of memory, a crash) leaves its files to
 * the module's thread, which reads them as if there were no pool.
 */

export const MAX_CONTENT_THREADS = 4;
/** Bounds what a thread holds (one file's longest line) and how long one read runs unpaused. */
export const MAX_POOLED_FILE_BYTES = 8 * 1024 * 1024;
/** Files are handed out in groups of about this many bytes (or GROUP_FILES), so small files cost one message per group. */
const GROUP_BYTES = 1024 * 1024;
const GROUP_FILES = 64;
/**
 * The module's thread reads claimed files alone for this much CPU time before threads start.
 * CPU of the reads only, not wall time since the first file: on a loaded host the wall clock
 * runs on while the thread waits for a core, and the rows' output costs CPU too; either started
 * threads for hunts that needed none (measured at load 20-30 on the frequent pattern).
 */
const START_AFTER_CPU_MS = 50;
/** A content thread's heap ceiling when its parent has none (`mig file -t local`). */
const THREAD_HEAP_MB = 128;
/** Below this, a thread could not hold an 8 MiB line as text: fewer threads instead. */
const MIN_THREAD_HEAP_MB = 48;

interface WorkerStart {
  url: URL;
  data: Readonly<Record<string, unknown>>;
}

let scriptOverride: WorkerStart | undefined;

/** For agent/bundle/main.ts: a single-file agent has no content-worker.js; its threads start the bundle with a role. */
export function useContentWorkerScript(start: WorkerStart | undefined): void {
  scriptOverride = start;
}

/** Compiled code starts content-worker.js beside this file; the TypeScript sources start it through tsx (agent/worker/boot.mjs). */
function workerStart(): WorkerStart {
  if (scriptOverride !== undefined) return scriptOverride;
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./content-worker.js', import.meta.url), data: {} };
  return {
    url: new URL('../../../agent/worker/boot.mjs', import.meta.url),
    data: { main: new URL('./content-worker.ts', import.meta.url).href },
  };
}

let threadsOverride: number | undefined;
let isClaimingDefault = true;

/**
 * Tests and benchmarks: this many content threads from now on (0: none; undefined: one per
 * core). `isClaiming` false leaves every pooled file to the threads, so the threads are what a
 * test compares with the module thread's own read.
 */
export function useContentThreads(threads: number | undefined, isClaiming = true): void {
  threadsOverride = threads;
  isClaimingDefault = isClaiming;
}

/**
 * This thread's content threads: its core count and heap ceiling (a module worker's
 * moduleMemoryMb). `MIG_CONTENT_THREADS=N` in the environment sets the number (0: none), for a
 * host that must not lend a hunt more than one core and for A/B benchmarks (bench/file-content.ts).
 */
export function contentThreads(): { threads: number; heapMb: number } {
  return threadsFor(availableParallelism(), resourceLimits.maxOldGenerationSizeMb, threadsOverride ?? envThreads());
}

function envThreads(): number | undefined {
  const text = process.env.MIG_CONTENT_THREADS;
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  // An operator's typo must not become thousands of threads nor silently the default.
  if (!Number.isInteger(n) || n < 0 || n > MAX_CONTENT_THREADS)
    throw new Error(
      `MIG_CONTENT_THREADS: expected an integer from 0 to ${MAX_CONTENT_THREADS}, got ${JSON.stringify(text)}`,
    );
  return n;
}

/**
 * One per core beside the module's own thread (which reads too), at most MAX_CONTENT_THREADS,
 * fewer when the module's heap ceiling is small; none on one or two cores. None by default in an
 * agent's module worker (`parentMb` set): an agent lends one operation at most one core
 * (doc/security.md, the CPU limit), so a host's owner opts in with MIG_CONTENT_THREADS; the
 * investigator's own `mig file -t local` runs on the main thread and uses the cores.
 */
export function threadsFor(
  cores: number,
  parentMb: number | undefined,
  override?: number,
): { threads: number; heapMb: number } {
  // Two cores: measured on the 2-core project VM at load 7-32, the module thread plus one content
  // thread cost 10-25 % more CPU and were slower in wall time more often than not
  // (doc/performance.md); MIG_CONTENT_THREADS=1 still asks for one.
  let threads = override ?? (parentMb === undefined && cores >= 3 ? Math.min(MAX_CONTENT_THREADS, cores - 1) : 0);
  if (parentMb === undefined || parentMb <= 0) return { threads, heapMb: THREAD_HEAP_MB };
  // The module's ceiling is shared by its thread and its content threads.
  threads = Math.max(0, Math.min(threads, Math.floor(parentMb / MIN_THREAD_HEAP_MB) - 1));
  return { threads, heapMb: Math.min(THREAD_HEAP_MB, Math.floor(parentMb / (threads + 1))) };
}

const scannerOutcome = z.union([
  z.strictObject({ results: z.array(z.boolean()) }),
  z.strictObject({ isOverflowed: z.literal(true) }),
]);
const outcomeSchema = z.union([
  z.strictObject({ bytesRead: z.number().int().min(0), scanners: z.array(scannerOutcome) }),
  z.strictObject({ error: z.strictObject({ message: z.string(), code: z.string() }) }),
]);
const replySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ready') }),
  z.strictObject({ kind: z.literal('scanned'), id: z.number().int(), outcomes: z.array(outcomeSchema) }),
]);

/** A content-only file for a thread: its specs are shared objects, sent once per group. */
export interface PooledFile {
  path: string;
  size: number;
  specs: readonly ScanSpec[];
}

/** A file handed to the pool. */
export interface Ticket {
  /**
   * True when the module's thread must read the file itself: no thread has taken its group, and
   * now none will. False: a thread has it, and `outcome` will say.
   */
  claim(): boolean;
  /** The outcome; undefined when the pool failed or closed first (read it inline then). Wait through outcomeOf. */
  readonly outcome: Promise<ScanOutcome | undefined>;
  readonly isSettled: boolean;
}

interface Group {
  id: number;
  files: readonly PooledFile[];
  /** taken: by a thread; claimed: the module thread reads it inline; helped: the module thread scans it for the pool. */
  state: 'queued' | 'taken' | 'claimed' | 'helped' | 'settled';
  settle: (outcomes: readonly (ScanOutcome | undefined)[]) => void;
}

interface Thread {
  worker: Worker;
  isReady: boolean;
  group: Group | undefined;
}

export class ContentPool {
  private readonly threads: Thread[] = [];
  private readonly queue: Group[] = [];
  private readonly taken = new Map<number, Group>();
  private nextId = 0;
  private isClosed = false;
  private inlineCpuMs = 0;
  /** Files a thread read and answered (for the module's debug log). */
  filesAnswered = 0;
  private readonly onAbort = (): void => void this.close();

  constructor(
    private readonly signal: AbortSignal,
    private readonly size = contentThreads(),
    /** false leaves every file to the threads (useContentThreads). */
    private readonly isClaiming = isClaimingDefault,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get isUsable(): boolean {
    return this.size.threads > 0 && !this.isClosed && !this.signal.aborted;
  }

  /** Queues `files` (in walk order) for the threads; one ticket per file, in the same order. */
  submit(files: readonly PooledFile[]): Ticket[] {
    const tickets: Ticket[] = [];
    for (let start = 0; start < files.length;) {
      let end = start;
      for (let bytes = 0; end < files.length && end - start < GROUP_FILES && bytes < GROUP_BYTES; end++)
        bytes += (files[end] as PooledFile).size + 4096;
      tickets.push(...this.group(files.slice(start, end)));
      start = end;
    }
    if (!this.isClaiming) this.startThreads();
    this.pump();
    return tickets;
  }

  /**
   * The outcome of a ticket claim() refused. While it is not in, the module's thread scans the
   * next queued group itself (with the run's pacer: it still pauses and stops), so it never sits
   * idle while files are left.
   */
  async outcomeOf(ticket: Ticket, pacer: Pacer): Promise<ScanOutcome | undefined> {
    while (!ticket.isSettled && this.isClaiming) {
      const group = this.queue.shift();
      if (group === undefined) break;
      group.state = 'helped';
      const { specs, jobs } = messageOf(group);
      const outcomes: (ScanOutcome | undefined)[] = [];
      for (const job of jobs) outcomes.push(pacer.isAborted ? undefined : await scanFile(job, specs, pacer));
      group.settle(outcomes);
    }
    return ticket.outcome;
  }

  /** Ends the threads; the run that made the pool calls it when it ends (they keep a process alive). */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.signal.removeEventListener('abort', this.onAbort);
    this.answerNothing();
    const workers = this.threads.splice(0).map((t) => t.worker);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private group(files: readonly PooledFile[]): Ticket[] {
    let settle: Group['settle'] = () => undefined;
    const outcomes = new Promise<readonly (ScanOutcome | undefined)[]>((resolve) => (settle = resolve));
    const group: Group = { id: this.nextId++, files, state: 'queued', settle };
    group.settle = (results) => {
      group.state = 'settled';
      settle(results);
    };
    this.queue.push(group);
    return files.map((_, i) => ({
      claim: () => {
        if (group.state === 'queued' && this.isClaiming) {
          group.state = 'claimed';
          this.queue.splice(this.queue.indexOf(group), 1);
        }
        return group.state === 'claimed';
      },
      outcome: outcomes.then((all) => all[i]),
      get isSettled() {
        return group.state === 'settled';
      },
    }));
  }

  /**
   * The CPU the module's thread spent reading a claimed file (process.cpuUsage around the read:
   * before threads start, nothing else of the process runs then). Threads start once it has
   * spent START_AFTER_CPU_MS so: the rows' output and the walk do not count.
   */
  noteInlineRead(cpu: NodeJS.CpuUsage): void {
    if (this.threads.length > 0 || !this.isUsable) return;
    this.inlineCpuMs += (cpu.user + cpu.system) / 1000;
    if (this.inlineCpuMs < START_AFTER_CPU_MS || this.queue.length === 0) return;
    this.startThreads();
    this.pump();
  }

  private startThreads(): void {
    if (!this.isUsable || this.threads.length > 0) return;
    const start = workerStart();
    for (let i = 0; i < this.size.threads; i++) {
      const worker = new Worker(start.url, {
        workerData: start.data,
        resourceLimits: { maxOldGenerationSizeMb: this.size.heapMb },
        // The parent's flags (`--import tsx`, a profiler) are not for this thread: workerStart decides how it loads.
        execArgv: [],
        stdout: true,
        stderr: true,
      });
      worker.stdout.resume();
      worker.stderr.resume();
      const thread: Thread = { worker, isReady: false, group: undefined };
      worker.on('message', (message: unknown) => this.receive(thread, message));
      worker.on('error', () => this.fail());
      worker.on('exit', () => {
        if (this.threads.includes(thread)) this.fail();
      });
      this.threads.push(thread);
    }
  }

  /** Every idle thread takes the next queued group. */
  private pump(): void {
    for (const thread of this.threads) {
      if (!thread.isReady || thread.group !== undefined) continue;
      const group = this.queue.shift();
      if (group === undefined) return;
      group.state = 'taken';
      thread.group = group;
      this.taken.set(group.id, group);
      thread.worker.postMessage({ id: group.id, ...messageOf(group) });
    }
  }

  private receive(thread: Thread, message: unknown): void {
    const parsed = replySchema.safeParse(message);
    if (!parsed.success) return this.fail();
    const reply = parsed.data;
    if (reply.kind === 'ready') thread.isReady = true;
    else {
      const group = this.taken.get(reply.id);
      this.taken.delete(reply.id);
      thread.group = undefined;
      if (group !== undefined && reply.outcomes.length !== group.files.length) {
        group.settle(group.files.map(() => undefined));
        return this.fail();
      }
      this.filesAnswered += reply.outcomes.length;
      group?.settle(reply.outcomes);
    }
    this.pump();
  }

  /** A thread failed: the pool stops; every file not yet answered is read by the module's thread. */
  private fail(): void {
    void this.close();
  }

  /** Every file not answered yet is answered "undefined": the module's thread reads it (a waiter may already wait on a queued group). */
  private answerNothing(): void {
    for (const group of [...this.taken.values(), ...this.queue.splice(0)])
      group.settle(group.files.map(() => undefined));
    this.taken.clear();
  }
}

/** A group as a thread (or scanFile) gets it: each search's specs once, the files naming them by index. */
function messageOf(group: Group): { specs: ScanSpec[]; jobs: ScanJob[] } {
  const specIndex = new Map<ScanSpec, number>();
  const jobs: ScanJob[] = group.files.map((f) => ({
    path: f.path,
    size: f.size,
    specs: f.specs.map((spec) => {
      let index = specIndex.get(spec);
      if (index === undefined) specIndex.set(spec, (index = specIndex.size));
      return index;
    }),
  }));
  return { specs: [...specIndex.keys()], jobs };
}
