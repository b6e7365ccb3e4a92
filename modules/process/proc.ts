import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';

/** What `<root>/proc` says about a process: enough to name it and to notice its pid being reused. */
export interface ProcInfo {
  pid: number;
  /** /proc/<pid>/comm without its newline (at most 15 characters, what ps shows). */
  comm: string;
  /** argv[0] from /proc/<pid>/cmdline; empty for kernel threads and zombies. */
  argv0: string;
  /** Field 22 of /proc/<pid>/stat, in clock ticks since boot: with the pid, it names one process for its lifetime. */
  startTime: string;
}

/** Process ids under `<root>/proc`, ascending (threads are not listed there). */
export async function listPids(procDir: string): Promise<number[]> {
  const entries = await readdir(procDir);
  return entries
    .filter((name) => /^[1-9]\d{0,9}$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
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

async function readArgv0(dir: string): Promise<string> {
  let cmdline: Buffer;
  try {
    cmdline = await readFile(posix.join(dir, 'cmdline'));
  } catch {
    return ''; // unreadable or gone: the comm alone names the process
  }
  // Only argv[0]: the other arguments can carry secrets and are never needed.
  const nul = cmdline.indexOf(0);
  return (nul < 0 ? cmdline : cmdline.subarray(0, nul)).toString('utf8');
}

/** The comm in stat is in parentheses and may hold spaces or ')': fields are counted after the last ')'. */
export function startTimeOf(stat: string): string {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the comm come fields 3 (state) onwards: starttime, field 22, is at index 19.
  return fields[19] ?? '';
}

/** The spellings a name regex is tried on: comm (cut at 15 chars), argv[0] (often a path) and its base name. */
export function nameCandidates(info: ProcInfo): string[] {
  const candidates = new Set([info.comm]);
  if (info.argv0.length > 0) {
    candidates.add(info.argv0);
    candidates.add(posix.basename(info.argv0));
  }
  return [...candidates];
}
