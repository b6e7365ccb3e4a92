// Content regexes: the file module against grep on the same logs, and the regex engine choice
// (V8 for patterns proven linear, re2js otherwise) measured in the same run.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export default async function bench(): Promise<BenchRow[]> {
  const dir = benchDir();
  try {
    mkdirSync(join(dir, 'logs'));
    for (let i = 0; i < LOG_FILES; i++) logFile(join(dir, 'logs', `access.log.${i}`), LOG_BYTES, i);
    settle();
    const rows: BenchRow[] = [];
    for (const pattern of PATTERNS) rows.push(await grepRow(dir, pattern));
    return [...rows, await engineRow(join(dir, 'logs', 'access.log.0')), await backtrackRow()];
  } finally {
    removeDir(dir);
  }
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
  return { name: `engine for [0-9a-f]{32}, ${(bytes / MIB).toFixed(0)} MiB`, ours: mbPerS(bytes, v8), reference: 're2js for every pattern', referenceValue: mbPerS(bytes, re2js), unit: 'MB/s', note: `chosen: ${auto.engine}` };
}

/** Why not V8 for everything: a quadratic pattern on one long line. */
async function backtrackRow(): Promise<BenchRow> {
  const line = 'a'.repeat(40_000);
  const ours = compileLineRegex('a*b');
  const v8 = new RegExp('a*b', 'u');
  const oursMs = await medianMs(3, () => ours.test(line));
  const v8Ms = await medianMs(1, () => v8.test(line));
  return { name: 'a*b on a 40k-char line', ours: oursMs, reference: 'V8 RegExp (backtracking)', referenceValue: v8Ms, unit: 'ms', note: `chosen: ${ours.engine}` };
}
