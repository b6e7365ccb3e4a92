// A/B of whole-tree hashing or walking in one sitting: `node --import tsx bench/file-hash-ab.ts
// <checkout> [runs] [hash|stat|name]` runs the file module of <checkout> (this one, or a copy of
// an older commit) over a 20,000-file tree like file-hash's, and prints the median wall time,
// the process's CPU (reader threads included) and the walking thread's own CPU, with the load.
// Run it alternately for the old and new checkout: on a shared machine, read CPU, not wall.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallTree } from './file-data.js';

const [checkout = process.cwd(), runsArg = '5', kind = 'hash'] = process.argv.slice(2);
const runs = Number(runsArg);
const root = join(tmpdir(), 'mig-file-hash-ab');
// Kept between runs (both checkouts must see the same tree, the page cache warm).
if (!existsSync(join(root, 'small'))) smallTree(join(root, 'small'), 20_000);
const { runOurs } = (await import(join(checkout, 'bench/file-data.ts'))) as typeof import('./file-data.js');

function cpuMs(): { all: number; main: number } {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const { user, system } = process.cpuUsage();
  return { all: (user + system) / 1000, main: (Number(fields[11]) + Number(fields[12])) * 10 };
}

const searches: Record<string, unknown> = {
  hash: { s1: { paths: ['/small'], sha2: ['f'.repeat(64)] } },
  stat: { s1: { paths: ['/small'], sizes: ['>1t'] } },
  name: { s1: { paths: ['/small'], names: ['^nothing-by-this-name$'] } },
};
const search = searches[kind] as Record<string, unknown>;
await runOurs(root, search);
const samples: { wall: number; all: number; main: number }[] = [];
for (let i = 0; i < runs; i++) {
  const before = cpuMs();
  const start = performance.now();
  await runOurs(root, search);
  const wall = performance.now() - start;
  const after = cpuMs();
  samples.push({ wall, all: after.all - before.all, main: after.main - before.main });
}
const median = (key: 'wall' | 'all' | 'main'): string =>
  (samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(runs / 2)] ?? Number.NaN).toFixed(0);
console.log(
  `${checkout} ${kind}: wall ${median('wall')} ms, CPU ${median('all')} ms, walking thread ${median('main')} ms ` +
    `(load ${(loadavg()[0] ?? 0).toFixed(1)})`,
);
