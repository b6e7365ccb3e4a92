import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';

/** What `<root>/proc` says about every process, read the same way by the memory and process modules. */

/** Process ids under `<root>/proc`, ascending. Threads are not listed there, only processes. */
export async function listPids(procDir: string): Promise<number[]> {
  const entries = await readdir(procDir);
  return entries
    .filter((name) => /^[1-9]\d{0,9}$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

export interface ProcessNames {
  /** /proc/<pid>/comm without its newline: at most 15 characters, what ps shows. */
  comm: string;
  /** argv[0] from /proc/<pid>/cmdline; empty for kernel threads and zombies. */
  argv0: string;
}

/** argv[0] of the process in `pidDir`; empty when cmdline is unreadable or gone (the comm alone names it). */
export async function readArgv0(pidDir: string): Promise<string> {
  let cmdline: Buffer;
  try {
    cmdline = await readFile(posix.join(pidDir, 'cmdline'));
  } catch {
    return '';
  }
  // Only argv[0] is read: the other arguments can carry secrets and are never needed.
  const nul = cmdline.indexOf(0);
  return (nul < 0 ? cmdline : cmdline.subarray(0, nul)).toString('utf8');
}

/**
 * The spellings a name check is tried against: comm is cut to 15 characters (chromium-browse),
 * argv[0] is often a full path (MIG matched the binary's full path), and its base name fixes both.
 */
export function nameCandidates(names: ProcessNames): string[] {
  const candidates = new Set([names.comm]);
  if (names.argv0.length > 0) {
    candidates.add(names.argv0);
    candidates.add(posix.basename(names.argv0));
  }
  return [...candidates];
}
