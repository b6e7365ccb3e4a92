import type { AgentRecord } from '../backend.js';
import type { ColumnDef, Tone } from '../columns.js';
import { sanitize } from '../text.js';
import { timeColumn } from './time-column.js';

/** A pending enrollment shows as `pending` whatever its heartbeat age says. */
export function agentStatusText(a: Pick<AgentRecord, 'status' | 'enrollment'>): string {
  return a.enrollment === 'pending' ? 'pending' : a.status;
}

export function agentStatusTone(status: string): Tone {
  if (status === 'online') return 'ok';
  if (status === 'idle' || status === 'pending') return 'warn';
  return 'dim';
}

function tagsText(tags: Readonly<Record<string, string>>): string {
  return sanitize(
    Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
}

// Alike on purpose (duplicates): the column table, one entry a column (k9s: columns as data);
// entries share their shape, not logic.
/** The agents table, as data. */
export const AGENT_COLUMNS: readonly ColumnDef<AgentRecord>[] = [
  { key: 'name', header: 'NAME', width: 16, isFlex: true, text: (a) => sanitize(a.name) },
  { key: 'os', header: 'OS', width: 7, text: (a) => sanitize(a.os) },
  { key: 'arch', header: 'ARCH', width: 6, text: (a) => sanitize(a.arch) },
  { key: 'version', header: 'VERSION', width: 8, isWide: true, text: (a) => sanitize(a.version) },
  { key: 'tags', header: 'TAGS', width: 10, isFlex: true, isWide: true, text: (a) => tagsText(a.tags) },
  {
    key: 'status',
    header: 'STATUS',
    width: 7,
    text: (a) => agentStatusText(a),
    tone: (a) => agentStatusTone(agentStatusText(a)),
  },
  {
    key: 'policy',
    header: 'POLICY',
    width: 6,
    align: 'right',
    // v0: the agent runs on its baked config; '-': an agent too old to report a policy version.
    text: (a) => (a.policyVersion === undefined ? '-' : `v${a.policyVersion}`),
    sortValue: (a) => a.policyVersion ?? -1,
  },
  {
    ...timeColumn<AgentRecord>('heartbeat', 'LAST HB', 7, (a) => a.lastHeartbeatAt),
    // Most recent first when ascending: people sort by heartbeat to find the ones that went quiet.
    sortValue: (a) => -Date.parse(a.lastHeartbeatAt),
  },
  {
    key: 'address',
    header: 'ADDRESS',
    width: 15,
    isWide: true,
    text: (a) => sanitize(a.environment.addresses[0] ?? ''),
  },
];

const sortCache = new WeakMap<readonly AgentRecord[], Map<string, readonly AgentRecord[]>>();

/** Sorted copy, cached per input list and order so a clock tick does not re-sort 10,000 agents. */
export function sortAgents(
  list: readonly AgentRecord[],
  column: number,
  isDescending: boolean,
): readonly AgentRecord[] {
  const def = AGENT_COLUMNS[column % AGENT_COLUMNS.length] ?? AGENT_COLUMNS[0];
  if (def === undefined) return list;
  const key = `${def.key}:${isDescending ? 'd' : 'a'}`;
  let byKey = sortCache.get(list);
  const cached = byKey?.get(key);
  if (cached !== undefined) return cached;
  const value = def.sortValue ?? ((a: AgentRecord) => def.text(a, 0).toLowerCase());
  const keyed = list.map((a) => ({ a, v: value(a) }));
  keyed.sort((x, y) => {
    const c = x.v < y.v ? -1 : x.v > y.v ? 1 : x.a.id.localeCompare(y.a.id);
    return isDescending ? -c : c;
  });
  const sorted = keyed.map((k) => k.a);
  if (byKey === undefined) {
    byKey = new Map();
    sortCache.set(list, byKey);
  }
  byKey.set(key, sorted);
  return sorted;
}
