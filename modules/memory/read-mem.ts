import { open, type FileHandle } from 'node:fs/promises';
import { codeOf } from './failures.js';
import type { Region } from './maps.js';
import type { MemoryMatcher } from './matcher.js';

/**
 * Reads a process's memory through /proc/<pid>/mem with positioned reads (the position is the
 * virtual address), one bounded chunk at a time. Nothing here stops, traces or signals the
 * process: the kernel copies its pages as they are, as `cat` of a file would. Each read is
 * awaited, so the event loop (MQTT keepalives, cancel messages) gets a turn between chunks.
 */

export const CHUNK_BYTES = 1024 * 1024;

export interface ScanState {
  /** Reused for every read of the run: chunkBytes plus the matcher's largest carry. */
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

/** One region, start to end, unless the checks settle, the budget ends or a read fails. */
async function scanRegion(fh: FileHandle, region: Region, matcher: MemoryMatcher, state: ScanState): Promise<void> {
  const buf = state.buffer;
  let carry = 0;
  let contentFrom = 0;
  let pos = region.start;
  state.regionsScanned++;
  while (pos < region.end && !matcher.isSettled && !state.signal.aborted) {
    const want = Math.min(state.chunkBytes, region.end - pos, state.remaining);
    let got: number;
    try {
      ({ bytesRead: got } = await fh.read(buf, carry, want, pos));
    } catch (err) {
      state.onRegionFailure(region, pos, codeOf(err));
      break;
    }
    // A regular file (a fixture) ends early where /proc/<pid>/mem would fail: same treatment.
    if (got === 0) {
      state.onRegionFailure(region, pos, 'EOF');
      break;
    }
    pos += got;
    state.remaining -= got;
    state.bytesScanned += got;
    const end = carry + got;
    const isFinal = pos >= region.end || state.remaining <= 0;
    const next = matcher.search(buf, contentFrom, end, isFinal);
    if (isFinal) return;
    buf.copyWithin(0, next.keepFrom, end);
    carry = end - next.keepFrom;
    contentFrom = next.contentFrom - next.keepFrom;
  }
  // Stopped early: what was carried still ends a line (the region's readable part ends there).
  if (carry > 0 && !matcher.isSettled && !state.signal.aborted) matcher.search(buf, contentFrom, carry, true);
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
  try {
    for (const region of regions) {
      if (matcher.isSettled || state.signal.aborted || state.remaining <= 0) return;
      await scanRegion(fh, region, matcher, state);
    }
  } finally {
    await fh.close();
  }
}
