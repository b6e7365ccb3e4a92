// Start-up: `mig --help` and a one-file `-t local` hunt, run as a user runs them (a new node
// process on bin/mig.js, so on dist/), beside the floor each one cannot beat: node starting an
// empty script, and find(1) on the same one-file tree. Runs are interleaved so load changes hit
// both sides alike; the load average is printed because a busy machine inflates every figure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../bin/dist-state.js';
import { benchDir, removeDir } from './file-data.js';
import type { BenchRow } from './types.js';

const REPS = 15;
const MIG = fileURLToPath(new URL('../bin/mig.js', import.meta.url));
const BUILD = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

interface Command {
  file: string;
  args: string[];
}

function timeOnce(cmd: Command, env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const out = spawnSync(cmd.file, cmd.args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - start;
  // `mig file` exits 0 when it found the file; anything else is a broken run, not a figure.
  if (out.status !== 0) throw new Error(`${cmd.file} ${cmd.args.join(' ')}: exit ${out.status}: ${out.stderr}`);
  return ms;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median wall time of each command, interleaved run by run, after one warm-up each. */
function interleaved(commands: readonly Command[], env: NodeJS.ProcessEnv): number[] {
  for (const cmd of commands) timeOnce(cmd, env);
  const times = commands.map((): number[] => []);
  for (let i = 0; i < REPS; i++) commands.forEach((cmd, j) => times[j]?.push(timeOnce(cmd, env)));
  return times.map(median);
}

export default async function bench(): Promise<BenchRow[]> {
  // What users run is dist/: measure it, not the tsx fallback of a checkout edited since the build.
  if (!distIsFresh()) spawnSync(process.execPath, [BUILD], { stdio: 'inherit' });
  if (!distIsFresh()) throw new Error('dist/ is not current after `npm run build`');
  const dir = benchDir();
  try {
    mkdirSync(join(dir, 'tree'));
    writeFileSync(join(dir, 'tree', 'x'), 'one file\n');
    mkdirSync(join(dir, 'home'));
    const env = { ...process.env, MIG_HOME: join(dir, 'home'), NO_COLOR: '1', MIG_NO_GPG: '1' };
    const node = process.execPath;
    const loadStart = loadavg()[0] ?? Number.NaN;
    const [help, nodeEmpty, hunt, find] = interleaved(
      [
        { file: node, args: [MIG, '--help'] },
        { file: node, args: ['-e', '0'] },
        { file: node, args: [MIG, 'file', '-t', 'local', '-path', join(dir, 'tree'), '-name', '^x$'] },
        { file: 'find', args: [join(dir, 'tree'), '-name', 'x'] },
      ],
      env,
    );
    const load = `load ${loadStart.toFixed(1)} → ${(loadavg()[0] ?? Number.NaN).toFixed(1)}`;
    return [
      { name: 'start-up: mig --help', ours: help ?? Number.NaN, reference: 'node -e 0', referenceValue: nodeEmpty ?? Number.NaN, unit: 'ms', note: `goal ≤ 150 ms; ${load}` },
      { name: 'start-up: mig file -t local, one-file tree', ours: hunt ?? Number.NaN, reference: 'find DIR -name x', referenceValue: find ?? Number.NaN, unit: 'ms', note: `goal ≤ 300 ms; ${load}` },
    ];
  } finally {
    removeDir(dir);
  }
}
