import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { errorCode } from '../shared/search/resolve.js';

/**
 * One file's bytes, read once for both the prefilter and the engine. O_NOFOLLOW: the walk
 * resolved symlinks inside the investigated root already; a final component swapped for a
 * symlink since then must not lead the read elsewhere. O_NONBLOCK: one swapped for a FIFO must
 * not block the open.
 */

export type FileRead =
  | { kind: 'read'; bytes: Buffer<ArrayBuffer>; mtimeMs: number }
  | { kind: 'skipped'; reason: 'not-regular' | 'too-large'; size: number }
  | { kind: 'failed'; what: string; code: string };

/**
 * Reads the whole file (at most `maxBytes`, else skipped). A file no longer than `scratch` is
 * read into it (valid until the next read: no allocation per small file); a longer one into a
 * buffer of its own. A file that grew after fstat is read as it was measured.
 */
export function readWhole(real: string, maxBytes: number, scratch: Buffer<ArrayBuffer>): FileRead {
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return { kind: 'failed', what: 'cannot open file', code: errorCode(err) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { kind: 'skipped', reason: 'not-regular', size: stat.size };
    if (stat.size > maxBytes) return { kind: 'skipped', reason: 'too-large', size: stat.size };
    const buffer = stat.size <= scratch.length ? scratch : Buffer.allocUnsafeSlow(stat.size);
    let filled = 0;
    while (filled < stat.size) {
      const n = readSync(fd, buffer, filled, stat.size - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return { kind: 'read', bytes: buffer.subarray(0, filled), mtimeMs: stat.mtimeMs };
  } catch (err) {
    return { kind: 'failed', what: 'cannot read file', code: errorCode(err) };
  } finally {
    closeSync(fd);
  }
}
