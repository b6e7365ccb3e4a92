// Summarises a V8 CPU profile of the fan-out bench's server process, for doc/performance.md:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run.ts fanout
//   node --import tsx bench/fanout-profile.ts /tmp/prof/<largest>.cpuprofile ['regex of functions to total inclusively']
// Prints busy time, the heaviest functions by self time, self time by package or folder, and
// (with a regex) inclusive time of the matching functions. Samples are wall-clock: on a busy
// machine time spent descheduled lands on whatever was running (system calls above all).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});
type ProfileNode = z.infer<typeof ProfileSchema>['nodes'][number];

const TOP = 30;

function shortUrl(url: string): string {
  return url
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^file:\/\/.*?\/(broker|bench|protocol|agent|console|modules)\//, '$1/');
}

function label(node: ProfileNode): string {
  return `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
}

function group(node: ProfileNode): string {
  const url = shortUrl(node.callFrame.url);
  const pkg = /^node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  if (url === '') return `(native) ${node.callFrame.functionName}`;
  return url.startsWith('node:') ? url : url.split('/').slice(0, 2).join('/');
}

function top(totals: Map<string, number>, n: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}

function add(totals: Map<string, number>, key: string, us: number): void {
  totals.set(key, (totals.get(key) ?? 0) + us);
}

function main(): void {
  const [path, inclusive] = process.argv.slice(2);
  if (path === undefined) throw new Error('usage: fanout-profile.ts <file.cpuprofile> [regex]');
  const profile = ProfileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const timeOf = new Map<number, number>();
  profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  const matched = new Map<string, number>();
  const pattern = inclusive === undefined ? undefined : new RegExp(inclusive);
  let busy = 0;
  let idle = 0;
  for (const [id, us] of timeOf) {
    const node = byId.get(id);
    if (node === undefined) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    add(self, label(node), us);
    add(groups, group(node), us);
    if (pattern === undefined) continue;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur);
      const name = frame === undefined ? '' : label(frame);
      if (frame !== undefined && pattern.test(name) && !seen.has(name)) {
        seen.add(name);
        add(matched, name, us);
      }
    }
  }
  const lines = [
    `busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`,
    '--- self time',
    ...top(self, TOP),
    '--- self time by package or folder',
    ...top(groups, TOP),
  ];
  if (pattern !== undefined) lines.push(`--- inclusive time of functions matching ${inclusive}`, ...top(matched, TOP));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
