import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectRows, recordingContext, type Recording } from './recording.js';
import { memoryParams } from '../../../modules/memory/params.js';
import { runMemory, type MemoryRow } from '../../../modules/memory/run.js';

/**
 * Test and benchmark support: a fake /proc in a tmpdir (comm, cmdline, maps, and a sparse
 * regular file as `mem`, holding bytes at the addresses the maps declare, so positioned reads
 * behave as on /proc/<pid>/mem) and a run of the module over it.
 */

export interface FakeRegion {
  start: number;
  size: number;
  /** Default r--p. */
  perms?: string;
  /** Mapped file or [heap]...; default anonymous. */
  path?: string;
  /** Bytes placed at offsets inside the region; the rest reads as zeros. */
  data?: readonly { at: number; bytes: string | Buffer }[];
}

export interface FakeProcess {
  pid: number;
  comm: string;
  cmdline?: readonly string[];
  regions?: readonly FakeRegion[];
  /** The mem file ends here: reads past it return nothing, as a failing read would. */
  memEnd?: number;
  /** maps and mem cannot be read (EISDIR): a process that cannot be inspected. */
  isOpaque?: boolean;
}

function mapsLine(region: FakeRegion, index: number): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const path = region.path ?? '';
  const inode = path.startsWith('/') ? 1000 + index : 0;
  return `${hex(region.start)}-${hex(region.start + region.size)} ${region.perms ?? 'r--p'} 00000000 fe:00 ${inode}${path === '' ? '' : `     ${path}`}`;
}

function writeMem(path: string, proc: FakeProcess): void {
  const fd = openSync(path, 'w');
  try {
    let end = 0;
    for (const region of proc.regions ?? []) {
      end = Math.max(end, region.start + region.size);
      for (const { at, bytes } of region.data ?? []) {
        const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
        writeSync(fd, buf, 0, buf.length, region.start + at);
      }
    }
    // Sparse: only the written pages take space; the holes read as zeros.
    ftruncateSync(fd, proc.memEnd ?? end);
  } finally {
    closeSync(fd);
  }
}

/** Builds `<tmp>/proc/<pid>/...` for each process; the tmpdir becomes ctx.root. */
export function makeProc(processes: readonly FakeProcess[]): string {
  const root = mkdtempSync(join(tmpdir(), 'mig-memory-'));
  mkdirSync(join(root, 'proc', 'self'), { recursive: true });
  for (const proc of processes) {
    const dir = join(root, 'proc', String(proc.pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'comm'), `${proc.comm}\n`);
    writeFileSync(join(dir, 'cmdline'), (proc.cmdline ?? []).map((arg) => `${arg}\0`).join(''));
    if (proc.isOpaque === true) {
      // Tests run as root, which reads any file whatever its mode: a directory fails for anyone.
      mkdirSync(join(dir, 'maps'));
      mkdirSync(join(dir, 'mem'));
      continue;
    }
    writeFileSync(join(dir, 'maps'), (proc.regions ?? []).map((r, i) => `${mapsLine(r, i)}\n`).join(''));
    writeMem(join(dir, 'mem'), proc);
  }
  return root;
}

// Alike on purpose (duplicates): the tear-down and recorder exports every module fixture helper has; the fixtures are each module's own.
export function removeProc(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** The shared recording context, under the name bench/memory.ts imports. */
export { recordingContext as recorder };

/** Parses `params` with the module's schema (as the agent does) and runs the module to the end. */
export function runSearch(params: unknown, rec: Recording): Promise<MemoryRow[]> {
  return collectRows(runMemory, memoryParams, params, rec);
}
