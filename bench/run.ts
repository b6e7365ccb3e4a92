// `npm run bench [name...]`: runs each benchmark and prints our figures beside the references,
// as ratios, in one run on the same data. Not a test: figures go to doc/performance.md.
import type { Bench, BenchRow } from './types.js';

const benches: Record<string, () => Promise<{ default: Bench }>> = {
  'file-hash': () => import('./file-hash.js'),
  'file-walk': () => import('./file-walk.js'),
  'file-content': () => import('./file-content.js'),
  'content-list': () => import('./file-content.js').then((m) => ({ default: m.listBench })),
  'content-cli': () => import('./file-content.js').then((m) => ({ default: m.cliBench })),
  'content-list-290': () => import('./file-content.js').then((m) => ({ default: m.listBench290 })),
  'content-cli-290': () => import('./file-content.js').then((m) => ({ default: m.cliBench290 })),
  'file-yara': () => import('./file-yara.js'),
  memory: () => import('./memory.js'),
  netstat: () => import('./netstat.js'),
  fanout: () => import('./fanout.js'),
  'console-render': () => import('./console-render.js'),
  startup: () => import('./startup.js'),
  heartbeat: () => import('./heartbeat.js'),
};

/** Ratio >1 means we beat the reference (faster time or higher throughput). */
function advantage(row: BenchRow): number {
  return row.unit === 'MB/s' ? row.ours / row.referenceValue : row.referenceValue / row.ours;
}

function formatRow(row: BenchRow): string {
  // A row without a reference figure (NaN: nothing comparable exists) prints a dash, not NaN.
  const fmt = (n: number): string => (Number.isNaN(n) ? '—' : n >= 100 ? n.toFixed(0) : n.toFixed(2));
  const ratio = advantage(row);
  return [
    row.name.padEnd(44),
    `${fmt(row.ours)} ${row.unit}`.padStart(14),
    `${row.reference}`.padEnd(34),
    (Number.isNaN(row.referenceValue) ? '—' : `${fmt(row.referenceValue)} ${row.unit}`).padStart(14),
    (Number.isNaN(ratio) ? '—' : `${ratio.toFixed(2)}x`).padStart(8),
    row.note ?? '',
  ].join('  ');
}

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(benches);
console.log(
  [
    'benchmark'.padEnd(44),
    'ours'.padStart(14),
    'reference'.padEnd(34),
    'reference'.padStart(14),
    'ratio'.padStart(8),
    'note',
  ].join('  '),
);
console.log('(ratio = how many times better than the reference: >1 we win, <1 we lose)');
let failures = 0;
for (const name of names) {
  const load = benches[name];
  if (load === undefined) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
    failures++;
    continue;
  }
  try {
    const rows = await (await load()).default();
    for (const row of rows) console.log(formatRow(row));
  } catch (err) {
    failures++;
    console.error(`${name}: failed: ${(err as Error).stack ?? String(err)}`);
  }
}
process.exitCode = failures > 0 ? 1 : 0;
