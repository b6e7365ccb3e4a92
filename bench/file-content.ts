// Content regexes: the file module against grep on the same logs, and the regex engine choice
// (V8 for patterns proven linear, re2js otherwise) measured in the same run.
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useContentThreads } from '../modules/shared/search/content-pool.js';
import { compileLineRegex } from '../modules/shared/search/regex.js';
import { benchDir, logFile, MIB, mbPerS, medianMs, removeDir, runOurs, settle, shell } from './file-data.js';
import { alternated, childrenCpuMs, hasExtraCa, WITHOUT_EXTRA_CA, type Run, type Timing } from './alternated.js';
import { buildDistIfStale, expectDistStillFresh } from './dist-build.js';
import type { BenchRow } from './types.js';

const LOG_FILES = 64;
const LOG_BYTES = 2 * MIB;
/** Issue 13 states its goal "over ~290 MB of text": 138 x 2 MiB = 289.4 MB (the `-290` rows). */
const ISSUE_LOG_FILES = 138;

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
/** The class whose grep run the floor rows are set beside: every byte read, the least work per byte. */
const RARE_LITERAL = { name: 'rare literal', pattern: 'legend\\.rocks' };
const CLASSES = [
  { name: 'no literal', pattern: '[0-9]{6,}' },
  RARE_LITERAL,
  { name: 'frequent', pattern: 'Googlebot' },
  { name: 'absent alternation', pattern: 'evil\\.com|bad\\.net|worse\\.org|(cmd|powershell)\\.exe' },
  { name: 'line-anchored', pattern: '^10\\.[0-9]+\\.[0-9]+\\.[0-9]+ - -' },
];

const MIG = fileURLToPath(new URL('../bin/mig.js', import.meta.url));
/** Reads every byte of a tree and does nothing else: the floor of a class no file matches. */
const READ_FLOOR = fileURLToPath(new URL('./read-floor.cjs', import.meta.url));

/** `files` x 2 MiB of logs in a temp dir for `run`, removed after. */
async function withLogs(run: (dir: string) => Promise<BenchRow[]>, files = LOG_FILES): Promise<BenchRow[]> {
  const dir = benchDir();
  // In this process the engine runs on one thread: the bench runs under tsx, where a content
  // thread would boot through tsx's compiler. Content threads are measured end to end, from
  // dist/, by the content-cli-290 rows (with and without them).
  useContentThreads(0);
  try {
    mkdirSync(join(dir, 'logs'));
    for (let i = 0; i < files; i++) logFile(join(dir, 'logs', `access.log.${i}`), LOG_BYTES, i);
    settle();
    return await run(dir);
  } finally {
    useContentThreads(undefined);
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

/** `npm run bench content-list-290`: the same over the issue's ~290 MB. */
export function listBench290(): Promise<BenchRow[]> {
  return withLogs(async (dir) => {
    const rows: BenchRow[] = [];
    for (const c of CLASSES) rows.push(await listRow(dir, c, ' 290 MB'));
    return rows;
  }, ISSUE_LOG_FILES);
}

/**
 * `npm run bench content-cli-290`: issue 13's goal as it states it, end to end over ~290 MB,
 * with CPU beside wall (a loaded machine inflates wall times) and two floors no Node process can
 * go under: Node's own start, and, for a class no file matches, a Node process that only reads
 * every byte (bench/read-floor.cjs).
 */
export function cliBench290(): Promise<BenchRow[]> {
  // What users run is dist/: measure it, not the tsx fallback of a checkout edited since the build.
  buildDistIfStale();
  return withLogs(async (dir) => {
    const { floor, cleanFloor, rows: floorRows } = nodeFloors(dir);
    const rows: BenchRow[] = [...floorRows];
    // Each class's default row, then the same hunt from the ES module bundle (bin/cli-bundle.js),
    // and without NODE_EXTRA_CA_CERTS when the environment sets it.
    const variants: Variant[] = [
      { label: 'ES module bundle', env: { MIG_CLI_BUNDLE: 'esm' }, floor },
      ...(cleanFloor === undefined
        ? []
        : [{ label: 'NODE_EXTRA_CA_CERTS unset', env: WITHOUT_EXTRA_CA, floor: cleanFloor }]),
    ];
    for (const c of CLASSES) rows.push(...endToEndCpuRows(dir, c, floor, undefined, variants));
    // The A/B of content threads in the same sitting: none, and one beside the module's thread
    // (the default on two cores is none; on more, one per core beside it).
    for (const c of CLASSES) rows.push(...endToEndCpuRows(dir, c, floor, '0'));
    for (const c of CLASSES) rows.push(...endToEndCpuRows(dir, c, floor, '1'));
    expectDistStillFresh('content-cli-290');
    return rows;
  }, ISSUE_LOG_FILES);
}

/** `npm run bench content-cli`: the same, end to end through `mig file -t local`. */
export function cliBench(): Promise<BenchRow[]> {
  return withLogs(async (dir) => {
    const rows: BenchRow[] = [];
    for (const c of CLASSES) rows.push(await endToEndRow(dir, c));
    return rows;
  });
}

/** `LC_ALL=C grep -rlE PATTERN DIR/logs` as an alternated run. */
function grepListRun(dir: string, pattern: string): Run {
  return { file: 'grep', args: ['-rlE', pattern, join(dir, 'logs')], env: { LC_ALL: 'C' } };
}

function grepList(dir: string, pattern: string): number {
  // Exit 1 only means "no match"; wc keeps grep's output off /dev/null.
  return Number(shell(`(LC_ALL=C grep -rlE '${pattern}' ${join(dir, 'logs')} || [ $? -eq 1 ]) | wc -l`));
}

const load = (): string => `load ${(loadavg()[0] ?? 0).toFixed(1)}`;

/** This process's CPU (user + system) so far, in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** In the engine (no start-up): the file module in this process against grep -l. */
async function listRow(dir: string, c: { name: string; pattern: string }, size = ''): Promise<BenchRow> {
  let files = 0;
  let bytes = 0;
  // CPU per run beside wall time (medianMs runs 4: a warm-up and 3): a loaded machine inflates wall.
  const ourCpu = ownCpuMs();
  const ours = await medianMs(3, async () => {
    const run = await runOurs(dir, { s1: { paths: ['/logs'], contents: [c.pattern] } });
    files = run.rows;
    bytes = run.stats.bytesRead ?? 0;
  });
  const oursCpuMs = (ownCpuMs() - ourCpu) / 4;
  let grepFiles = 0;
  const grepCpu = childrenCpuMs();
  const grep = await medianMs(3, () => (grepFiles = grepList(dir, c.pattern)));
  const grepCpuMs = (childrenCpuMs() - grepCpu) / 4;
  if (files !== grepFiles) throw new Error(`${c.pattern}: we found ${files} files, grep -l ${grepFiles}`);
  return {
    name: `content -l ${c.name}${size} (engine)`,
    ours,
    reference: 'LC_ALL=C grep -rlE',
    referenceValue: grep,
    unit: 'ms',
    note: `${c.pattern}: ${files} files, ${(bytes / MIB).toFixed(0)} MiB read, engine ${compileLineRegex(c.pattern).engine}; CPU ${oursCpuMs.toFixed(0)} vs ${grepCpuMs.toFixed(0)} ms; ${load()}`,
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

/** What no Node process can go under, in one environment. */
interface Floors {
  /** `node -e 0`. */
  start: Timing;
  /** bench/read-floor.cjs over the tree: Node's start and reading every byte, nothing else. */
  read: Timing;
}

/**
 * `node -e 0` and bench/read-floor.cjs, as the environment is and without NODE_EXTRA_CA_CERTS
 * when it is set, alternated with grep's run of RARE_LITERAL (which reads every byte too);
 * with a row per environment showing the read floor against that grep run.
 */
function nodeFloors(dir: string): { floor: Floors; cleanFloor: Floors | undefined; rows: BenchRow[] } {
  const logs = join(dir, 'logs');
  const envs = [{}, ...(hasExtraCa() ? [WITHOUT_EXTRA_CA] : [])];
  const [grep, ...timings] = alternated(
    [
      grepListRun(dir, RARE_LITERAL.pattern),
      ...envs.flatMap((env) => [
        { file: process.execPath, args: ['-e', '0'], env },
        { file: process.execPath, args: [READ_FLOOR, logs], env },
      ]),
    ],
    5,
  );
  const floors = envs.map((_env, i): Floors => {
    const start = timings[2 * i];
    const read = timings[2 * i + 1];
    if (start === undefined || read === undefined) throw new Error('the floors were not timed');
    return { start, read };
  });
  const [floor, cleanFloor] = floors;
  if (grep === undefined || floor === undefined) throw new Error('the floors were not timed');
  const rows = floors.map((f, i): BenchRow => ({
    name: `content 290 MB: a Node process that only reads every byte (the floor)${i === 0 ? '' : ', NODE_EXTRA_CA_CERTS unset'}`,
    ours: f.read.wallMs,
    reference: `LC_ALL=C grep -rlE (${RARE_LITERAL.name})`,
    referenceValue: grep.wallMs,
    unit: 'ms',
    note: `bench/read-floor.cjs: 1 MiB reads, no search; CPU ${f.read.cpuMs.toFixed(0)} vs ${grep.cpuMs.toFixed(0)} ms; node -e 0 ${f.start.wallMs.toFixed(0)} ms; 1.5 x grep ${(grep.wallMs * 1.5).toFixed(0)} ms; ${load()}`,
  }));
  return { floor, cleanFloor, rows };
}

/** A variant of the hunt, alternated with it in the same rows' runs. */
interface Variant {
  /** Appended to the row's name. */
  label: string;
  env: NodeJS.ProcessEnv;
  /** The floors as this variant's environment starts Node. */
  floor: Floors;
}

/**
 * `mig file -t local` against `LC_ALL=C grep -rlE`, alternately, wall and CPU; one more row per
 * variant (the same hunt in another environment), alternated with the others. grep's figure
 * serves every row: it reads no CA bundle and runs no bundle of ours.
 */
function endToEndCpuRows(
  dir: string,
  c: { name: string; pattern: string },
  floor: Floors,
  threads?: string,
  variants: readonly Variant[] = [],
): BenchRow[] {
  const hunt: Run = {
    file: process.execPath,
    args: [MIG, 'file', '-t', 'local', '-path', '/logs', '-content', c.pattern],
    env: { MIG_LOCAL_ROOT: dir, NO_COLOR: '1', ...(threads === undefined ? {} : { MIG_CONTENT_THREADS: threads }) },
  };
  const [grep, ours, ...others] = alternated(
    [grepListRun(dir, c.pattern), hunt, ...variants.map((v) => ({ ...hunt, env: { ...hunt.env, ...v.env } }))],
    3,
  );
  if (grep === undefined || ours === undefined) throw new Error(`${c.pattern}: a run was not timed`);
  const name = `content -l ${c.name} 290 MB (mig file -t local${threads === undefined ? '' : `, ${threads} content threads`}`;
  return [
    endToEndRow290(`${name})`, ours, grep, floor),
    ...variants.flatMap((v, i) => {
      const timing = others[i];
      return timing === undefined ? [] : [endToEndRow290(`${name}, ${v.label})`, timing, grep, v.floor)];
    }),
  ];
}

function endToEndRow290(name: string, ours: Timing, grep: Timing, floor: Floors): BenchRow {
  const goal = Math.max(grep.wallMs * 1.5, 0);
  // Where grep lists no file, every program must read every byte: the read floor applies.
  const reach =
    goal < floor.start.wallMs
      ? `under node's own start: cannot be met by a Node process`
      : grep.lines === 0 && goal < floor.read.wallMs
        ? `goal ≤ ${goal.toFixed(0)} ms, under a Node process that only reads every byte (${floor.read.wallMs.toFixed(0)} ms): cannot be met by a Node process`
        : `goal ≤ ${goal.toFixed(0)} ms`;
  return {
    name,
    ours: ours.wallMs,
    reference: 'LC_ALL=C grep -rlE',
    referenceValue: grep.wallMs,
    unit: 'ms',
    note: `CPU ${ours.cpuMs.toFixed(0)} vs ${grep.cpuMs.toFixed(0)} ms; ${grep.lines} files; node -e 0 ${floor.start.wallMs.toFixed(0)} ms (CPU ${floor.start.cpuMs.toFixed(0)}); ${reach}; ${load()}`,
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
