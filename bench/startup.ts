// Start-up: `mig --help` and a one-file `-t local` hunt, run as a user runs them (a new node
// process on bin/mig.js, so on dist/), beside the floor each one cannot beat: node starting an
// empty script, and find(1) on the same one-file tree. Runs are interleaved so load changes hit
// both sides alike; the load average is printed because a busy machine inflates every figure.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternated, hasExtraCa, WITHOUT_EXTRA_CA, type Run, type Timing } from './alternated.js';
import { benchDir, removeDir } from './file-data.js';
import { buildDistIfStale, expectDistStillFresh } from './dist-build.js';
import type { BenchRow } from './types.js';

const REPS = 15;
const MIG = fileURLToPath(new URL('../bin/mig.js', import.meta.url));

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
    const env = { MIG_HOME: join(dir, 'home'), NO_COLOR: '1', MIG_NO_GPG: '1' };
    const node = process.execPath;
    const hunt: Run = {
      file: node,
      args: [MIG, 'file', '-t', 'local', '-path', join(dir, 'tree'), '-name', '^x$'],
      env,
    };
    const commands: Run[] = [
      { file: node, args: [MIG, '--help'], env },
      { file: node, args: ['-e', '0'], env },
      hunt,
      { file: 'find', args: [join(dir, 'tree'), '-name', 'x'], env },
    ];
    // Where the environment sets NODE_EXTRA_CA_CERTS (bench/alternated.ts), the same commands
    // also run without it, as a user's shell usually is, in the same rounds as the others.
    const clean = hasExtraCa() ? commands.map((cmd) => ({ ...cmd, env: { ...env, ...WITHOUT_EXTRA_CA } })) : [];
    // The hunt from the ES module bundle (bin/cli-bundle.js): what the CommonJS file's code cache saves.
    const esmHunt: Run = { ...hunt, env: { ...env, MIG_CLI_BUNDLE: 'esm' } };
    const loadStart = loadavg()[0] ?? Number.NaN;
    // `mig file` exits 0 when it found the file: any other exit is a broken run.
    const [help, nodeEmpty, huntTiming, find, esm, cleanHelp, cleanNode, cleanHunt, cleanFind] = alternated(
      [...commands, esmHunt, ...clean],
      REPS,
      [0],
    );
    expectDistStillFresh('startup');
    const load = `load ${loadStart.toFixed(1)} → ${(loadavg()[0] ?? Number.NaN).toFixed(1)}`;
    const setLoad = `${load}${hasExtraCa() ? '; NODE_EXTRA_CA_CERTS set' : ''}`;
    const rows = [
      row('start-up: mig --help', help, 'node -e 0', nodeEmpty, `goal ≤ 150 ms; ${setLoad}`),
      row(
        'start-up: mig file -t local, one-file tree',
        huntTiming,
        'find DIR -name x',
        find,
        `goal ≤ 300 ms; ${setLoad}`,
      ),
      row(
        'start-up: mig file -t local, one-file tree, ES module bundle',
        esm,
        'find DIR -name x',
        find,
        `MIG_CLI_BUNDLE=esm: the bundle before the CommonJS one; ${setLoad}`,
      ),
    ];
    if (!hasExtraCa()) return rows;
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
