import { z } from 'zod';

/**
 * A module's statistics so far, shared between its worker thread and the agent without a
 * message: the worker writes them (from ctx.count, rate-limited), the parent reads them only when
 * it stops the module, which is exactly when the worker may be too busy to answer anything. A
 * message per update cost a wake-up of both threads: most operations end before anyone looks.
 *
 * Layout of the SharedArrayBuffer: Int32 [0] a sequence number (odd while a write is under way),
 * [1] the byte length of the JSON that follows at byte 8: `{ "job": n, "at": epochMs, "stats": {...} }`.
 */
const HEADER_BYTES = 8;
export const BOARD_BYTES = 8 * 1024;

const Snapshot = z.strictObject({ job: z.number().int(), at: z.number(), stats: z.record(z.string(), z.number()) });

export interface ProgressSnapshot {
  /** Epoch ms of the write. */
  at: number;
  stats: Record<string, number>;
}

export function newBoard(): SharedArrayBuffer {
  return new SharedArrayBuffer(BOARD_BYTES);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Worker side: publishes a snapshot (dropped when it does not fit: progress is best effort). */
export function writeBoard(board: SharedArrayBuffer, job: number, stats: Record<string, number>): void {
  const bytes = encoder.encode(JSON.stringify({ job, at: Date.now(), stats }));
  if (bytes.length > BOARD_BYTES - HEADER_BYTES) return;
  const header = new Int32Array(board, 0, 2);
  Atomics.add(header, 0, 1);
  new Uint8Array(board, HEADER_BYTES, bytes.length).set(bytes);
  Atomics.store(header, 1, bytes.length);
  Atomics.add(header, 0, 1);
}

/** Parent side: the last snapshot of `job`, or undefined (none yet, another job's, or torn by a writer twice). */
export function readBoard(board: SharedArrayBuffer, job: number): ProgressSnapshot | undefined {
  const header = new Int32Array(board, 0, 2);
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = Atomics.load(header, 0);
    if (before % 2 === 1) continue;
    const length = Atomics.load(header, 1);
    if (length <= 0 || length > BOARD_BYTES - HEADER_BYTES) return undefined;
    const copy = new Uint8Array(length);
    copy.set(new Uint8Array(board, HEADER_BYTES, length));
    if (Atomics.load(header, 0) !== before) continue;
    try {
      const parsed = Snapshot.safeParse(JSON.parse(decoder.decode(copy)));
      return parsed.success && parsed.data.job === job ? { at: parsed.data.at, stats: parsed.data.stats } : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
