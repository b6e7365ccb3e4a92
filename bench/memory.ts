// Memory scanning: the memory module over a live process holding ~256 MiB of buffers, against
// grep over a dump of the same readable regions (taken with our own reader, not timed).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseMaps } from '../modules/memory/maps.js';
import { recorder, runSearch } from '../test/helpers/modules/memory.js';
import { loadavg } from 'node:os';
import { childrenCpuMs } from './alternated.js';
import { ownCpuMs } from './file-content.js';
import { benchDir, MIB, mbPerS, medianMs, removeDir, settle, shell } from './file-data.js';
import type { BenchRow } from './types.js';

const HELD_MIB = 256;

/** Fills 16 MiB buffers with log lines and writes the marker near the end of the last one. */
const HOLD = `
const bufs = [];
for (let i = 0; i < ${HELD_MIB / 16}; i++) bufs.push(Buffer.alloc(${16 * MIB}, '10.1.2.3 - - [21/Nov/2026:10:00:00 +0000] "GET /app/item/4242 HTTP/1.1" 200 512\\n'));
const marker = Buffer.from(process.env.MARKER_HEX, 'hex');
marker.copy(bufs[bufs.length - 1], ${16 * MIB} - 4096);
process.stdout.write('ready\\n');
setInterval(() => bufs.length, 1000);`;

async function holdMemory(marker: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', HOLD], {
    env: { PATH: process.env.PATH, MARKER_HEX: Buffer.from(marker).toString('hex') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`memory holder exited (${code})`)));
    child.stdout.once('data', () => resolve());
  });
  if (child.pid === undefined) throw new Error('memory holder has no pid');
  return child as ChildProcess & { pid: number };
}

/** Copies every readable region of `pid` into `path` (the reference's input); returns its size. */
function dumpMemory(pid: number, path: string): number {
  const { regions } = parseMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
  const mem = openSync(`/proc/${pid}/mem`, 'r');
  const out = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(MIB);
  let total = 0;
  try {
    for (const region of regions) {
      for (let pos = region.start; pos < region.end;) {
        let got = 0;
        try {
          got = readSync(mem, buf, 0, Math.min(MIB, region.end - pos), pos);
        } catch {
          // Unreadable (EIO): the module skips the rest of such a region too.
        }
        if (got === 0) break;
        writeSync(out, buf, 0, got);
        total += got;
        pos += got;
      }
    }
  } finally {
    closeSync(mem);
    closeSync(out);
  }
  return total;
}

async function scanOurs(pid: number, params: Record<string, unknown>): Promise<{ rows: number; bytes: number }> {
  const rec = recorder('/');
  const rows = await runSearch({ ...params, pids: [pid] }, rec);
  return { rows: rows.length, bytes: rec.stats.bytesScanned ?? 0 };
}

interface Case {
  name: string;
  params: Record<string, unknown>;
  grep: string;
  reps: number;
}

async function compare(pid: number, dump: string, dumpBytes: number, c: Case): Promise<BenchRow> {
  let bytes = 0;
  // CPU per run beside wall (medianMs runs reps + 1, the first a warm-up): a loaded machine inflates wall.
  const ourCpu = ownCpuMs();
  const ours = await medianMs(c.reps, async () => {
    const run = await scanOurs(pid, c.params);
    if (run.rows !== 0) throw new Error(`${c.name} matched; the benchmark wants a full scan`);
    bytes = run.bytes;
  });
  const oursCpuMs = (ownCpuMs() - ourCpu) / (c.reps + 1);
  // grep -c prints one count; wc keeps its output off /dev/null (where GNU grep stops at the first match).
  const grepCpu = childrenCpuMs();
  const grep = await medianMs(c.reps, () => shell(`(${c.grep} ${dump} || [ $? -eq 1 ]) | wc -l`));
  const grepCpuMs = (childrenCpuMs() - grepCpu) / (c.reps + 1);
  return {
    name: c.name,
    ours: mbPerS(bytes, ours),
    reference: c.grep.replace(/ '.*'$/, ' on a dump'),
    referenceValue: mbPerS(dumpBytes, grep),
    unit: 'MB/s',
    note: `${(bytes / MIB).toFixed(0)} MiB of one process; CPU ${oursCpuMs.toFixed(0)} vs ${grepCpuMs.toFixed(0)} ms (grep's includes bash, wc); load ${(loadavg()[0] ?? 0).toFixed(1)}`,
  };
}

/** The marker the child holds is found by both, so both really looked at the same memory. */
async function checkFound(pid: number, dump: string, marker: string): Promise<void> {
  const ours = await scanOurs(pid, { contents: [marker], bytes: [Buffer.from(marker).toString('hex')] });
  const grep = Number(shell(`grep -c -a -F '${marker}' ${dump} || true`).trim());
  if (ours.rows !== 1 || grep < 1)
    throw new Error(`held marker not found: ours ${ours.rows} row(s), grep ${grep} line(s)`);
}

export default async function bench(): Promise<BenchRow[]> {
  const marker = `mig-bench-marker-${randomBytes(8).toString('hex')}`;
  const absent = `mig-bench-absent-${randomBytes(8).toString('hex')}`;
  const dir = benchDir();
  const child = await holdMemory(marker);
  try {
    const dump = join(dir, 'mem.dump');
    const dumpBytes = dumpMemory(child.pid, dump);
    settle();
    await checkFound(child.pid, dump, marker);
    const cases: Case[] = [
      {
        name: 'memory content, literal (V8)',
        params: { contents: [absent] },
        grep: `grep -c -a -F '${absent}'`,
        reps: 3,
      },
      {
        name: 'memory bytes',
        params: { bytes: [Buffer.from(absent).toString('hex')] },
        grep: `grep -c -a -F '${absent}'`,
        reps: 3,
      },
      {
        name: 'memory content, regex (re2js)',
        params: { contents: ['mig-bench-absent-[0-9a-f]+x'] },
        grep: "grep -c -a -E 'mig-bench-absent-[0-9a-f]+x'",
        // Three like the others: one run made this row swing ±10 % (session 5).
        reps: 3,
      },
    ];
    const rows: BenchRow[] = [];
    for (const c of cases) rows.push(await compare(child.pid, dump, dumpBytes, c));
    return rows;
  } finally {
    child.kill('SIGKILL');
    removeDir(dir);
  }
}
