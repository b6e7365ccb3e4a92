// YARA: the yara module (YARA-X, WebAssembly, in worker threads) against Debian's `yara -r` on
// the same tree and rules. The reference needs `apt-get install yara`; without it the bench
// says so and fails (bench is not part of CI, so .ci/run does not need yara).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { yaraParams } from '../modules/yara/params.js';
import { runYara } from '../modules/yara/run.js';
import { collectRows, recordingContext } from '../test/helpers/modules/recording.js';
import { benchDir, logFile, MIB, medianMs, removeDir, settle, shell, smallTree } from './file-data.js';
import type { BenchRow } from './types.js';

const SMALL_FILES = 1000;
const LOG_FILES = 16;

/** Two IOC-style rules that match no file: every file is scanned to its end, by both. */
const RULES = `rule evil_domain { strings: $a = "legend.rocks" $b = "evil.example" nocase condition: any of them }
rule mz_dropper { strings: $mz = { 4D 5A 90 00 } $s = /powershell(\\.exe)? -enc [A-Za-z0-9+\\/=]{20,}/ condition: $mz at 0 and $s }
`;

export default async function bench(): Promise<BenchRow[]> {
  if (spawnSync('yara', ['--version']).status !== 0)
    throw new Error('the reference `yara` is not installed: apt-get install yara');
  const dir = benchDir();
  try {
    smallTree(join(dir, 't', 'small'), SMALL_FILES);
    mkdirSync(join(dir, 't', 'logs'));
    for (let i = 0; i < LOG_FILES; i++) logFile(join(dir, 't', 'logs', `access.log.${i}`), 2 * MIB, i);
    writeFileSync(join(dir, 'rules.yar'), RULES);
    settle();
    let scanned = 0;
    let toEngine = 0;
    const cpus: number[] = [];
    const ours = await medianMs(3, async () => {
      const cpu = process.cpuUsage();
      const rec = recordingContext(dir);
      const rows = await collectRows(runYara, yaraParams, { rules: [RULES], paths: ['/t'] }, rec);
      if (rows.length !== 0 || rec.warnings.some((w) => !w.startsWith('rules: ')))
        throw new Error(`yara bench: ${rows.length} rows, warnings ${rec.warnings.slice(0, 3).join('; ')}`);
      scanned = rec.stats.filesScanned ?? 0;
      toEngine = rec.stats.filesToEngine ?? 0;
      // The engines' worker threads count too: cpuUsage is the whole process's.
      const used = process.cpuUsage(cpu);
      cpus.push((used.user + used.system) / 1000);
    });
    const referenceCommand = `yara -r ${join(dir, 'rules.yar')} ${join(dir, 't')}`;
    const reference = await medianMs(3, () => shell(`${referenceCommand} | wc -l`));
    const referenceCpu = median([1, 2, 3].map(() => cpuMsOf(referenceCommand)));
    return [
      {
        name: `yara, ${SMALL_FILES} small files + ${LOG_FILES} x 2 MiB`,
        ours,
        reference: 'yara -r (Debian yara 4)',
        referenceValue: reference,
        unit: 'ms',
        note: `${scanned} files scanned (${toEngine} by the engine), CPU ${median(cpus.slice(1)).toFixed(0)} ms vs ${referenceCpu.toFixed(0)} ms, load ${(loadavg()[0] ?? 0).toFixed(1)}`,
      },
    ];
  } finally {
    removeDir(dir);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** User + system CPU of a command, from bash's `time` (the load inflates wall time far more). */
function cpuMsOf(command: string): number {
  const out = shell(`TIMEFORMAT='%3U %3S'; { time ${command} > /dev/null; } 2>&1`);
  const [user = Number.NaN, system = Number.NaN] = out.trim().split(/\s+/).map(Number);
  return (user + system) * 1000;
}
