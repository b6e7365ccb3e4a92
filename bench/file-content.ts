// Content regexes: the file module against grep on the same logs, and the regex engine choice
// (V8 for patterns proven linear, re2js otherwise) measured in the same run.
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileLineRegex } from '../modules/shared/search/regex.js';
import { benchDir, logFile, MIB, mbPerS, medianMs, removeDir, runOurs, settle, shell } from './file-data.js';
import type { BenchRow } from './types.js';

const LOG_FILES = 64;
const LOG_BYTES = 2 * MIB;

/** IOC-style patterns that match no line: every file is read to the end, by us and by grep. */
const PATTERNS = [
  { ours: 'legend\\.rocks', grep: "grep -rcE 'legend\\.rocks'" },
  { ours: '(?i)legend\\.rocks', grep: "grep -rciE 'legend\\.rocks'" },
  { ours: '[a-z]+[0-9]{3}@evil\\.(com|net)', grep: "grep -rcE '[a-z]+[0-9]{3}@evil\\.(com|net)'" },
  { ours: '(?i)(cmd|powershell)\\.exe.*-enc', grep: "grep -rciE '(cmd|powershell)\\.exe.*-enc'" },
];

/**
 * Issue 13's pattern classes, against `LC_ALL=C grep -rlE` (file names only: grep stops reading
 * a file at its first match, and so do we when only the file is wanted).
 */
const CLASSES = [
  { name: 'no literal', pattern: '[0-9]{6,}' },
  { name: 'rare literal', pattern: 'legend\\.rocks' },
  { name: 'frequent', pattern: 'Googlebot' },
  { name: 'absent alternation', pattern: 'evil\\.com|bad\\.net|worse\\.org|(cmd|powershell)\\.exe' },
  { name: 'line-anchored', pattern: '^10\\.[0-9]+\\.[0-9]+\\.[0-9]+ - -' },
];

const MIG = fileURLToPath(new URL('../bin/mig.js', import.meta.url));

/** 64 x 2 MiB of logs in a temp dir for `run`, removed after. */
async function withLogs(run: (dir: string) => Promise<BenchRow[]>): Promise<BenchRow[]> {
  const dir = benchDir();
  try {
    mkdirSync(join(dir, 'logs'));
    for (let i = 0; i < LOG_FILES; i++) logFile(join(dir, 'logs', `access.log.${i}`), LOG_BYTES, i);
    settle();
    return await run(dir);
  } finally {
    removeDir(dir);
  }
}

export default function bench(): Promise<BenchRow[]> {
  return withLogs(async (dir) => {
    const rows: BenchRow[] = [];
    for (const pattern of PATTERNS) rows.push(await grepRow(dir, pattern));
    return [...rows, await engineRow(join(dir, 'logs', 'access.log.0')), await backtrackRow()];
  });
}

/** `npm run bench content-list`: issue 13's pattern classes in the engine, against grep -l. */
export function listBench(): Promise<BenchRow[]> {
  return withLogs(async (dir) => {
    const rows: BenchRow[] = [];
    for (const c of CLASSES) rows.push(await listRow(dir, c));
    return rows;
  });
}

/** `npm run bench content-cli`: the same, end to end through `mig file -t local`. */
export function cliBench(): Promise<BenchRow[]> {
  return withLogs(async (dir) => {
    const rows: BenchRow[] = [];
    for (const c of CLASSES) rows.push(await endToEndRow(dir, c));
    return rows;
  });
}

function grepList(dir: string, pattern: string): number {
  // Exit 1 only means "no match"; wc keeps grep's output off /dev/null.
  return Number(shell(`(LC_ALL=C grep -rlE '${pattern}' ${join(dir, 'logs')} || [ $? -eq 1 ]) | wc -l`));
}

const load = (): string => `load ${(loadavg()[0] ?? 0).toFixed(1)}`;

/** In the engine (no start-up): the file module in this process against grep -l. */
async function listRow(dir: string, c: { name: string; pattern: string }): Promise<BenchRow> {
  let files = 0;
  let bytes = 0;
  const ours = await medianMs(3, async () => {
    const run = await runOurs(dir, { s1: { paths: ['/logs'], contents: [c.pattern] } });
    files = run.rows;
    bytes = run.stats.bytesRead ?? 0;
  });
  let grepFiles = 0;
  const grep = await medianMs(3, () => (grepFiles = grepList(dir, c.pattern)));
  if (files !== grepFiles) throw new Error(`${c.pattern}: we found ${files} files, grep -l ${grepFiles}`);
  return {
    name: `content -l ${c.name} (engine)`,
    ours,
    reference: 'LC_ALL=C grep -rlE',
    referenceValue: grep,
    unit: 'ms',
    note: `${c.pattern}: ${files} files, ${(bytes / MIB).toFixed(0)} MiB read, engine ${compileLineRegex(c.pattern).engine}, ${load()}`,
  };
}

/** As a user runs it: `mig file -t local` (start-up included) against grep -l. */
async function endToEndRow(dir: string, c: { name: string; pattern: string }): Promise<BenchRow> {
  const ours = await medianMs(3, () =>
    shell(`(MIG_LOCAL_ROOT=${dir} node ${MIG} file -t local -path /logs -content '${c.pattern}' || true) | wc -l`),
  );
  const grep = await medianMs(3, () => grepList(dir, c.pattern));
  return {
    name: `content -l ${c.name} (mig file -t local)`,
    ours,
    reference: 'LC_ALL=C grep -rlE',
    referenceValue: grep,
    unit: 'ms',
    note: load(),
  };
}

async function grepRow(dir: string, pattern: { ours: string; grep: string }): Promise<BenchRow> {
  let bytes = 0;
  const ours = await medianMs(3, async () => {
    const run = await runOurs(dir, { s1: { paths: ['/logs'], contents: [pattern.ours] } });
    if (run.rows !== 0) throw new Error(`${pattern.ours} matched ${run.rows} files; the benchmark wants a full scan`);
    bytes = run.stats.bytesRead ?? 0;
  });
  // grep -c reads every file to the end and prints one count per file: wc keeps its output off
  // /dev/null (where GNU grep stops at the first match). Exit 1 only means "no match".
  const grep = await medianMs(3, () => shell(`(${pattern.grep} ${join(dir, 'logs')} || [ $? -eq 1 ]) | wc -l`));
  return {
    name: `content ${pattern.ours}`,
    ours: mbPerS(bytes, ours),
    reference: pattern.grep.replace(/ '.*'$/, ''),
    referenceValue: mbPerS(bytes, grep),
    unit: 'MB/s',
    note: `engine ${compileLineRegex(pattern.ours).engine}, ${(bytes / MIB).toFixed(0)} MiB`,
  };
}

/**
 * What the V8 path buys: a provably linear pattern with no required literal (so re2js gets no
 * prefilter help) on both engines, in memory.
 */
async function engineRow(path: string): Promise<BenchRow> {
  const text = readFileSync(path, 'utf8').repeat(16);
  const auto = compileLineRegex('[0-9a-f]{32}');
  const re2 = compileLineRegex('[0-9a-f]{32}', 're2js');
  const v8 = await medianMs(3, () => auto.firstMatchingLine(text));
  const re2js = await medianMs(3, () => re2.firstMatchingLine(text));
  const bytes = Buffer.byteLength(text);
  return {
    name: `engine for [0-9a-f]{32}, ${(bytes / MIB).toFixed(0)} MiB`,
    ours: mbPerS(bytes, v8),
    reference: 're2js for every pattern',
    referenceValue: mbPerS(bytes, re2js),
    unit: 'MB/s',
    note: `chosen: ${auto.engine}`,
  };
}

/** Why not V8 for everything: a quadratic pattern on one long line. */
async function backtrackRow(): Promise<BenchRow> {
  const line = 'a'.repeat(40_000);
  const ours = compileLineRegex('a*b');
  const v8 = new RegExp('a*b', 'u');
  const oursMs = await medianMs(3, () => ours.test(line));
  const v8Ms = await medianMs(1, () => v8.test(line));
  return {
    name: 'a*b on a 40k-char line',
    ours: oursMs,
    reference: 'V8 RegExp (backtracking)',
    referenceValue: v8Ms,
    unit: 'ms',
    note: `chosen: ${ours.engine}`,
  };
}
