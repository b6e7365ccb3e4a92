import { chmodSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostFiles } from './files.js';
import type { DemoHost, Scenario } from './scenario.js';

const DAY_MS = 86_400_000;

export interface WrittenHost {
  name: string;
  /** The host's filesystem root: what its agent investigates (config.root). */
  root: string;
  /** Where its agent keeps its id and journals (config.dataDir). */
  dataDir: string;
}

export function hostsDir(dir: string): string {
  return join(dir, 'hosts');
}

export function hostPaths(dir: string, name: string): Omit<WrittenHost, 'name'> {
  const base = join(hostsDir(dir), name);
  return { root: join(base, 'root'), dataDir: join(base, 'data') };
}

/**
 * Writes every host's tree under `<dir>/hosts/<name>/root`, after removing whatever
 * `<dir>/hosts` held (agent data included): the same scenario always gives the same trees.
 * Synchronous on purpose: one small file at a time is several times faster than async fs
 * (STACK-NOTES), and a 200-host fleet is about 8,000 files.
 */
export function writeHosts(dir: string, scenario: Scenario, now: Date = new Date()): WrittenHost[] {
  rmSync(hostsDir(dir), { recursive: true, force: true });
  return scenario.hosts.map((host) => writeHost(dir, host, now));
}

function writeHost(dir: string, host: DemoHost, now: Date): WrittenHost {
  const paths = hostPaths(dir, host.name);
  const made = new Set<string>();
  for (const file of hostFiles(host)) {
    const target = join(paths.root, file.path);
    const parent = dirname(target);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(target, file.content);
    // Explicit, because the umask would otherwise decide what `-mode` hunts see.
    chmodSync(target, file.mode);
    const mtime = new Date(now.getTime() - file.ageDays * DAY_MS);
    utimesSync(target, mtime, mtime);
  }
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  return { name: host.name, ...paths };
}
