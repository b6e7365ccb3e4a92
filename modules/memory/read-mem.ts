import { open, type FileHandle } from 'node:fs/promises';
import { codeOf } from './failures.js';
import type { Region } from './maps.js';
import type { MemoryMatcher } from './matcher.js';

/**
 * Reads a process's memory through /proc/<pid>/mem with positioned reads (the position is the
 * virtual address), one bounded chunk at a time. Nothing here stops, traces or signals the
 * process: the kernel copies its pages as they are, as `cat` of a file would. Reads are
 * asynchronous, so the event loop (MQTT keepalives, cancel messages) gets a turn between chunks.
 */

export const CHUNK_BYTES = 1024 * 1024;

export interface ScanState {
  /** Reused for every run: holds what one window carries into the next (at most the matcher's maxCarry). */
  buffer: Buffer;
  /** Bytes per read (CHUNK_BYTES; tests use tiny ones to put boundaries everywhere). */
  chunkBytes: number;
  signal: AbortSignal;
  /** Bytes this process may still be read for (options.maxlength); Infinity without a limit. */
  remaining: number;
  bytesScanned: number;
  regionsScanned: number;
  /** A region that failed part way (EIO on an unbacked page, EPERM...): the rest is skipped. */
  onRegionFailure(region: Region, at: number, code: string): void;
}

export function scanBuffer(matcher: MemoryMatcher, chunkBytes = CHUNK_BYTES): Buffer {
  return Buffer.allocUnsafe(chunkBytes + matcher.maxCarry);
}

/**
 * Reads kept in flight ahead of the search: the kernel copies the next chunks of the process
 * (on libuv's threads) while this thread searches the current one. Reading /proc/<pid>/mem is
 * ~3/4 of a scan's CPU (page by page through the kernel), so one read at a time left the
 * search and the copy waiting on each other (doc/performance.md, memory).
 */
export const READS_AHEAD = 3;

type ReadOutcome = { got: number } | { code: string };

interface InFlight {
  chunk: Buffer;
  want: number;
  outcome: Promise<ReadOutcome>;
}

/** One region, start to end, unless the checks settle, the budget ends or a read fails. */
async function scanRegion(
  fh: FileHandle,
  region: Region,
  matcher: MemoryMatcher,
  state: ScanState,
  chunks: readonly Buffer[],
): Promise<void> {
  const carried = state.buffer;
  /** Each read lands this far into its chunk, after room for the carry that opens its window. */
  const lead = matcher.maxCarry;
  let carry = 0;
  let contentFrom = 0;
  let pos = region.start;
  state.regionsScanned++;
  const free = [...chunks];
  const queue: InFlight[] = [];
  // Where the next read starts, and how much of the budget the reads in flight leave.
  let issueAt = pos;
  let budget = state.remaining;
  const fill = (): void => {
    while (free.length > 0 && issueAt < region.end && budget > 0) {
      const chunk = free.pop() as Buffer;
      const want = Math.min(state.chunkBytes, region.end - issueAt, budget);
      const outcome = fh.read(chunk, lead, want, issueAt).then(
        ({ bytesRead }): ReadOutcome => ({ got: bytesRead }),
        (err: unknown): ReadOutcome => ({ code: codeOf(err) }),
      );
      queue.push({ chunk, want, outcome });
      issueAt += want;
      budget -= want;
    }
  };
  // The chunks are reused by the next region: no read may still be writing into one.
  const drain = async (): Promise<void> => {
    for (const read of queue.splice(0)) {
      await read.outcome;
      free.push(read.chunk);
    }
  };
  try {
    while (pos < region.end && !matcher.isSettled && !state.signal.aborted) {
      fill();
      const head = queue.shift();
      if (head === undefined) break;
      const outcome = await head.outcome;
      if ('code' in outcome) {
        state.onRegionFailure(region, pos, outcome.code);
        break;
      }
      const got = outcome.got;
      // A regular file (a fixture) ends early where /proc/<pid>/mem would fail: same treatment.
      if (got === 0) {
        state.onRegionFailure(region, pos, 'EOF');
        break;
      }
      // The window is the carry and the read side by side, in the chunk the read landed in:
      // only the carry is copied (a partial line, a needle's length), not the whole MiB.
      const buf = head.chunk.subarray(lead - carry, lead + got);
      carried.copy(buf, 0, 0, carry);
      pos += got;
      state.remaining -= got;
      state.bytesScanned += got;
      if (got < head.want) {
        // A short read: the reads after it started past what was read; read on from here.
        await drain();
        issueAt = pos;
        budget = state.remaining;
      }
      const end = carry + got;
      const isFinal = pos >= region.end || state.remaining <= 0;
      const next = matcher.search(buf, contentFrom, end, isFinal);
      if (!isFinal) buf.copy(carried, 0, next.keepFrom, end);
      free.push(head.chunk);
      if (isFinal) return;
      carry = end - next.keepFrom;
      contentFrom = next.contentFrom - next.keepFrom;
    }
  } finally {
    await drain();
  }
  // Stopped early: what was carried still ends a line (the region's readable part ends there).
  if (carry > 0 && !matcher.isSettled && !state.signal.aborted) matcher.search(carried, contentFrom, carry, true);
}

/**
 * Runs the matcher over `regions` of the process whose mem file is `memPath`. Throws when the
 * file cannot be opened (EACCES without ptrace rights, ENOENT when the process is gone).
 */
export async function scanMemory(
  memPath: string,
  regions: readonly Region[],
  matcher: MemoryMatcher,
  state: ScanState,
): Promise<void> {
  const fh = await open(memPath, 'r');
  const chunks = Array.from({ length: READS_AHEAD }, () => Buffer.allocUnsafe(matcher.maxCarry + state.chunkBytes));
  try {
    for (const region of regions) {
      if (matcher.isSettled || state.signal.aborted || state.remaining <= 0) return;
      await scanRegion(fh, region, matcher, state, chunks);
    }
  } finally {
    await fh.close();
  }
}
