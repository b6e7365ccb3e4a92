// Timing whole processes against a reference, as a user runs them: each command spawned in turn,
// round after round, so a machine that speeds up or slows down meanwhile weighs on every figure
// alike (this VM's speed moves by up to 40 % within a quarter of an hour).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU (user + system) of every child waited for so far, from /proc/self/stat (cutime, cstime
 * in 1/100 s): on a loaded machine wall time mostly measures the queue, CPU time does not.
 */
export function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

export interface Run {
  file: string;
  args: readonly string[];
  /** Changes to this process's environment for the run (a variable set to undefined is left out). */
  env: NodeJS.ProcessEnv;
}

export interface Timing {
  wallMs: number;
  cpuMs: number;
  /** Lines of standard output of the first measured run. */
  lines: number;
}

/**
 * Median wall time and mean CPU of each command, `reps` rounds after one warm-up round.
 * `okStatuses`: the exit codes of a run that counts (anything else is a broken run, not a figure).
 */
export function alternated(commands: readonly Run[], reps: number, okStatuses: readonly number[] = [0, 1]): Timing[] {
  const runs = commands.map((): Timing[] => []);
  for (let i = 0; i <= reps; i++) {
    commands.forEach(({ file, args, env }, j) => {
      const cpu = childrenCpuMs();
      const start = performance.now();
      const out = spawnSync(file, args, {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const wallMs = performance.now() - start;
      if (out.status === null || !okStatuses.includes(out.status))
        throw new Error(`${file} ${args.join(' ')}: exit ${out.status}: ${out.stderr}`);
      if (i > 0) runs[j]?.push({ wallMs, cpuMs: childrenCpuMs() - cpu, lines: out.stdout.split('\n').length - 1 });
    });
  }
  return runs.map((timings) => {
    const walls = timings.map((r) => r.wallMs).sort((a, b) => a - b);
    return {
      wallMs: walls[Math.floor(walls.length / 2)] ?? Number.NaN,
      cpuMs: timings.reduce((sum, r) => sum + r.cpuMs, 0) / timings.length,
      lines: timings[0]?.lines ?? 0,
    };
  });
}

/**
 * Node reads NODE_EXTRA_CA_CERTS's bundle at every start, before any of our code; this VM sets
 * it (/etc/ssl/certs, 220 KB: 35-55 ms a start, on both sides of a row). Runs with this in their
 * env start as on a machine whose environment does not set it (spawn leaves the variable out).
 */
export const WITHOUT_EXTRA_CA: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: undefined };

export function hasExtraCa(): boolean {
  return process.env.NODE_EXTRA_CA_CERTS !== undefined;
}
