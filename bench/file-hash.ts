// Hashing: the file module's sha256/md5/sha1 checks against coreutils and openssl on the same files.
import { childrenCpuMs } from './alternated.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  benchDir,
  MIB,
  mbPerS,
  medianMs,
  randomFile,
  removeDir,
  runOurs,
  settle,
  shell,
  smallTree,
} from './file-data.js';
import type { BenchRow } from './types.js';

const LARGE_FILES = 2;
const LARGE_BYTES = 96 * MIB;
const SMALL_FILES = 20_000;
/** An IOC that matches nothing: every file is hashed to the end. */
const NO_MATCH = (n: number): string => 'f'.repeat(n);

export default async function bench(): Promise<BenchRow[]> {
  const dir = benchDir();
  try {
    mkdirSync(join(dir, 'large'));
    for (let i = 0; i < LARGE_FILES; i++) randomFile(join(dir, 'large', `blob${i}.bin`), LARGE_BYTES);
    smallTree(join(dir, 'small'), SMALL_FILES);
    settle();
    return [...(await largeRows(dir)), await smallRow(dir)];
  } finally {
    removeDir(dir);
  }
}

async function largeRows(dir: string): Promise<BenchRow[]> {
  const large = join(dir, 'large');
  const bytes = LARGE_FILES * LARGE_BYTES;
  const files = `${large}/*.bin`;
  const ours = await medianMs(3, () => runOurs(dir, { s1: { paths: ['/large'], sha2: [NO_MATCH(64)] } }));
  const oursAll = await medianMs(3, () =>
    runOurs(dir, {
      s1: {
        paths: ['/large'],
        md5: [NO_MATCH(32)],
        sha1: [NO_MATCH(40)],
        sha2: [NO_MATCH(64)],
        options: { matchany: true },
      },
    }),
  );
  const sha256sum = await medianMs(3, () => shell(`sha256sum ${files} | wc -l`));
  const openssl = await medianMs(3, () => shell(`openssl dgst -sha256 ${files} | wc -l`));
  const coreutilsAll = await medianMs(3, () =>
    shell(`md5sum ${files} | wc -l && sha1sum ${files} | wc -l && sha256sum ${files} | wc -l`),
  );
  const size = `${LARGE_FILES}x${LARGE_BYTES / MIB} MiB`;
  return [
    {
      name: `sha256, ${size}`,
      ours: mbPerS(bytes, ours),
      reference: 'sha256sum',
      referenceValue: mbPerS(bytes, sha256sum),
      unit: 'MB/s',
    },
    {
      name: `sha256, ${size}`,
      ours: mbPerS(bytes, ours),
      reference: 'openssl dgst -sha256',
      referenceValue: mbPerS(bytes, openssl),
      unit: 'MB/s',
    },
    {
      name: `md5+sha1+sha256, ${size}`,
      ours: mbPerS(bytes, oursAll),
      reference: 'md5sum; sha1sum; sha256sum',
      referenceValue: mbPerS(bytes, coreutilsAll),
      unit: 'MB/s',
      note: 'one read pass feeds all digests',
    },
  ];
}

/** This process's CPU (every thread: the reader threads too) and its main thread's alone. */
function ownCpuMs(): { all: number; main: number } {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const { user, system } = process.cpuUsage();
  return { all: (user + system) / 1000, main: (Number(fields[11]) + Number(fields[12])) * 10 };
}

async function smallRow(dir: string): Promise<BenchRow> {
  const small = join(dir, 'small');
  let hashed = 0;
  // On a shared machine wall time mostly measures the queue: CPU per run is printed beside it.
  const cpu = { all: 0, main: 0, ref: 0, runs: 0, refRuns: 0 };
  const ours = await medianMs(3, async () => {
    const before = ownCpuMs();
    hashed = (await runOurs(dir, { s1: { paths: ['/small'], sha2: [NO_MATCH(64)] } })).stats.bytesHashed ?? 0;
    const after = ownCpuMs();
    cpu.all += after.all - before.all;
    cpu.main += after.main - before.main;
    cpu.runs++;
  });
  const reference = await medianMs(3, () => {
    const before = childrenCpuMs();
    shell(`find ${small} -type f -exec sha256sum {} + | wc -l`);
    cpu.ref += childrenCpuMs() - before;
    cpu.refRuns++;
  });
  const per = (ms: number, runs: number): string => (ms / runs).toFixed(0);
  return {
    name: `sha256, ${SMALL_FILES} small files`,
    ours,
    reference: 'find -exec sha256sum {} +',
    referenceValue: reference,
    unit: 'ms',
    note:
      `${(hashed / MIB).toFixed(0)} MiB hashed; CPU ${per(cpu.all, cpu.runs)} ms (walking thread ` +
      `${per(cpu.main, cpu.runs)}) vs ${per(cpu.ref, cpu.refRuns)} ms; load ${(loadavg()[0] ?? 0).toFixed(1)}`,
  };
}
