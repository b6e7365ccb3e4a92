import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * Which process holds a socket: /proc/<pid>/fd/* are symlinks reading `socket:[<inode>]`. Only
 * the inodes of matching sockets are looked for, and the walk stops once each is found. Sync
 * calls, because one async call per fd costs ~65 µs and a host has tens of thousands of fds;
 * the event loop gets a turn every few processes so the agent's session stays alive.
 */

export interface Owner {
  pid: number;
  /** /proc/<pid>/comm: the kernel's 15-character command name. */
  process?: string;
}

export interface OwnerLimits {
  maxProcesses: number;
  maxFds: number;
}

export const DEFAULT_OWNER_LIMITS: OwnerLimits = { maxProcesses: 100_000, maxFds: 2_000_000 };
const PROCESSES_PER_TURN = 64;

export interface OwnerScan {
  owners: Map<number, Owner>;
  processes: number;
  /** Processes whose fd directory we may not read (other users' when not root). */
  unreadable: number;
  /** Why the scan stopped before looking everywhere, when it did. */
  truncated?: string;
}

function comm(root: string, pid: number): string | undefined {
  try {
    const name = readFileSync(join(root, 'proc', String(pid), 'comm'), 'utf8').trim();
    // comm is set by the process itself (prctl): keep it printable and short.
    return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64) || undefined;
  } catch {
    return undefined;
  }
}

function socketInode(link: string): number | undefined {
  if (!link.startsWith('socket:[') || !link.endsWith(']')) return undefined;
  const inode = Number(link.slice(8, -1));
  return Number.isSafeInteger(inode) ? inode : undefined;
}

function listPids(root: string): number[] {
  return readdirSync(join(root, 'proc'))
    .filter((name) => /^[1-9]\d{0,9}$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Scans one process; returns how many fds it looked at, or -1 when its fd directory is unreadable. */
function scanProcess(
  root: string,
  pid: number,
  wanted: ReadonlySet<number>,
  scan: OwnerScan,
  fdBudget: number,
): number {
  const fdDir = join(root, 'proc', String(pid), 'fd');
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return -1;
  }
  let looked = 0;
  for (const fd of fds) {
    if (looked >= fdBudget) break;
    looked++;
    let link: string;
    try {
      link = readlinkSync(join(fdDir, fd));
    } catch {
      continue; // closed since readdir
    }
    const inode = socketInode(link);
    if (inode === undefined || !wanted.has(inode) || scan.owners.has(inode)) continue;
    const name = comm(root, pid);
    scan.owners.set(inode, name === undefined ? { pid } : { pid, process: name });
  }
  return looked;
}

export async function findOwners(
  root: string,
  wanted: ReadonlySet<number>,
  signal: AbortSignal,
  limits: OwnerLimits = DEFAULT_OWNER_LIMITS,
): Promise<OwnerScan> {
  const scan: OwnerScan = { owners: new Map(), processes: 0, unreadable: 0 };
  if (wanted.size === 0) return scan;
  let pids: number[];
  try {
    pids = listPids(root);
  } catch {
    scan.truncated = 'cannot list /proc';
    return scan;
  }
  let fds = 0;
  for (const pid of pids) {
    if (scan.owners.size === wanted.size) break;
    if (scan.processes >= limits.maxProcesses || fds >= limits.maxFds) {
      scan.truncated = `stopped after ${scan.processes} processes and ${fds} file descriptors`;
      break;
    }
    if (scan.processes % PROCESSES_PER_TURN === PROCESSES_PER_TURN - 1) {
      await yieldToLoop();
      signal.throwIfAborted();
    }
    scan.processes++;
    const looked = scanProcess(root, pid, wanted, scan, limits.maxFds - fds);
    if (looked < 0) scan.unreadable++;
    else fds += looked;
  }
  return scan;
}
