import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { readArgv0, type ProcessNames } from '../shared/proc.js';

/** What `<root>/proc` says about a process: enough to name it and to notice its pid being reused. */
export interface ProcInfo extends ProcessNames {
  pid: number;
  /** Field 22 of /proc/<pid>/stat, in clock ticks since boot: with the pid, it names one process for its lifetime. */
  startTime: string;
}

/** Undefined when the process is gone (or never was). */
export async function readProc(procDir: string, pid: number): Promise<ProcInfo | undefined> {
  const dir = posix.join(procDir, String(pid));
  let comm: string;
  let stat: string;
  try {
    [comm, stat] = await Promise.all([
      readFile(posix.join(dir, 'comm'), 'utf8'),
      readFile(posix.join(dir, 'stat'), 'utf8'),
    ]);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
  return { pid, comm: comm.replace(/\n$/, ''), argv0: await readArgv0(dir), startTime: startTimeOf(stat) };
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** The comm in stat is in parentheses and may hold spaces or ')': fields are counted after the last ')'. */
export function startTimeOf(stat: string): string {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the comm come fields 3 (state) onwards: starttime, field 22, is at index 19.
  return fields[19] ?? '';
}
