// Shared by the file module benchmarks: data generated in a tmpdir, our module run through its
// real entry point (runFile with a real ModuleContext), reference tools timed in the same run.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileParams } from '../modules/shared/search/params.js';
import { runFile } from '../modules/shared/search/run.js';
import { recorder } from '../test/helpers/modules/search-tree.js';

export const MIB = 1024 * 1024;

export function benchDir(): string {
  return mkdtempSync(join(tmpdir(), 'mig-file-bench-'));
}

/** Flushes freshly written data so disk writeback does not compete with the first measurements. */
export function settle(): void {
  shell('sync');
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `count` small files (0.5-4 KiB of text) in a two-level tree, like /usr/share or /etc. */
export function smallTree(dir: string, count: number): void {
  const perDir = 50;
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `d${Math.floor(i / (perDir * 20))}`, `s${Math.floor(i / perDir) % 20}`);
    if (i % perDir === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `file${i}.conf`), `# file ${i}\n${'key = value\n'.repeat(40 + (i % 300))}`);
  }
}

export function randomFile(path: string, bytes: number): void {
  const buf = Buffer.allocUnsafe(bytes);
  randomFillSync(buf);
  writeFileSync(path, buf);
}

/** Web-server-like log lines, no line matching the benchmark patterns. */
export function logFile(path: string, bytes: number, seed: number): void {
  const agents = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'Googlebot/2.1', 'python-requests/2.31'];
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const n = (i * 7919 + seed) % 100_000;
    const line = `10.${n % 256}.${(n >> 8) % 256}.${i % 256} - - [21/Nov/2026:10:${String(i % 60).padStart(2, '0')}:00 +0000] "GET /app/item/${n} HTTP/1.1" 200 ${n % 9000} "-" "${agents[i % 4]}"`;
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Median wall time of `reps` runs, after one warm-up run (page cache warm for everyone). */
export async function medianMs(reps: number, run: () => unknown): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** Runs a shell pipeline; throws if it fails (a reference that did not run is no reference). */
export function shell(command: string): string {
  const out = spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8', maxBuffer: 64 * MIB });
  if (out.status !== 0) throw new Error(`${command}: exit ${out.status}: ${out.stderr}`);
  return out.stdout;
}

/** Runs the file module over `root` (its host '/') to the end; returns rows and stats. */
export async function runOurs(
  root: string,
  searches: Record<string, unknown>,
): Promise<{ rows: number; stats: Record<string, number> }> {
  const rec = recorder(root);
  let rows = 0;
  for await (const row of runFile(fileParams.parse({ searches }), rec.ctx)) if (row !== undefined) rows++;
  if (rec.warnings.length > 0) throw new Error(`benchmark run warned: ${rec.warnings.slice(0, 3).join('; ')}`);
  return { rows, stats: rec.stats };
}

export function mbPerS(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}
