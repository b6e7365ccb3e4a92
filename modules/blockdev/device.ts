import { constants } from 'node:fs';
import { lstat, open, readFile, realpath, type FileHandle } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { ModuleError } from '../../protocol/errors.js';

/**
 * Opening a block device safely and reading a bounded byte range of it. The path (under the
 * module's root) is resolved first: wherever its symlinks lead (a /dev/disk/by-id name, say), the
 * end must still be inside /dev and be a block device. It is opened read-only, without following
 * a last symlink, without blocking (a FIFO would otherwise hang the open), and checked again on
 * the open descriptor, so a file swapped in between is refused too. Nothing is ever written.
 */

export const CHUNK_BYTES = 1024 * 1024;

export interface OpenDevice {
  handle: FileHandle;
  /** The resolved path as the host names it (root removed), e.g. /dev/loop3. */
  path: string;
  /** The kernel's name, e.g. loop3, sda1. */
  name: string;
  /** Device size from sysfs, when it could be read. */
  sizeBytes?: number;
}

function refuse(device: string, why: string): ModuleError {
  return new ModuleError('MODULE_FAILED', `blockdev: refused ${device}: ${why}`);
}

function kind(stats: {
  isFile(): boolean;
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a block device';
}

async function sysfsSize(root: string, name: string): Promise<number | undefined> {
  try {
    const text = (await readFile(join(root, 'sys/class/block', name, 'size'), 'utf8')).trim();
    // The kernel counts in 512-byte sectors whatever the device's own block size.
    return /^\d{1,15}$/.test(text) ? Number(text) * 512 : undefined;
  } catch {
    return undefined;
  }
}

export async function openBlockDevice(root: string, device: string): Promise<OpenDevice> {
  const devDir = await realpath(join(root, 'dev')).catch(() => join(root, 'dev'));
  let resolved: string;
  try {
    resolved = await realpath(join(root, device));
  } catch (err) {
    throw refuse(device, `cannot resolve it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!resolved.startsWith(devDir + sep)) throw refuse(device, 'it leads outside /dev');
  const before = await lstat(resolved);
  if (!before.isBlockDevice()) throw refuse(device, `it is ${kind(before)}, not a block device`);
  let handle: FileHandle;
  try {
    handle = await open(resolved, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw refuse(device, `cannot open it read-only (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const after = await handle.stat();
  if (!after.isBlockDevice() || after.rdev !== before.rdev) {
    await handle.close();
    throw refuse(device, 'it changed while being opened');
  }
  const name = basename(resolved);
  const sizeBytes = await sysfsSize(root, name);
  const path = `/dev/${resolved.slice(devDir.length + 1)}`;
  return { handle, path, name, ...(sizeBytes === undefined ? {} : { sizeBytes }) };
}

/**
 * Reads [offset, offset + length) chunk by chunk, handing each to `onChunk` with its absolute
 * offset, and stops early at the device's end. Returns the bytes read. The chunk buffer is reused:
 * `onChunk` must not keep it.
 */
export async function readRange(
  handle: FileHandle,
  offset: number,
  length: number,
  signal: AbortSignal,
  onChunk: (bytes: Uint8Array, at: number) => void,
): Promise<number> {
  const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, length));
  let done = 0;
  while (done < length) {
    signal.throwIfAborted();
    const want = Math.min(buffer.length, length - done);
    const { bytesRead } = await handle.read(buffer, 0, want, offset + done);
    if (bytesRead === 0) break;
    onChunk(buffer.subarray(0, bytesRead), offset + done);
    done += bytesRead;
  }
  return done;
}
