// Start-up: `mig --help` and a one-file `-t local` hunt, run as a user runs them (a new node
// process on bin/mig.js, so on dist/), beside the floor each one cannot beat: node starting an
// empty script, and find(1) on the same one-file tree. Runs are interleaved so load changes hit
// both sides alike; the load average is printed because a busy machine inflates every figure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir, removeDir } from './file-data.js';
import { buildDistIfStale } from './dist-build.js';
import type { BenchRow } from './types.js';

const REPS = 15;
const MIG = fileURLToPath(new URL('../bin/mig.js', import.meta.url));

interface Command {
  file: string;
  args: string[];
  /** Changes to the bench's environment for this command (undefined removes a variable). */
  env?: NodeJS.ProcessEnv;
}

/**
 * CPU (user + system) of every child waited for so far, from /proc/self/stat (cutime, cstime
 * in 1/100 s): on a loaded machine wall time mostly measures the queue, CPU time does not.
 */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timeOnce(cmd: Command, env: NodeJS.ProcessEnv): Timing {
  const cpu = childrenCpuMs();
  const start = performance.now();
  const out = spawnSync(cmd.file, cmd.args, {
    env: { ...env, ...cmd.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  // `mig file` exits 0 when it found the file; anything else is a broken run, not a figure.
  if (out.status !== 0) throw new Error(`${cmd.file} ${cmd.args.join(' ')}: exit ${out.status}: ${out.stderr}`);
  return { wallMs: ms, cpuMs: childrenCpuMs() - cpu };
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median wall time and mean CPU of each command, interleaved run by run, after one warm-up each. */
function interleaved(commands: readonly Command[], env: NodeJS.ProcessEnv): Timing[] {
  for (const cmd of commands) timeOnce(cmd, env);
  const runs = commands.map((): Timing[] => []);
  for (let i = 0; i < REPS; i++) commands.forEach((cmd, j) => runs[j]?.push(timeOnce(cmd, env)));
  return runs.map((timings) => ({
    wallMs: median(timings.map((t) => t.wallMs)),
    cpuMs: timings.reduce((sum, t) => sum + t.cpuMs, 0) / timings.length,
  }));
}

function row(
  name: string,
  ours: Timing | undefined,
  reference: string,
  ref: Timing | undefined,
  note: string,
): BenchRow {
  const cpu = (t: Timing | undefined): string => (t === undefined ? '?' : t.cpuMs.toFixed(0));
  return {
    name,
    ours: ours?.wallMs ?? Number.NaN,
    reference,
    referenceValue: ref?.wallMs ?? Number.NaN,
    unit: 'ms',
    note: `CPU ${cpu(ours)} vs ${cpu(ref)} ms; ${note}`,
  };
}

export default async function bench(): Promise<BenchRow[]> {
  // What users run is dist/: measure it, not the tsx fallback of a checkout edited since the build.
  buildDistIfStale();
  const dir = benchDir();
  try {
    mkdirSync(join(dir, 'tree'));
    writeFileSync(join(dir, 'tree', 'x'), 'one file\n');
    mkdirSync(join(dir, 'home'));
    const env = { ...process.env, MIG_HOME: join(dir, 'home'), NO_COLOR: '1', MIG_NO_GPG: '1' };
    const node = process.execPath;
    const commands: Command[] = [
      { file: node, args: [MIG, '--help'] },
      { file: node, args: ['-e', '0'] },
      { file: node, args: [MIG, 'file', '-t', 'local', '-path', join(dir, 'tree'), '-name', '^x$'] },
      { file: 'find', args: [join(dir, 'tree'), '-name', 'x'] },
    ];
    // Node reads and parses that CA bundle at every start, before any of our code: on the
    // project VM (/etc/ssl/certs, ~220 KB) 35-55 ms on both sides of each row. Where it is set,
    // the same commands also run without it (as a user's shell usually is), interleaved with
    // the others so a machine changing speed meanwhile weighs on both alike.
    const hasExtraCa = process.env.NODE_EXTRA_CA_CERTS !== undefined;
    const clean = hasExtraCa ? commands.map((cmd) => ({ ...cmd, env: { NODE_EXTRA_CA_CERTS: undefined } })) : [];
    // The hunt from the ES module bundle (bin/cli-bundle.js): what the CommonJS file's code cache saves.
    const esmHunt = { ...(commands[2] as Command), env: { MIG_CLI_BUNDLE: 'esm' } };
    const loadStart = loadavg()[0] ?? Number.NaN;
    const [help, nodeEmpty, hunt, find, esm, cleanHelp, cleanNode, cleanHunt, cleanFind] = interleaved(
      [...commands, esmHunt, ...clean],
      env,
    );
    const load = `load ${loadStart.toFixed(1)} → ${(loadavg()[0] ?? Number.NaN).toFixed(1)}`;
    const setLoad = `${load}${hasExtraCa ? '; NODE_EXTRA_CA_CERTS set' : ''}`;
    const rows = [
      row('start-up: mig --help', help, 'node -e 0', nodeEmpty, `goal ≤ 150 ms; ${setLoad}`),
      row('start-up: mig file -t local, one-file tree', hunt, 'find DIR -name x', find, `goal ≤ 300 ms; ${setLoad}`),
      row(
        'start-up: mig file -t local, one-file tree, ES module bundle',
        esm,
        'find DIR -name x',
        find,
        `MIG_CLI_BUNDLE=esm: the bundle before the CommonJS one; ${setLoad}`,
      ),
    ];
    if (!hasExtraCa) return rows;
    const unset = 'NODE_EXTRA_CA_CERTS unset';
    return [
      ...rows,
      row(`start-up: mig --help, ${unset}`, cleanHelp, 'node -e 0', cleanNode, `goal ≤ 150 ms; ${load}`),
      row(
        `start-up: mig file -t local, one-file tree, ${unset}`,
        cleanHunt,
        'find DIR -name x',
        cleanFind,
        `goal ≤ 300 ms; ${load}`,
      ),
    ];
  } finally {
    removeDir(dir);
  }
}
