import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectRows, recordingContext, type Recording } from './recording.js';
import { fileParams } from '../../../modules/shared/search/params.js';
import { runFile, type FileRow } from '../../../modules/shared/search/run.js';

/** Test and benchmark support: fixture trees in a tmpdir (ctx.root) and a run of the module over them. */

export type Entry = string | Buffer | { symlink: string } | { dir: true } | { fifo: true };

/** Builds `entries` (host paths → content) under a fresh tmpdir, which becomes ctx.root. */
export function makeTree(entries: Readonly<Record<string, Entry>>): string {
  return addEntries(mkdtempSync(join(tmpdir(), 'mig-file-')), entries);
}

/** A copy of a module's committed fixture folder in a fresh tmpdir, to become the ctx.root. */
export function fixtureRoot(prefix: string, fixtures: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  cpSync(fixtures, root, { recursive: true });
  return root;
}

/** Writes `entries` (paths below root → content) under root; returns root. */
export function addEntries(root: string, entries: Readonly<Record<string, Entry>>): string {
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

/** The shared recording context, under the name bench/file-data.ts imports. */
export { recordingContext as recorder };

/** Parses `params` with the module's schema (as the agent does) and runs the module to the end. */
export function runSearch(params: unknown, rec: Recording): Promise<FileRow[]> {
  return collectRows(runFile, fileParams, params, rec);
}

/**
 * Hunts over fresh trees, each one search (s1) over /d: a hunt removes the tree of the hunt
 * before it, and cleanup() (the test file's afterEach) removes the last one.
 */
export function treeHunts(): {
  hunt: (
    entries: Readonly<Record<string, Entry>>,
    search: Record<string, unknown>,
  ) => Promise<{ paths: string[]; rec: Recording }>;
  cleanup: () => void;
} {
  let root: string | undefined;
  const cleanup = (): void => {
    if (root !== undefined) removeTree(root);
    root = undefined;
  };
  return {
    hunt: async (entries, search) => {
      cleanup();
      root = makeTree(entries);
      const rec = recordingContext(root);
      const rows = await runSearch({ searches: { s1: { paths: ['/d'], ...search } } }, rec);
      return { paths: rows.map((r) => r.path).sort(), rec };
    },
    cleanup,
  };
}
