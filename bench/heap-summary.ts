// Summarises a V8 heap snapshot (bench/fanout-inspect.ts writes one with the fleet online), for
// doc/performance.md: self size by node type and constructor name, heaviest first.
//   node --import tsx bench/heap-summary.ts /tmp/dir/connected-sim-10000.heapsnapshot [count]
// Self sizes only (no retained sizes): enough to see what a connected agent costs, since each
// agent's objects are counted once; divide by the fleet size for bytes per agent.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const SnapshotSchema = z.object({
  snapshot: z.object({
    meta: z.object({
      node_fields: z.array(z.string()),
      node_types: z.array(z.unknown()),
      edge_fields: z.array(z.string()),
      edge_types: z.array(z.unknown()),
    }),
  }),
  nodes: z.array(z.number()),
  edges: z.array(z.number()),
  strings: z.array(z.string()),
});

function main(): void {
  const [path, count, retainersOf] = process.argv.slice(2);
  if (path === undefined)
    throw new Error('usage: heap-summary.ts <file.heapsnapshot> [fleet size] [constructor name: who holds those]');
  const snap = SnapshotSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const fields = snap.snapshot.meta.node_fields;
  const typeNames = z.array(z.string()).parse(snap.snapshot.meta.node_types[0]);
  const width = fields.length;
  const at = (name: string): number => {
    const i = fields.indexOf(name);
    if (i < 0) throw new Error(`heap snapshot without node field ${name}`);
    return i;
  };
  const [typeAt, nameAt, sizeAt] = [at('type'), at('name'), at('self_size')];
  const totals = new Map<string, { bytes: number; objects: number }>();
  const lines0: string[] = [];
  let all = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = typeNames[snap.nodes[i + typeAt] ?? 0] ?? '?';
    const name =
      type === 'object' || type === 'closure' || type === 'native'
        ? (snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '?')
        : '';
    const key = `${type} ${name}`.trim();
    const size = snap.nodes[i + sizeAt] ?? 0;
    all += size;
    const total = totals.get(key) ?? { bytes: 0, objects: 0 };
    total.bytes += size;
    total.objects += 1;
    totals.set(key, total);
  }
  if (retainersOf !== undefined) lines0.push(...retainers(snap, retainersOf));
  const perAgent = count === undefined ? undefined : Number(count);
  const lines = [
    ...lines0,
    `heap ${(all / 1e6).toFixed(1)} MB${perAgent === undefined ? '' : `, ${(all / perAgent).toFixed(0)} bytes per agent`}`,
  ];
  for (const [key, t] of [...totals].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 40)) {
    const per = perAgent === undefined ? '' : `  ${(t.bytes / perAgent).toFixed(0).padStart(6)} B/agent`;
    lines.push(
      `${(t.bytes / 1e6).toFixed(1).padStart(8)} MB ${String(t.objects).padStart(9)} objects${per}  ${key.slice(0, 100)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();

/** For objects named `name`: which (holder, property) point at them, with the bytes held directly. */
function retainers(snap: z.infer<typeof SnapshotSchema>, name: string): string[] {
  const { node_fields: nf, edge_fields: ef, edge_types: et } = snap.snapshot.meta;
  const edgeTypes = z.array(z.string()).parse(et[0]);
  const nodeTypes = z.array(z.string()).parse(snap.snapshot.meta.node_types[0]);
  const [nw, ew] = [nf.length, ef.length];
  const [nameAt, sizeAt, countAt, typeAt] = [
    nf.indexOf('name'),
    nf.indexOf('self_size'),
    nf.indexOf('edge_count'),
    nf.indexOf('type'),
  ];
  const [eTypeAt, eNameAt, eToAt] = [ef.indexOf('type'), ef.indexOf('name_or_index'), ef.indexOf('to_node')];
  const totals = new Map<string, number>();
  let edge = 0;
  for (let i = 0; i < snap.nodes.length; i += nw) {
    const holder =
      `${nodeTypes[snap.nodes[i + typeAt] ?? 0]} ${snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '?'}`.slice(0, 60);
    const edges = snap.nodes[i + countAt] ?? 0;
    for (let e = 0; e < edges; e++, edge += ew) {
      const to = snap.edges[edge + eToAt] ?? 0;
      if (snap.strings[snap.nodes[to + nameAt] ?? 0] !== name) continue;
      const type = edgeTypes[snap.edges[edge + eTypeAt] ?? 0] ?? '?';
      if (type === 'weak') continue;
      const raw = snap.edges[edge + eNameAt] ?? 0;
      const prop = type === 'element' || type === 'hidden' ? `[${type}]` : (snap.strings[raw] ?? '?');
      const key = `${holder} .${prop}`;
      totals.set(key, (totals.get(key) ?? 0) + (snap.nodes[to + sizeAt] ?? 0));
    }
  }
  return [
    `--- holders of ${name}`,
    ...[...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, b]) => `${(b / 1e6).toFixed(2).padStart(8)} MB  ${k}`),
  ];
}
