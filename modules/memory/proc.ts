import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { readArgv0, type ProcessNames } from '../shared/proc.js';

/** What /proc says about a process before its memory is read: names, maps. */

/** Throws when comm cannot be read (ENOENT: the process has exited). */
export async function readNames(pidDir: string): Promise<ProcessNames> {
  const comm = (await readFile(posix.join(pidDir, 'comm'), 'utf8')).replace(/\n$/, '');
  return { comm, argv0: await readArgv0(pidDir) };
}

export async function readMapsText(pidDir: string): Promise<string> {
  return readFile(posix.join(pidDir, 'maps'), 'utf8');
}
