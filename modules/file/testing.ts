import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ModuleContext } from '../../protocol/module-spec.js';
import { fileParams } from './params.js';
import { runFile, type FileRow } from './run.js';

/** Test and benchmark support: fixture trees in a tmpdir and a real ModuleContext that records. */

export type Entry = string | Buffer | { symlink: string } | { dir: true } | { fifo: true };

/** Builds `entries` (host paths → content) under a fresh tmpdir, which becomes ctx.root. */
export function makeTree(entries: Readonly<Record<string, Entry>>): string {
  const root = mkdtempSync(join(tmpdir(), 'mig-file-'));
  for (const [path, entry] of Object.entries(entries)) {
    const real = join(root, path);
    mkdirSync(dirname(real), { recursive: true });
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) writeFileSync(real, entry);
    else if ('symlink' in entry) symlinkSync(entry.symlink, real);
    else if ('dir' in entry) mkdirSync(real, { recursive: true });
    else execFileSync('mkfifo', [real]);
  }
  return root;
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export interface Recorder {
  ctx: ModuleContext;
  warnings: string[];
  stats: Record<string, number>;
  controller: AbortController;
}

export function recorder(root: string, now: Date = new Date()): Recorder {
  const controller = new AbortController();
  const warnings: string[] = [];
  const stats: Record<string, number> = {};
  const ctx: ModuleContext = {
    signal: controller.signal,
    root,
    now: () => now,
    log: () => undefined,
    warn: (message) => warnings.push(message),
    count: (stat, delta = 1) => {
      stats[stat] = (stats[stat] ?? 0) + delta;
    },
  };
  return { ctx, warnings, stats, controller };
}

/** Parses `params` with the module's schema (as the agent does) and runs the module to the end. */
export async function runSearch(params: unknown, rec: Recorder): Promise<FileRow[]> {
  const rows: FileRow[] = [];
  for await (const row of runFile(fileParams.parse(params), rec.ctx)) rows.push(row);
  return rows;
}
