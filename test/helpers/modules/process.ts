import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Test-only: fake `<root>/proc` trees (pids above PID_MAX_LIMIT, so no real process can ever be hit). */

export interface FakeProcess {
  pid: number;
  comm: string;
  /** NUL-separated, as the kernel writes it; empty for kernel threads. */
  cmdline: string;
  startTime?: number;
}

export function makeProcTree(processes: readonly FakeProcess[]): string {
  const root = mkdtempSync(join(tmpdir(), 'mig-process-'));
  for (const p of processes) {
    const dir = join(root, 'proc', String(p.pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'comm'), `${p.comm}\n`);
    writeFileSync(join(dir, 'cmdline'), p.cmdline);
    // Fields 3..21 are placeholders; the comm is in parentheses and may hold spaces and ')'.
    const rest = ['S', ...Array.from({ length: 18 }, (_, i) => String(i)), String(p.startTime ?? 777), '0'];
    writeFileSync(join(dir, 'stat'), `${p.pid} (${p.comm}) ${rest.join(' ')}\n`);
  }
  mkdirSync(join(root, 'proc'), { recursive: true });
  return root;
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
